import { mean } from 'simple-statistics';
import type { AppTelemetry, BrokerRequestTelemetry, ClientStats, HistogramData, PubStats } from '../control/wire';
import { emptyHistogram, histogramQuantile, mergeHistograms } from './histogram';
import { combinePubStats, pubCpuPct } from './publishers';
import { groupReceipts } from './sequence';
import { topicFigures, topicLossPct, topicSpreadNote, type TopicLog } from './topic-figures';
import type { PointResult } from './point-result';
import { mergeBrokerRequests, roundTripMs } from './requests';
import { DEFAULT_THRESHOLDS, formatKafkaLimit, formatLimit, judgePoint, type VerdictThresholds } from './verdict';

// The point's figures are typed in point-result.ts, a topic's in topic-figures.ts; importers reach them here.
export type { TopicFigures, TopicLog } from './topic-figures';
export { EXTRA_RESULT_KEYS, HYDRA_RESULT_KEYS, type PointResult } from './point-result';

export interface SubAppReport {
  app: string;
  /** null when the app did not answer. */
  clients: ClientStats[] | null;
  /** The app's resources over the window; absent when it did not answer. */
  telemetry?: AppTelemetry;
  /** Its consumers' fetch requests over the window; absent when it did not answer. */
  fetch?: BrokerRequestTelemetry;
}

/** What the runner adds to the apps' raw numbers. */
export interface ResultContext {
  /** Per partition, the log end offset at collection (for lag versus loss); absent when unknown. */
  logEnd?: Record<string, number>;
  /** Per partition, the first offset the log still holds at collection: below it retention deleted. */
  logFirst?: Record<string, number>;
  /**
   * Per partition, the log end when the point began: the point's messages lie above it. On a
   * topic shared by the session's points a client's position is at least this (what lies below
   * belongs to earlier points), also for a client that has received nothing yet.
   */
  logStart?: Record<string, number>;
  /**
   * With several topics, their logs by topic index (each client's offsets are of the topic it
   * reads): used in place of logEnd, logFirst and logStart; and their names.
   */
  topicLogs?: readonly TopicLog[];
  topicNames?: readonly string[];
  thresholds?: VerdictThresholds;
  /**
   * consumer_group=shared: the clients are members of one group and each message goes to one of
   * them, so the group is counted as one consumer: its members' receipts add up, and loss, lag,
   * failing and duplicates are the group's (per-member shortfalls are the point of a queue).
   */
  sharedGroup?: boolean;
  /** Produce requests each publisher kept in flight (what the verdict expects of its waits). */
  maxInFlight?: number;
  /**
   * Why the publishers' own client may have reordered their messages (its library's registry entry
   * says, for its requests in flight and idempotence); absent or null: their order is Kafka's.
   */
  reorderNote?: string | null;
  /** The broker is hydra's embedded one: what holds a point back there (its log dropping unread messages, slow answers) is hydra's limit, not Kafka's. */
  embeddedBroker?: boolean;
  /** The consumers' fetch long-poll, ms (default 100): a fetch answered within it was not slow. */
  fetchWaitMs?: number;
  /** How long a send may linger inside the publishers' client, ms (VerdictInput.sendLingerMs). */
  sendLingerMs?: number;
  /** Most messages in one produce request (for the explanation of a publisher held back). */
  requestMaxMessages?: number;
  /** The publishers' app names, by pub_id (default pub, pub-1, ...). */
  pubNames?: readonly string[];
  /** How long a planned fault froze the embedded broker, ms (VerdictInput.plannedBrokerPauseMs). */
  plannedBrokerPauseMs?: number;
}

type ClientFigures = Pick<ClientStats, 'msg_cnt' | 'rate' | 'unique' | 'duplicates' | 'out_of_order'> &
  Partial<Pick<ClientStats, 'last_ms' | 'next_offsets' | 'skipped' | 'timeline' | 'topic'>>;

/** A shared group's members as one consumer: counts add up, the position in each partition is the furthest any member reached. */
export function groupAsOneClient(members: readonly ClientFigures[]): ClientFigures {
  const nextOffsets: Record<string, number> = {};
  for (const m of members) for (const [p, o] of Object.entries(m.next_offsets ?? {})) nextOffsets[p] = Math.max(nextOffsets[p] ?? 0, o);
  const lasts = members.flatMap((m) => (typeof m.last_ms === 'number' ? [m.last_ms] : []));
  const sum = (pick: (m: ClientFigures) => number): number => members.reduce((n, m) => n + pick(m), 0);
  // With what each member received (a point with planned faults), a message two members got after
  // a rebalance counts once as received and once as duplicated.
  const timelines = members.flatMap((m) => (m.timeline ? [m.timeline] : []));
  const receipts = timelines.length === members.length ? groupReceipts(timelines) : null;
  return {
    msg_cnt: sum((m) => m.msg_cnt),
    rate: sum((m) => m.rate),
    unique: receipts?.unique ?? sum((m) => m.unique),
    duplicates: sum((m) => m.duplicates) + (receipts?.across ?? 0),
    out_of_order: sum((m) => m.out_of_order),
    skipped: sum((m) => m.skipped ?? 0),
    last_ms: lasts.length ? Math.max(...lasts) : null,
    next_offsets: nextOffsets,
    ...(members[0]?.topic !== undefined ? { topic: members[0].topic } : {}),
  };
}

/** A histogram's mean, ms; null when empty. */
function meanMs(h: HistogramData): number | null {
  return h.count > 0 ? h.sum_us / h.count / 1000 : null;
}

/** A shared group per topic: each topic's members as one consumer (one topic: the one group). */
function groupsAsClients(members: readonly ClientFigures[]): ClientFigures[] {
  const byTopic = new Map<number, ClientFigures[]>();
  for (const m of members) (byTopic.get(m.topic ?? 0) ?? byTopic.set(m.topic ?? 0, []).get(m.topic ?? 0))?.push(m);
  return [...byTopic.values()].map(groupAsOneClient);
}

/**
 * HYDRA's result_parser, from raw app statistics. `requestedRate` is the point's parameter (not
 * the publisher's echo of it). The clients of an app that did not answer are not counted as
 * failing or as receiving nothing: what a dead or frozen harness process did not report is not
 * Kafka's loss. Such a point is invalid (the runner reports the fault); `client_count` still
 * counts every configured client (`clientsPerApp` per app). Several publishers count as one
 * (combinePubStats): their messages add up, each with its own sequence space.
 */
export function computeResult(
  pubOrPubs: PubStats | readonly PubStats[],
  subs: readonly SubAppReport[],
  clientsPerApp: number,
  requestedRate: number,
  context: ResultContext = {},
): PointResult {
  const pubs: readonly PubStats[] = Array.isArray(pubOrPubs) ? pubOrPubs : [pubOrPubs as PubStats];
  const pub = combinePubStats(pubs);
  const packetTx = pub.msg_cnt;
  const members: ClientFigures[] = [];
  const unresponsive: string[] = [];
  for (const sub of subs) {
    if (sub.clients === null) unresponsive.push(sub.app);
    else members.push(...sub.clients);
  }
  const clients = context.sharedGroup && members.length > 0 ? groupsAsClients(members) : members;
  // With several topics a client can get only its topic's messages: what the publishers sent there.
  const topicCount = context.topicLogs?.length ?? 1;
  const sentToTopic = topicCount > 1 ? Array.from({ length: topicCount }, (_, t) => pubs.reduce((n, p) => n + (p.msg_cnt_by_topic?.[t] ?? 0), 0)) : [packetTx];
  const expectedOf = (c: ClientFigures): number => sentToTopic[c.topic ?? 0] ?? 0;
  const logsOf = (c: ClientFigures): TopicLog => context.topicLogs?.[c.topic ?? 0] ?? { end: context.logEnd, first: context.logFirst, start: context.logStart };
  const reorderNote = context.reorderNote ?? null;
  const clientReorders = reorderNote !== null;
  const pubStartMs = pub['time:start'] * 1000;
  const pubWindowS = pub['time:end'] - pub['time:start'];
  const rateOf = (c: (typeof clients)[number]): number => {
    const last = 'last_ms' in c ? (c.last_ms as number | null) : null;
    if (last === null || last <= pubStartMs) return c.rate;
    // A client that kept up is measured over the publisher's window (so Rx = Tx); one that lagged,
    // over the longer time it took to get its last message.
    return c.msg_cnt / Math.max((last - pubStartMs) / 1000, pubWindowS);
  };
  const failing = clients.filter((c) => c.msg_cnt !== expectedOf(c));
  const averagePackets = clients.length ? mean(clients.map((c) => c.msg_cnt)) : 0;
  const latency = mergeHistograms(subs.flatMap((s) => (s.clients ?? []).map((c) => c.latency)));
  const latencyIntended = mergeHistograms(subs.flatMap((s) => (s.clients ?? []).flatMap((c) => (c.latency_intended ? [c.latency_intended] : []))));
  const msOf = (h: HistogramData, q: number): number | null => {
    const us = histogramQuantile(h, q);
    return us === null ? null : us / 1000;
  };
  const ms = (q: number): number | null => msOf(latency, q);
  // Measured by every publisher, or not at all (older apps): a partial merge would read as the whole.
  const publishDelay = pubs.every((p) => p.publish_delay) ? mergeHistograms(pubs.map((p) => p.publish_delay as HistogramData)) : null;
  // Lag versus loss: what a client has not received but the broker still holds is behind, not lost.
  const logKnown = context.topicLogs ? context.topicLogs.every((l) => l.end !== undefined) : context.logEnd !== undefined;
  const behindOf = (c: (typeof clients)[number]): number => {
    const log = logsOf(c);
    if (!log.end) return 0;
    let behind = 0;
    for (const [partition, end] of Object.entries(log.end)) {
      // What the broker still holds from the client's position on (retention may have deleted below it).
      const position = Math.max(c.next_offsets?.[partition] ?? 0, log.start?.[partition] ?? 0, log.first?.[partition] ?? 0);
      behind += Math.max(0, end - position);
    }
    return Math.min(behind, Math.max(0, expectedOf(c) - c.unique));
  };
  /**
   * Messages retention deleted before the client read them: those its position was moved over
   * (skipped), and those between its position and where the log now starts.
   */
  const expiredOf = (c: (typeof clients)[number]): number => {
    let deleted = c.skipped ?? 0;
    const log = logsOf(c);
    for (const [partition, first] of Object.entries(log.first ?? {})) {
      const position = Math.max(c.next_offsets?.[partition] ?? 0, log.start?.[partition] ?? 0);
      deleted += Math.max(0, first - position);
    }
    return Math.min(deleted, Math.max(0, expectedOf(c) - c.unique - behindOf(c)));
  };
  const expiredTotal = clients.reduce((s, c) => s + expiredOf(c), 0);
  const subTelemetry = subs.flatMap((s) => (s.telemetry ? [{ app: s.app, telemetry: s.telemetry, ...(s.fetch ? { fetch: s.fetch } : {}) }] : []));
  const behindTotal = logKnown ? clients.reduce((s, c) => s + behindOf(c), 0) : null;
  const lostOf = (c: ClientFigures): number => Math.max(0, expectedOf(c) - c.unique - behindOf(c) - expiredOf(c));
  const verdict = judgePoint(
    {
      requestedRate,
      achievedRate: pub.rate,
      pubs: pubs.map((p, i) => ({
        app: context.pubNames?.[i] ?? (i === 0 ? 'pub' : `pub-${i}`),
        telemetry: p.telemetry,
        window_s: p['time:end'] - p['time:start'],
        broker_wait_ms: p.broker_wait_ms ?? 0,
        send_rtt: p.send_rtt ?? emptyHistogram(),
        produce: p.produce ?? null,
        msg_cnt: p.msg_cnt,
        requests: p.requests,
      })),
      subs: subTelemetry,
      embedded: context.embeddedBroker ?? false,
      ...(context.embeddedBroker
        ? { embeddedExpired: { deliveries: expiredTotal, clients: clients.filter((c) => expiredOf(c) > 0).length, sent: packetTx } }
        : {}),
      behind: behindTotal,
      fetchWaitMs: context.fetchWaitMs ?? 100,
      ...(context.plannedBrokerPauseMs ? { plannedBrokerPauseMs: context.plannedBrokerPauseMs } : {}),
      maxInFlight: context.maxInFlight ?? 1,
      sendLingerMs: context.sendLingerMs ?? 0,
      ...(context.requestMaxMessages ? { requestMaxMessages: context.requestMaxMessages } : {}),
    },
    context.thresholds ?? DEFAULT_THRESHOLDS,
  );
  const limits = verdict.harness;
  const maxOf = (values: (number | null | undefined)[]): number | null => {
    const present = values.filter((v): v is number => typeof v === 'number');
    return present.length ? Math.max(...present) : null;
  };
  const allTelemetry = [...pubs.map((p) => p.telemetry), ...subTelemetry.map((s) => s.telemetry)];
  const produceRtt = roundTripMs(pub.send_rtt ?? emptyHistogram());
  const fetches = mergeBrokerRequests(subs.map((s) => s.fetch));
  const fetchRtt = roundTripMs(fetches.rtt);
  const pubWindowMs = Math.max((pub['time:end'] - pub['time:start']) * 1000, 1e-9);
  const pubTime = pub['time:end'] - pub['time:start'];
  const perSecond = (v: number): number => (pubTime > 0 ? v / pubTime : 0);
  const cpu = pub['cpu:end'][0] + pub['cpu:end'][1] - (pub['cpu:start'][0] + pub['cpu:start'][1]);
  const ratio = requestedRate > 0 ? pub.rate / requestedRate : 0;
  return {
    client_count: members.length + unresponsive.length * clientsPerApp,
    packet_tx: packetTx,
    average_packets: averagePackets,
    average_rate: clients.length ? mean(clients.map(rateOf)) : 0,
    average_tx_rate: pub.rate,
    failing_clients: failing.length,
    failing_clients_rate: failing.length ? mean(failing.map(rateOf)) : null,
    average_packet_loss: topicCount > 1 ? topicLossPct(clients, expectedOf) : packetTx > 0 ? ((packetTx - averagePackets) * 100) / packetTx : 0,
    pub_cpu: 100 * perSecond(cpu),
    pub_net_txrate: perSecond(pub['net:end'][0] - pub['net:start'][0]),
    pub_net_rxrate: perSecond(pub['net:end'][1] - pub['net:start'][1]),
    pub_apps: pubs.length,
    pub_cpu_max_pct: Math.max(...pubs.map(pubCpuPct)),
    requested_rate: requestedRate,
    pub_achieved_ratio: ratio,
    pub_limited: limits.some((l) => l.limit === 'publisher'),
    pub_send_errors: pub.send_errors,
    lost_total: clients.reduce((s, c) => s + lostOf(c), 0),
    expired_total: expiredTotal,
    behind_total: behindTotal,
    duplicated_total: clients.reduce((s, c) => s + c.duplicates, 0),
    reordered_total: clientReorders ? null : clients.reduce((s, c) => s + c.out_of_order, 0),
    reordered_by_client: clientReorders ? clients.reduce((s, c) => s + c.out_of_order, 0) : null,
    figure_notes: [...(reorderNote ? [reorderNote] : []), ...(topicCount > 1 ? [topicSpreadNote(members, topicCount, pub.rate)] : [])],
    latency_p50_ms: ms(0.5),
    latency_p95_ms: ms(0.95),
    latency_p99_ms: ms(0.99),
    latency_max_ms: latency.max_us === null ? null : latency.max_us / 1000,
    latency_intended_p50_ms: msOf(latencyIntended, 0.5),
    latency_intended_p99_ms: msOf(latencyIntended, 0.99),
    latency_intended_max_ms: latencyIntended.max_us === null ? null : latencyIntended.max_us / 1000,
    latency_mean_ms: meanMs(latency),
    produce_rtt_mean_ms: meanMs(pub.send_rtt ?? emptyHistogram()),
    publish_delay_p50_ms: publishDelay ? msOf(publishDelay, 0.5) : null,
    publish_delay_p99_ms: publishDelay ? msOf(publishDelay, 0.99) : null,
    publish_delay_max_ms: publishDelay && publishDelay.max_us !== null ? publishDelay.max_us / 1000 : null,
    unresponsive_apps: unresponsive,
    ...(topicCount > 1
      ? {
          topic_figures: topicFigures(clients, members, sentToTopic, context.topicNames ?? [], {
            lostOf,
            behindOf: logKnown ? behindOf : null,
          }),
        }
      : {}),
    verdict: limits.length ? 'harness_limited' : context.embeddedBroker ? 'rehearsal' : 'kafka',
    harness_limits: limits.map((l) => l.limit),
    harness_notes: limits.map(formatLimit),
    kafka_limits: verdict.kafka.map((k) => k.limit),
    kafka_notes: verdict.kafka.map(formatKafkaLimit),
    stalled_apps: verdict.faults,
    embedded_broker: context.embeddedBroker ?? false,
    produce_rtt_p50_ms: produceRtt.p50,
    produce_rtt_p99_ms: produceRtt.p99,
    produce_rtt_max_ms: produceRtt.max,
    produce_throttle_ms: pubs.reduce((n, p) => n + (p.produce?.throttle_ms ?? 0), 0),
    pub_broker_wait_pct: Math.min(100, ((pub.broker_wait_ms ?? 0) / pubWindowMs) * 100),
    pub_pending_max: pub.pending_max ?? 0,
    fetch_rtt_p99_ms: fetchRtt.p99,
    fetch_rtt_max_ms: fetchRtt.max,
    fetch_throttle_ms: fetches.throttle_ms,
    loop_stall_max_ms: Math.max(0, ...allTelemetry.flatMap((t) => (t?.stalls ?? []).map((st) => st.ms))),
    app_run_wait_max_pct: maxOf(allTelemetry.map((t) => t?.run_wait_pct)),
    host_steal_max_pct: maxOf(allTelemetry.map((t) => t?.host_steal_pct)),
    sub_cpu_max_pct: maxOf(subTelemetry.map((s) => s.telemetry.cpu_pct)),
    sub_cpu_total_pct: subTelemetry.length ? subTelemetry.reduce((sum, s) => sum + s.telemetry.cpu_pct, 0) : null,
    sub_elu_max: maxOf(subTelemetry.map((s) => s.telemetry.elu)),
    sub_loop_delay_p99_max_ms: maxOf(subTelemetry.map((s) => s.telemetry.loop_delay_p99_ms)),
    pub_elu: pub.telemetry?.elu ?? null,
    host_cpu_busy_max_pct: maxOf(allTelemetry.map((t) => t?.host_cpu_busy_pct)),
    host_runqueue_max: maxOf(allTelemetry.map((t) => t?.host_runqueue)),
  };
}
