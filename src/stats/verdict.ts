import { DEFAULT_OPTIONS, type HydraOptions } from '../config/options';
import type { AppTelemetry, BrokerRequestTelemetry, HistogramData, LoopStall } from '../control/wire';
import { mergeHistograms } from './histogram';
import { roundTripMs } from './requests';

/** The options that set where a harness limit begins: hydra.ini [verdict] (the option table holds their defaults and meaning). */
type VerdictOption = Extract<keyof HydraOptions, `verdict_${string}`>;

/**
 * Where a harness limit is judged to begin: each [verdict] option by its name without `verdict_`
 * (pub_achieved_min, app_cpu_max_pct, app_elu_max, host_cpu_max_pct, app_run_wait_max_pct,
 * stall_max_ms). Their one home is the option table; this is their shape for the rules below.
 */
export type VerdictThresholds = { [K in VerdictOption as K extends `verdict_${infer Name}` ? Name : never]: number };

/** The options' [verdict] thresholds, as the rules read them. */
export function verdictThresholds(o: Pick<HydraOptions, VerdictOption>): VerdictThresholds {
  return {
    pub_achieved_min: o.verdict_pub_achieved_min,
    app_cpu_max_pct: o.verdict_app_cpu_max_pct,
    app_elu_max: o.verdict_app_elu_max,
    host_cpu_max_pct: o.verdict_host_cpu_max_pct,
    app_run_wait_max_pct: o.verdict_app_run_wait_max_pct,
    stall_max_ms: o.verdict_stall_max_ms,
  };
}

/** The thresholds at hydra's defaults. */
export const DEFAULT_THRESHOLDS: Readonly<VerdictThresholds> = Object.freeze(verdictThresholds(DEFAULT_OPTIONS));

/**
 * Share of the window the publisher's ready messages must have waited for the broker's answers
 * (every request slot taken) for a shortfall to be Kafka's: most of the time it was waiting, not working.
 */
export const BROKER_WAIT_MIN_SHARE = 0.5;
/** Share of the window a broker's throttle times must cover for a shortfall to be Kafka's quotas at work. */
export const THROTTLE_MIN_SHARE = 0.1;

/**
 * What held a point back when hydra did: its publisher, its sub apps, the host they share, the
 * embedded broker (hydra's own, so its limits are hydra's), or an app that stood still.
 */
export type HarnessLimit = 'publisher' | 'subscribers' | 'host' | 'embedded_broker' | 'stall';

/** What held a point back when Kafka did: the produce path (slow acks, throttling, a stalled broker) or the fetch path. */
export type KafkaLimit = 'produce' | 'fetch';

/** Why a point is harness-limited: who, and the figures that show it. */
export interface LimitReason {
  limit: HarnessLimit;
  /** What was seen, with the figures. */
  detail: string;
}

/** Where Kafka held a point back: still a measurement of Kafka, often the one a study looks for. */
export interface KafkaReason {
  limit: KafkaLimit;
  detail: string;
}

/** One publisher app as the verdict sees it. */
export interface PubView {
  app: string;
  telemetry: AppTelemetry | null;
  /** Measuring window, s. */
  window_s: number;
  /** ms of it that ready messages waited for the broker's answers. */
  broker_wait_ms: number;
  send_rtt: HistogramData;
  produce: BrokerRequestTelemetry | null;
  /** Messages acknowledged and requests sent (for the messages per request). */
  msg_cnt: number;
  requests: number;
}

export interface VerdictInput {
  requestedRate: number;
  achievedRate: number;
  /** Every publisher app. */
  pubs: readonly PubView[];
  /** One per sub app that reported. */
  subs: readonly { app: string; telemetry: AppTelemetry; fetch?: BrokerRequestTelemetry }[];
  /** The broker is hydra's embedded one (or librdkafka's mock at --brokers): what holds a point back there is hydra's. */
  embedded: boolean;
  /**
   * On the embedded broker, messages its bounded in-memory log deleted before a client read them;
   * absent on a real cluster, where that is the topic's retention at work.
   */
  embeddedExpired?: { deliveries: number; clients: number; sent: number };
  /** Messages the subscribers had still not read at collection, after the drain; null when unknown. */
  behind: number | null;
  /** The consumers' fetch long-poll, ms: a fetch answered within it was not slow. */
  fetchWaitMs: number;
  /** Produce requests a publisher keeps in flight, and most messages in one (for the explanation). */
  maxInFlight: number;
  /**
   * How long a send may linger inside the publisher's client before its request goes out, ms
   * (librdkafka's linger.ms; 0 where the pacing loop lingers before sending): the client's own
   * wait, so a send acknowledged within it and stall_max_ms was not slowed by the broker.
   */
  sendLingerMs?: number;
  requestMaxMessages?: number;
  /**
   * How long a planned fault froze hydra's embedded broker, ms (broker=stop): answers held that
   * long were the experiment, not a limit; only a longer one is judged.
   */
  plannedBrokerPauseMs?: number;
}

/** What the verdict found: the harness's limits (not a Kafka result), Kafka's (a Kafka result), and stalls that make the point a harness fault. */
export interface Verdict {
  harness: LimitReason[];
  kafka: KafkaReason[];
  /** Apps that stood still (not scheduled) inside the window: the point is invalid and measured again. */
  faults: string[];
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US').replace(/,/g, ' ');
const pct = (v: number): string => `${v.toFixed(0)} %`;
const secs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/**
 * The app's event loop was busy while it waited for a CPU for much of the window, longer than it
 * ran: its host, not its own work, held it back. (One that ran most of the window and waited some
 * is saturated by its own work first; one whose loop was mostly idle kept up, its wakeups only
 * a little late.)
 */
export function isStarved(t: AppTelemetry, th: VerdictThresholds): boolean {
  if (t.run_wait_pct !== null && t.run_wait_pct !== undefined)
    return t.run_wait_pct >= th.app_run_wait_max_pct && t.run_wait_pct > t.cpu_pct && t.elu >= th.app_elu_max / 2;
  // Without the scheduler's view: a busy loop on a small share of a CPU, on an oversubscribed host.
  return t.elu >= th.app_elu_max && t.cpu_pct < th.app_cpu_max_pct / 2 && (t.host_runqueue ?? 0) > t.host_cpus;
}

/** The app's own work filled its CPU or its event loop (and not because it could not get a CPU). */
export function isSaturated(t: AppTelemetry, th: VerdictThresholds): boolean {
  return t.cpu_pct >= th.app_cpu_max_pct || (t.elu >= th.app_elu_max && !isStarved(t, th));
}

function appLoad(t: AppTelemetry): string {
  const wait = t.run_wait_pct !== null && t.run_wait_pct !== undefined ? `, waited for a CPU ${pct(t.run_wait_pct)} of the window` : '';
  return `${pct(t.cpu_pct)} CPU, event loop ${pct(t.elu * 100)} busy${wait}`;
}

/** The longest stall of each app at or past the threshold. */
function longStalls(apps: readonly { app: string; telemetry: AppTelemetry | null }[], th: VerdictThresholds): { app: string; stall: LoopStall }[] {
  return apps.flatMap(({ app, telemetry }) => {
    const longest = (telemetry?.stalls ?? []).filter((s) => s.ms >= th.stall_max_ms).sort((a, b) => b.ms - a.ms)[0];
    return longest ? [{ app, stall: longest }] : [];
  });
}

function longestStallMs(t: AppTelemetry | null | undefined): number {
  return Math.max(0, ...(t?.stalls ?? []).map((s) => s.ms));
}

/**
 * Who held this point back, from raw telemetry; pure. The harness is judged first, so a point is
 * called Kafka's only when every harness process had headroom:
 *
 * - an app whose event loop stood still past `stall_max_ms` — not scheduled at all: a harness
 *   fault (the point is invalid); waiting for a CPU: the host; running its own work: its role;
 * - the publisher short of the rate: saturated itself → the publisher; starved of CPU → the host;
 *   responsive but waiting on the broker's answers or its throttle → Kafka's produce path; none of
 *   these → the publisher, unexplained;
 * - a sub app saturated → the subscribers; starved → the host; messages still behind after the
 *   drain while every sub app was idle → Kafka's fetch path;
 * - a broker answer that took past `stall_max_ms`, timed by an app with headroom → Kafka;
 * - on the embedded broker (hydra's own), every limit found in the broker is the harness's.
 */
export function judgePoint(input: VerdictInput, th: VerdictThresholds = DEFAULT_THRESHOLDS): Verdict {
  const harness = new Map<HarnessLimit, string[]>();
  const kafka = new Map<KafkaLimit, string[]>();
  const faults: string[] = [];
  const blame = (limit: HarnessLimit, detail: string): void => void (harness.get(limit) ?? harness.set(limit, []).get(limit))?.push(detail);
  // What the broker held back is Kafka's on a real cluster and hydra's on its embedded one.
  const brokerHeld = (limit: KafkaLimit, detail: string): void => {
    if (input.embedded) blame('embedded_broker', detail);
    else void (kafka.get(limit) ?? kafka.set(limit, []).get(limit))?.push(detail);
  };
  const pubApps = input.pubs.map((p) => ({ app: p.app, telemetry: p.telemetry }));
  const allApps = [...pubApps, ...input.subs];

  // Stalls: the loop stood still long enough to bend the point's figures. Grouped by cause, so
  // a starved host with thirty apps reads as one finding.
  const stalls = longStalls(allApps, th);
  for (const { app, stall } of stalls.filter((s) => s.stall.cause === 'frozen')) {
    const text = `${app}'s event loop stood still ${secs(stall.ms)} inside the window, neither running nor waiting for a CPU (stopped, or its machine paused)`;
    faults.push(text);
    blame('stall', text);
  }
  const starvedStalls = stalls.filter((s) => s.stall.cause === 'starved');
  if (starvedStalls.length > 0) blame('host', stallSentence(starvedStalls, 'stood still', 'waiting for a CPU'));
  for (const role of ['publisher', 'subscribers'] as const) {
    const busy = stalls.filter((s) => s.stall.cause === 'busy' && pubApps.some((p) => p.app === s.app) === (role === 'publisher'));
    if (busy.length > 0)
      blame(role, stallSentence(busy, busy.length === 1 ? 'was blocked' : 'were blocked', busy.length === 1 ? 'by its own work' : 'by their own work'));
  }

  // The publisher short of its rate: who held it back?
  const ratio = input.requestedRate > 0 ? input.achievedRate / input.requestedRate : 0;
  const stalledPubs = new Set(longStalls(pubApps, th).map((s) => s.app));
  // Set once the produce path has been judged as what held the publisher back.
  let producePathHeld = false;
  if (ratio < th.pub_achieved_min && stalledPubs.size === 0) {
    const reached = `reached ${int(input.achievedRate)} of ${int(input.requestedRate)} msg/s (${(ratio * 100).toFixed(1)} %)`;
    const withTelemetry = input.pubs.filter((p): p is PubView & { telemetry: AppTelemetry } => p.telemetry !== null);
    const saturated = withTelemetry.filter((p) => isSaturated(p.telemetry, th));
    const starved = withTelemetry.filter((p) => isStarved(p.telemetry, th));
    const hostBusy = withTelemetry.some((p) => (p.telemetry.host_cpu_busy_pct ?? 0) >= th.host_cpu_max_pct);
    const windowMs = Math.max(...input.pubs.map((p) => p.window_s * 1000), 1);
    const waitShare = Math.max(...input.pubs.map((p) => p.broker_wait_ms / Math.max(p.window_s * 1000, 1)), 0);
    const throttleMs = Math.max(...input.pubs.map((p) => p.produce?.throttle_ms ?? 0), 0);
    if (saturated.length > 0) {
      const p = saturated[0] as (typeof saturated)[number];
      blame('publisher', `${input.pubs.length > 1 ? `${p.app} ` : ''}${reached} at ${appLoad(p.telemetry)}`);
    } else if (starved.length > 0) {
      const p = starved[0] as (typeof starved)[number];
      blame('host', `the publisher ${reached} while starved of CPU (${appLoad(p.telemetry)}; ${runnable(p.telemetry)})`);
    } else if (waitShare >= BROKER_WAIT_MIN_SHARE || throttleMs >= THROTTLE_MIN_SHARE * windowMs) {
      // Waiting on the broker's answers, and not starved itself (it got a CPU when it asked): on a
      // busy host too the produce path held it back (the host's business is named on its own).
      producePathHeld = true;
      brokerHeld(
        'produce',
        `it accepted ${int(input.achievedRate)} of ${int(input.requestedRate)} msg/s (${(ratio * 100).toFixed(1)} %): ${produceWait(input, waitShare)}`,
      );
    } else if (hostBusy) {
      const p = withTelemetry[0] as (typeof withTelemetry)[number];
      blame('host', `the publisher ${reached} while starved of CPU (${appLoad(p.telemetry)}; ${runnable(p.telemetry)})`);
    } else {
      const p = withTelemetry[0];
      blame(
        'publisher',
        `the publisher ${reached} though neither busy${p ? ` (${appLoad(p.telemetry)})` : ''} nor waiting on the broker (${pct(waitShare * 100)} of the window)`,
      );
    }
  }

  // A broker answer long enough to bend the figures (a stalled or slow broker), timed by an app
  // with headroom: a stalled, saturated or starved app reads its answers late itself.
  const hasHeadroom = (t: AppTelemetry | null | undefined): boolean =>
    !!t && longestStallMs(t) < th.stall_max_ms / 2 && !isSaturated(t, th) && !isStarved(t, th) && (t.host_cpu_busy_pct ?? 0) < th.host_cpu_max_pct;
  if (!producePathHeld) {
    const slow = input.pubs
      .filter((p) => hasHeadroom(p.telemetry))
      .map((p) => ({ app: p.app, max: roundTripMs(p.send_rtt).max ?? 0 }))
      .filter((p) => p.max >= th.stall_max_ms + (input.sendLingerMs ?? 0) + (input.plannedBrokerPauseMs ?? 0));
    const worst = slow.sort((a, b) => b.max - a.max)[0];
    if (worst) brokerHeld('produce', `it took ${secs(worst.max)} to acknowledge a produce request of ${worst.app}`);
  }
  const fetchSlow = input.subs
    .filter((s) => s.fetch && hasHeadroom(s.telemetry))
    .map((s) => ({ app: s.app, max: roundTripMs((s.fetch as BrokerRequestTelemetry).rtt).max ?? 0 }))
    .filter((s) => s.max >= input.fetchWaitMs + th.stall_max_ms + (input.plannedBrokerPauseMs ?? 0))
    .sort((a, b) => b.max - a.max)[0];
  if (fetchSlow) brokerHeld('fetch', `it took ${secs(fetchSlow.max)} to answer a fetch of ${fetchSlow.app} (its long-poll is ${input.fetchWaitMs} ms)`);

  // Sub apps: saturated by their own work, or starved by the host.
  const saturatedSubs = input.subs.filter((s) => isSaturated(s.telemetry, th));
  if (saturatedSubs.length > 0) {
    const worst = saturatedSubs.reduce((a, b) => (b.telemetry.cpu_pct > a.telemetry.cpu_pct ? b : a));
    blame('subscribers', `${saturatedSubs.length} of ${input.subs.length} sub apps saturated (${worst.app}: ${appLoad(worst.telemetry)})`);
  }
  const starvedSubs = input.subs.filter((s) => isStarved(s.telemetry, th));
  if (starvedSubs.length > 0) {
    const worst = starvedSubs.reduce((a, b) => ((b.telemetry.run_wait_pct ?? 0) > (a.telemetry.run_wait_pct ?? 0) ? b : a));
    blame(
      'host',
      `${starvedSubs.length} of ${input.subs.length} sub apps starved of CPU (${worst.app}: ${appLoad(worst.telemetry)}; ${runnable(worst.telemetry)})`,
    );
  }
  // Behind after the drain while every sub app had headroom: the fetch path did not deliver.
  if ((input.behind ?? 0) > 0 && saturatedSubs.length === 0 && starvedSubs.length === 0 && input.subs.length > 0) {
    const fetch = input.subs.map((s) => s.fetch);
    const rtt = roundTripMs(mergedRtt(fetch));
    const throttle = fetch.reduce((n, f) => n + (f?.throttle_ms ?? 0), 0);
    brokerHeld(
      'fetch',
      `the subscribers were still ${int(input.behind ?? 0)} messages behind after the drain while their apps were idle (fetch round trip p99 ${secs(rtt.p99 ?? 0)}${throttle > 0 ? `, throttled ${secs(throttle)}` : ''})`,
    );
  }

  // Hosts: busy CPU (every app on it competes with the others, and on one machine with the embedded broker).
  const hosts = new Map<string, AppTelemetry>();
  for (const { telemetry: t } of allApps) {
    if (!t || t.host_cpu_busy_pct === null || t.host_cpu_busy_pct === undefined) continue;
    const seen = hosts.get(t.host);
    if (!seen || (t.host_cpu_busy_pct ?? 0) > (seen.host_cpu_busy_pct ?? 0)) hosts.set(t.host, t);
  }
  const busy = [...hosts.values()].filter((t) => (t.host_cpu_busy_pct ?? 0) >= th.host_cpu_max_pct);
  if (busy.length > 0)
    blame(
      'host',
      `host CPU ${busy
        .map(
          (t) =>
            `${t.host} ${pct(t.host_cpu_busy_pct ?? 0)} busy (${runnable(t)}${(t.host_steal_pct ?? 0) >= 5 ? `; ${pct(t.host_steal_pct ?? 0)} stolen by the hypervisor` : ''})`,
        )
        .join(', ')}`,
    );

  const expired = input.embeddedExpired;
  if (expired && expired.deliveries > 0)
    blame(
      'embedded_broker',
      // A sum over clients, said as one: each client that missed a message counts it once.
      `its in-memory log dropped messages before clients read them: ${int(expired.deliveries)} deliveries missed, summed over the ${int(expired.clients)} client${expired.clients === 1 ? '' : 's'} that missed some (${int(expired.sent)} messages were sent; librdkafka's mock cluster keeps only a few MB per partition)`,
    );

  return {
    harness: [...harness.entries()].map(([limit, details]) => ({ limit, detail: details.join('; ') })),
    kafka: [...kafka.entries()].map(([limit, details]) => ({ limit, detail: details.join('; ') })),
    faults,
  };
}

/** "sub-3's event loop stood still 1.2 s waiting for a CPU", "31 apps' event loops stood still up to 1.2 s waiting for a CPU (longest: sub-2)" */
function stallSentence(stalls: readonly { app: string; stall: LoopStall }[], verb: string, why: string): string {
  const longest = stalls.reduce((a, b) => (b.stall.ms > a.stall.ms ? b : a));
  return stalls.length === 1
    ? `${longest.app}'s event loop ${verb} ${secs(longest.stall.ms)} ${why}`
    : `${stalls.length} apps' event loops ${verb} up to ${secs(longest.stall.ms)} ${why} (longest: ${longest.app})`;
}

function runnable(t: AppTelemetry): string {
  return t.host_runqueue === null || t.host_runqueue === undefined
    ? `${t.host_cpus} cores`
    : `${t.host_runqueue.toFixed(t.host_runqueue < 10 ? 1 : 0)} runnable on ${t.host_cpus} cores`;
}

function mergedRtt(parts: readonly (BrokerRequestTelemetry | undefined)[]): HistogramData {
  return mergeHistograms(parts.flatMap((p) => (p ? [p.rtt] : [])));
}

/** "the publisher waited on its answers 97 % of the window (produce round trip p99 412 ms, max 980 ms; throttled 2.1 s; 1 request in flight of up to 1 000 messages)" */
function produceWait(input: VerdictInput, waitShare: number): string {
  const worst = input.pubs.reduce((a, b) => (b.broker_wait_ms / Math.max(b.window_s, 1e-9) > a.broker_wait_ms / Math.max(a.window_s, 1e-9) ? b : a));
  const rtt = roundTripMs(worst.send_rtt);
  const throttle = worst.produce?.throttle_ms ?? 0;
  const perRequest = worst.requests > 0 ? worst.msg_cnt / worst.requests : 0;
  const parts = [`produce round trip p99 ${secs(rtt.p99 ?? 0)}, max ${secs(rtt.max ?? 0)}`];
  if (throttle > 0) parts.push(`throttled ${secs(throttle)} by its quota`);
  parts.push(
    `${input.maxInFlight} request${input.maxInFlight === 1 ? '' : 's'} in flight, ${int(perRequest)} messages per request on average${input.requestMaxMessages ? `, at most ${int(input.requestMaxMessages)}` : ''}`,
  );
  return `the publisher waited on its answers ${pct(waitShare * 100)} of the window (${parts.join('; ')})`;
}

const WHO: Record<HarnessLimit, string> = {
  publisher: 'the publisher',
  subscribers: 'the subscribers',
  host: 'the host',
  embedded_broker: "hydra's embedded broker",
  stall: 'a stalled harness app',
};

/** "the subscribers, not Kafka, were the limit: 2 of 3 sub apps saturated (...)" — who and the figures, once per point. */
export function formatLimit(r: LimitReason): string {
  return `${WHO[r.limit]}, not Kafka, ${r.limit === 'subscribers' ? 'were' : 'was'} the limit: ${r.detail}`;
}

const KAFKA_WHO: Record<KafkaLimit, string> = {
  produce: 'Kafka held the publisher back',
  fetch: "Kafka's fetch path held the subscribers back",
};

/** "Kafka held the publisher back: Kafka accepted 643 of 2 000 msg/s ..." — a Kafka result, said as one. */
export function formatKafkaLimit(r: KafkaReason): string {
  return `${KAFKA_WHO[r.limit]}: ${r.detail}`;
}

/**
 * What to change when hydra was the limit, per limit: printed once per study or point, not on
 * every line. The wording fits the broker: only on the embedded one does it share the machine.
 */
export function remedyFor(limit: HarnessLimit, embedded: boolean): string {
  switch (limit) {
    case 'publisher':
      return 'use a lower rate, a larger msg_batch or linger_ms, more publisher apps (--total_pub_apps) on cores of their own, or a faster publisher machine';
    case 'subscribers':
      return 'use fewer clients per sub app or per machine (more clients per sub app cost less CPU per delivery than more sub apps), or add machines';
    case 'host':
      return embedded
        ? 'run fewer processes on this machine (the embedded broker shares it too; more clients per sub app cost less CPU than more sub apps), or spread apps over more machines ([launcher] kind = command or kubernetes)'
        : 'run fewer apps per machine (more clients per sub app cost less CPU than more sub apps), or spread them over more machines ([launcher] kind = command or kubernetes)';
    case 'embedded_broker':
      return "lower msg_rate × msg_size or the client count, or measure a real cluster ([broker] brokers): the embedded broker is for rehearsals, its limits are not Kafka's";
    case 'stall':
      return 'find what stopped the app (a debugger, SIGSTOP, swapping, a paused VM); hydra measures such a point again with fresh apps';
  }
}
