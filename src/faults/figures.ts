import type { ClientStats, ClientTimeline, HistogramData, PubStats } from '../control/wire';
import { histogramQuantile, mergeHistograms } from '../stats/histogram';
import { groupReceipts } from '../stats/sequence';

/** A planned fault as it ran: when it began and ended (epoch ms, runner's clock) and what went wrong running it. */
export interface FiredFault {
  fault: string;
  started_ms: number;
  /** When it was undone (a kill: when it was done); null when it never ended (the point failed first). */
  ended_ms: number | null;
  /** Why it could not be done as planned (a command that failed, an app already gone); null when it was. */
  error: string | null;
}

/** Latency of the messages sent in one part of a faulted point (before, during or after its faults). */
export interface PhaseLatency {
  messages: number;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/** One client through the fault. */
export interface ClientThroughFault {
  client_id: string;
  /** Longest time between two messages it received, ms, and when that began (s from the window's start). */
  longest_gap_ms: number;
  gap_from_s: number | null;
  /**
   * From the fault's end until the client was back at the rate — receiving messages as fresh as
   * before the fault, and staying so — ms (recoveryMs); null when it was not by the end of the point.
   */
  recovery_ms: number | null;
  /** Its app was killed by the fault: it has no recovery of its own. */
  killed?: true;
  /** It received nothing in the whole point (a shared group's member whose partitions carried no messages): no recovery to measure. */
  idle?: true;
}

/** A client's receive rate over the point, for the delivery figure. */
export interface DeliverySeries {
  client_id: string;
  /** msg/s per step. */
  rates: number[];
}

/**
 * What a point with planned faults measured through them (stored with the point as `fault`). Times
 * are seconds from the start of the measuring window.
 */
export interface FaultRecord {
  /** The schedule as written. */
  schedule: string[];
  /** When the measuring window began (ISO time, the runner's clock): what `at=` counts from, to line up with a cluster's own logs. */
  window_start: string;
  /** Each fault as it ran. */
  events: { fault: string; from_s: number; to_s: number | null; error: string | null }[];
  /** The first fault's start and the last one's end. */
  span_s: [number, number];
  clients: ClientThroughFault[];
  /** Longest gap of any client (killed ones left out), ms. */
  longest_gap_ms: number;
  /** Slowest recovery, ms; null when a client had not recovered by the end of the point. */
  recovery_ms: number | null;
  /** Clients not back at the rate by the end of the point. */
  not_recovered: number;
  /** Latency of the messages sent before, during and after the fault's span. */
  latency: { before: PhaseLatency; during: PhaseLatency; after: PhaseLatency };
  /** A shared group: the same message received by two members (at-least-once delivery after a rebalance: counted, not an error). */
  duplicated_across_members: number | null;
  /** Rebalances (overlapping ones of several clients as one) and the longest, ms. */
  rebalances: number;
  rebalance_max_ms: number | null;
  /** A shared group: the surviving members hold every partition at the end (a dead member's were taken over); null otherwise. */
  partitions_taken_over: boolean | null;
  /** The publishers' send errors and timed-out produce requests in the point (the client retries a timed-out request). */
  send_errors: number;
  produce_timeouts: number;
  /** Per-client delivery over time: one step is `step_ms`, the first at `start_s`; at most DELIVERY_CLIENTS clients. */
  delivery: { step_ms: number; start_s: number; clients: DeliverySeries[] };
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}

/** Clients whose delivery over time is kept for the figure (the rest are in `clients`). */
export const DELIVERY_CLIENTS = 16;
/** Most steps of a delivery series: longer timelines are summed into wider steps. */
const DELIVERY_STEPS = 600;
/** The narrowest step of a delivery series, ms: narrower ones show the publisher's batches, not the fault. */
const DELIVERY_MIN_STEP_MS = 250;

/** A client's report with where its app was: its clock offset from the runner's (ms) and whether the fault killed it. */
export interface ClientInput {
  stats: ClientStats;
  clockOffsetMs: number;
  killed: boolean;
}

export interface FaultFiguresInput {
  schedule: string[];
  fired: readonly FiredFault[];
  /** Epoch ms (runner's clock) the measuring window began. */
  windowStartMs: number;
  clients: readonly ClientInput[];
  pubStats: readonly PubStats[];
  /** A shared group's partition count; null for a client per group. */
  sharedPartitions: number | null;
}

function phase(h: HistogramData): PhaseLatency {
  const ms = (q: number): number | null => {
    const us = histogramQuantile(h, q);
    return us === null ? null : Math.round(us / 100) / 10;
  };
  return { messages: h.count, p50_ms: ms(0.5), p99_ms: ms(0.99), max_ms: h.max_us === null ? null : Math.round(h.max_us / 100) / 10 };
}

/**
 * The latency above which a client is still catching up: twice what its freshest steady state
 * reached before the fault (the 90th percentile of the highest latency of each step received
 * before it began), and at least 50 ms above that (a quiet client's latency is a few ms, and one
 * slow fetch is not a backlog). Without steps before the fault: the same over the whole point.
 */
export function freshLatencyBoundMs(t: ClientTimeline): number {
  const beforeSteps = Math.max(0, Math.floor((t.from_ms - t.start_ms) / t.bucket_ms));
  const maxima = (steps: readonly (number | null)[]): number[] => steps.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const before = maxima(t.max_latency_ms.slice(0, beforeSteps));
  const pool = before.length >= 5 ? before : maxima(t.max_latency_ms);
  const steady = pool[Math.min(pool.length - 1, Math.floor(pool.length * 0.9))] ?? 0;
  return Math.max(2 * steady, steady + 50);
}

/** A silence at least this long that ends after the fault's end is the fault's too (a shared group waiting out a dead member's session). */
const FAULT_SILENCE_MS = 1000;
/** Fresh this long without a stale step, a client has recovered: a stale step after that is a later hiccup, not this fault's backlog. */
const SETTLED_MS = 2000;

/**
 * When the fault stopped holding the client back (app clock): its end or, when the client then
 * went silent for a second or more, the end of that silence — a shared group's members get nothing
 * until a dead member's session times out and the group rebalances, seconds after a kill.
 */
function disturbanceEndMs(t: ClientTimeline, endMs: number): number {
  if (t.gap_from_ms === null || t.longest_gap_ms < FAULT_SILENCE_MS) return endMs;
  const silenceEnd = t.gap_from_ms + t.longest_gap_ms;
  return silenceEnd > t.from_ms ? Math.max(endMs, silenceEnd) : endMs;
}

/**
 * ms from `endMs` (app clock) until the client was back at the rate: the end of the last step that
 * still brought a stale message (latency above the bound) before it had been fresh for SETTLED_MS
 * after the fault's disturbance; without a stale step, when its first message after the disturbance
 * arrived. The steady state after a fault may differ from before it (survivors of a shared group
 * carry more partitions), so one slow step long after the backlog is gone does not count. null
 * when the client never settled and its last step is still stale, or it received nothing after `endMs`.
 */
export function recoveryMs(t: ClientTimeline, endMs: number): number | null {
  const bound = freshLatencyBoundMs(t);
  const calmFromMs = disturbanceEndMs(t, endMs);
  const stepEnd = (b: number): number => t.start_ms + (b + 1) * t.bucket_ms;
  const first = Math.max(0, Math.floor((endMs - t.start_ms) / t.bucket_ms));
  let lastStale = -1;
  let lastReceived = -1;
  let settled = false;
  for (let b = first; b < t.counts.length && !settled; b++) {
    if ((t.counts[b] ?? 0) === 0) continue;
    lastReceived = b;
    if ((t.max_latency_ms[b] ?? 0) > bound) lastStale = b;
    else settled = stepEnd(b) - Math.max(calmFromMs, lastStale < 0 ? endMs : stepEnd(lastStale)) >= SETTLED_MS;
  }
  if (lastReceived < 0 || (!settled && lastStale === lastReceived)) return null;
  if (lastStale >= 0) return Math.max(0, stepEnd(lastStale) - endMs);
  // Fresh from its first message after the disturbance: recovered when that arrived.
  let b = Math.max(first, Math.floor((calmFromMs - t.start_ms) / t.bucket_ms));
  while (b < t.counts.length && (t.counts[b] ?? 0) === 0) b++;
  return b < t.counts.length ? Math.max(0, t.start_ms + b * t.bucket_ms - endMs) : null;
}

/** Intervals that overlap, merged: how many and the longest (ms). */
function mergeIntervals(intervals: readonly [number, number][]): { count: number; longest: number | null } {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return { count: merged.length, longest: merged.length ? Math.max(...merged.map(([a, b]) => b - a)) : null };
}

/** A client's timeline as rates per step of the figure, from `startMs` (runner's clock). */
function deliveryOf(t: ClientTimeline, offsetMs: number, startMs: number, stepMs: number, steps: number): number[] {
  const rates = new Array<number>(steps).fill(0);
  t.counts.forEach((n, b) => {
    const at = t.start_ms - offsetMs + b * t.bucket_ms;
    const step = Math.floor((at - startMs) / stepMs);
    if (step >= 0 && step < steps) rates[step] = (rates[step] as number) + n;
  });
  return rates.map((n) => Math.round((n * 1000) / stepMs));
}

/** What a point measured through its planned faults, from its clients' timelines; pure. */
export function faultFigures(input: FaultFiguresInput): FaultRecord {
  const rel = (ms: number): number => Math.round(ms - input.windowStartMs) / 1000;
  const starts = input.fired.map((f) => f.started_ms);
  const ends = input.fired.map((f) => f.ended_ms ?? f.started_ms);
  const spanFrom = starts.length ? Math.min(...starts) : input.windowStartMs;
  const spanTo = ends.length ? Math.max(...ends) : spanFrom;
  const withTimeline = input.clients.filter((c) => c.stats.timeline !== undefined);
  const clients: ClientThroughFault[] = withTimeline.map(({ stats, clockOffsetMs, killed }) => {
    const t = stats.timeline as ClientTimeline;
    const idle = stats.msg_cnt === 0;
    return {
      client_id: stats.client_id,
      longest_gap_ms: Math.round(t.longest_gap_ms),
      gap_from_s: t.gap_from_ms === null ? null : rel(t.gap_from_ms - clockOffsetMs),
      recovery_ms: killed || idle ? null : roundOrNull(recoveryMs(t, spanTo + clockOffsetMs)),
      ...(killed ? { killed: true as const } : {}),
      ...(idle && !killed ? { idle: true as const } : {}),
    };
  });
  // The clients with a recovery to measure: alive at the end, and receiving at all.
  const living = clients.filter((c) => !c.killed && !c.idle);
  const notRecovered = living.filter((c) => c.recovery_ms === null).length;
  const timelines = withTimeline.map((c) => c.stats.timeline as ClientTimeline);
  const shared = input.sharedPartitions !== null;
  const rebalances = mergeIntervals(
    withTimeline.flatMap(({ stats, clockOffsetMs }) =>
      (stats.timeline as ClientTimeline).rebalances.map(([a, b]): [number, number] => [a - clockOffsetMs, (b ?? a) - clockOffsetMs]),
    ),
  );
  const survivors = withTimeline.filter((c) => !c.killed).map((c) => c.stats.timeline as ClientTimeline);
  const held = new Set(survivors.flatMap((t) => t.assigned ?? []));
  // The delivery figure: the first clients (and any the fault killed), in steps of at least the timeline's bucket.
  const bucketMs = timelines[0]?.bucket_ms ?? 100;
  const lastMs = Math.max(
    input.windowStartMs,
    ...withTimeline.map(
      ({ stats, clockOffsetMs }) => (stats.timeline as ClientTimeline).start_ms - clockOffsetMs + (stats.timeline as ClientTimeline).counts.length * bucketMs,
    ),
  );
  const firstMs = Math.min(input.windowStartMs, ...withTimeline.map(({ stats, clockOffsetMs }) => (stats.timeline as ClientTimeline).start_ms - clockOffsetMs));
  const stepMs = bucketMs * Math.max(Math.ceil(DELIVERY_MIN_STEP_MS / bucketMs), Math.ceil((lastMs - firstMs) / bucketMs / DELIVERY_STEPS));
  const steps = Math.max(1, Math.ceil((lastMs - firstMs) / stepMs));
  const shown = [...withTimeline.filter((c) => c.killed), ...withTimeline.filter((c) => !c.killed)].slice(0, DELIVERY_CLIENTS);
  return {
    schedule: input.schedule,
    window_start: new Date(input.windowStartMs).toISOString(),
    events: input.fired.map((f) => ({ fault: f.fault, from_s: rel(f.started_ms), to_s: f.ended_ms === null ? null : rel(f.ended_ms), error: f.error })),
    span_s: [rel(spanFrom), rel(spanTo)],
    clients,
    longest_gap_ms: Math.max(0, ...living.map((c) => c.longest_gap_ms)),
    recovery_ms: notRecovered > 0 || living.length === 0 ? null : Math.max(0, ...living.map((c) => c.recovery_ms as number)),
    not_recovered: notRecovered,
    latency: {
      before: phase(mergeHistograms(timelines.map((t) => t.latency_before))),
      during: phase(mergeHistograms(timelines.map((t) => t.latency_during))),
      after: phase(mergeHistograms(timelines.map((t) => t.latency_after))),
    },
    duplicated_across_members: shared ? groupReceipts(timelines).across : null,
    rebalances: rebalances.count,
    rebalance_max_ms: rebalances.longest === null ? null : Math.round(rebalances.longest),
    partitions_taken_over: shared ? Array.from({ length: input.sharedPartitions ?? 0 }, (_, p) => p).every((p) => held.has(p)) : null,
    send_errors: input.pubStats.reduce((n, p) => n + p.send_errors, 0),
    produce_timeouts: input.pubStats.reduce((n, p) => n + (p.produce?.timeouts ?? 0), 0),
    delivery: {
      step_ms: stepMs,
      start_s: rel(firstMs),
      clients: shown.map(({ stats, clockOffsetMs }) => ({
        client_id: stats.client_id,
        rates: deliveryOf(stats.timeline as ClientTimeline, clockOffsetMs, firstMs, stepMs, steps),
      })),
    },
  };
}
