import { requestMaxMessages } from '../apps/pacing';
import { clientReorderNote, sendLingerMs } from '../client/rules';
import type { HydraOptions, PointParams } from '../config/options';
import type { PubStats } from '../control/wire';
import type { PointFaults } from '../faults/point-faults';
import type { AppHandle } from '../launch';
import type { BrokerMetricsRecord } from '../broker-metrics/figures';
import { brokerPart } from '../broker-metrics/verdict';
import { computeResult, type PointResult } from '../stats/result';
import { verdictThresholds } from '../stats/verdict';
import type { ClockOffset } from './clock';
import { sortFaults, type Collected } from './harness-faults';
import type { AppFate, PointRun } from './point-runner';

/** Everything a point's judgement reads: what was collected, and what the point was. */
export interface JudgeInput {
  options: Pick<HydraOptions, Extract<keyof HydraOptions, `verdict_${string}`>>;
  params: PointParams;
  /** The point's first topic, and all of them (`topic` is the first). */
  topic: string;
  topics: readonly string[];
  pubs: readonly AppHandle[];
  subs: readonly AppHandle[];
  pubStats: readonly PubStats[];
  collected: readonly Collected[];
  /**
   * Per topic index, where each partition's log started before publishing and where it starts and
   * ends now: lag from loss; absent when unknown.
   */
  log: { before?: Record<string, number>[]; bounds?: { start: Record<string, number>; end: Record<string, number> }[] };
  /** The one group of a shared point's clients; null for a group per client. */
  sharedGroup: string | null;
  /** Partitions a shared group's members divide among them. */
  partitionCount: number;
  clocks: ReadonlyMap<string, ClockOffset>;
  /** The broker is hydra's embedded one: what holds a point back there is hydra's. */
  embedded: boolean;
  /** The point's planned faults; null without. */
  faults: PointFaults | null;
  /** The brokers' own figures over the window; absent without endpoints. */
  broker?: BrokerMetricsRecord;
}

/**
 * HYDRA's figures, the verdict and the point's harness faults from what was collected. Pure: the
 * point's phases gather the input, this judges it.
 */
export function judgePoint(input: JudgeInput): Omit<PointRun, 'replaced'> {
  const { params: p, faults, pubs, subs, clocks } = input;
  // What a planned freeze caused is the experiment: left out of the judgement.
  const reports = input.collected.map((c) => c.report);
  const adjusted = faults ? faults.withoutFreezes(reports, input.pubStats, pubs, subs) : { reports, pubStats: [...input.pubStats] };
  const collected = input.collected.map((c, i) => ({ ...c, report: adjusted.reports[i] ?? c.report }));
  // In a fan-out (a group per client) the clients of an app the schedule killed stopped on purpose:
  // what they missed after is not Kafka's loss, so they are left out of the point's figures (the
  // fault's figures show them until the kill). A shared group's member counts for its group.
  const measured = input.sharedGroup === null ? collected.filter((c) => c.fate.status !== 'killed') : collected;
  const bounds = input.log.bounds;
  const result = computeResult(
    adjusted.pubStats,
    measured.map((c) => c.report),
    p.clients_per_app,
    p.msg_rate,
    {
      ...(input.topics.length === 1
        ? { logEnd: bounds?.[0]?.end, logFirst: bounds?.[0]?.start, logStart: bounds ? input.log.before?.[0] : undefined }
        : {
            topicLogs: input.topics.map((_, t) => ({
              ...(bounds?.[t] ? { end: bounds[t]?.end, first: bounds[t]?.start } : {}),
              ...(bounds && input.log.before?.[t] ? { start: input.log.before[t] } : {}),
            })),
            topicNames: input.topics,
          }),
      thresholds: verdictThresholds(input.options),
      sharedGroup: input.sharedGroup !== null,
      maxInFlight: p.max_in_flight,
      reorderNote: clientReorderNote(p),
      embeddedBroker: input.embedded,
      fetchWaitMs: p.consumer_max_wait_ms,
      sendLingerMs: sendLingerMs(p),
      requestMaxMessages: requestMaxMessages(p.batch_bytes, p.msg_size),
      pubNames: pubs.map((app) => app.name),
      plannedBrokerPauseMs: faults?.brokerPauseMs ?? 0,
    },
  );
  const harnessFaults = [
    ...sortFaults({
      collected,
      pubs,
      pubStats: adjusted.pubStats,
      sharedGroup: input.sharedGroup,
      stalledApps: result.stalled_apps,
      ...(faults ? { planned: faults.effects } : {}),
    }),
    ...(faults?.notAsPlanned() ?? []),
  ];
  const apps = [
    ...pubs.map((app): AppFate => ({ name: app.name, kind: 'pub', pid: app.pid ?? null, status: app.isAlive() ? 'ok' : 'died' })),
    ...collected.map((c) => c.fate),
  ].map((fate) => {
    const clock = clocks.get(fate.name);
    return clock ? { ...fate, clock_offset_ms: clock.offset_ms, clock_error_ms: clock.error_ms } : fate;
  });
  const fault = faults ? faultRecordOf(input, faults, adjusted.pubStats, collected) : undefined;
  const hopeless = faults?.retryHopeless();
  return {
    result: withBrokerFigures(result, input.broker),
    topic: input.topic,
    subPids: subs.map((app) => app.pid ?? -1),
    apps,
    faults: harnessFaults,
    ...(fault ? { fault } : {}),
    ...(input.broker ? { broker: input.broker } : {}),
    ...(hopeless ? { retryHopeless: hopeless } : {}),
  };
}

/**
 * Where Kafka held a point back, which part of the brokers did, from their own figures: each
 * Kafka note gains the broker and the figure that crossed its line (broker-metrics/verdict.ts).
 * Scrapes that failed and series no endpoint served are notes on the point, never a failed point.
 */
export function withBrokerFigures(result: PointResult, broker: BrokerMetricsRecord | undefined): PointResult {
  if (!broker) return result;
  const limits = result.kafka_limits ?? [];
  const kafkaNotes = (result.kafka_notes ?? []).map((note, i) => {
    const limit = limits[i];
    const part = limit ? brokerPart(broker, limit) : null;
    return part ? `${note} — ${part}` : note;
  });
  const notes = [
    ...broker.notes.map((n) => `broker metrics: ${n}`),
    ...(broker.missing.length ? [`broker metrics not served by any endpoint: ${broker.missing.join(', ')}`] : []),
  ];
  return { ...result, kafka_notes: kafkaNotes, figure_notes: [...result.figure_notes, ...notes] };
}

/** What the point measured through its planned faults, each client's report placed on the runner's clock. */
function faultRecordOf(
  input: JudgeInput,
  faults: PointFaults,
  pubStats: readonly PubStats[],
  collected: readonly Collected[],
): ReturnType<PointFaults['record']> {
  const offsetOf = (app: string): number => input.clocks.get(app)?.offset_ms ?? 0;
  const windowStartMs = Math.min(...pubStats.map((st) => st['time:start'] * 1000 - offsetOf(input.pubs[0]?.name ?? '')));
  const clients = collected.flatMap((c) =>
    (c.report.clients ?? []).map((stats) => ({ stats, clockOffsetMs: offsetOf(c.report.app), killed: c.fate.status === 'killed' })),
  );
  return faults.record(windowStartMs, clients, pubStats, input.sharedGroup !== null ? input.partitionCount : null);
}
