/**
 * The publisher's schedule, HYDRA style (send `msg_batch`, then sleep) but with every batch's due
 * time computed from the start time, so sleep overshoot does not accumulate into a lower rate.
 */

/** Messages a point should publish: rate × duration, rounded. */
export function messagesForWindow(msgRate: number, durationS: number): number {
  return Math.round(msgRate * durationS);
}

/** Number of batches needed for `total` messages. */
export function batchCount(total: number, msgBatch: number): number {
  return Math.ceil(total / msgBatch);
}

/** Size of batch `k`; the last one may be partial. */
export function batchSizeAt(k: number, total: number, msgBatch: number): number {
  return Math.max(0, Math.min(msgBatch, total - k * msgBatch));
}

/** When batch `k` is due, ms since the schedule started. */
export function batchDueMs(k: number, msgBatch: number, msgRate: number): number {
  return (k * msgBatch * 1000) / msgRate;
}

/** Produce requests allowed in flight before the publisher waits: enough to hide the round trip. */
export const MAX_IN_FLIGHT = 16;

/** The schedule's settings (a subset of the publisher's config). */
export interface ScheduleConfig {
  /** msg/s */
  msg_rate: number;
  /** messages per batch */
  msg_batch: number;
  /** s */
  test_duration: number;
  /** ms */
  linger_ms: number;
}

/** What the schedule drives: a clock, a sleep, and one produce request per flush. */
export interface ScheduleIO<T> {
  /** Wall clock, ms. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Builds message `seq`, stamped with its send time. */
  message(seq: number, sentMs: number): T;
  /** Sends one produce request; settles when the broker answered. Must not reject. */
  send(messages: T[]): Promise<void>;
  /** True once teststop (or shutdown) asked the publisher to stop. */
  stopRequested(): boolean;
  /** Most requests in flight (default MAX_IN_FLIGHT). */
  maxInFlight?: number;
}

/** When publishing started and ended (ms), and how many messages were handed to send(). */
export interface ScheduleOutcome {
  startMs: number;
  endMs: number;
  generated: number;
}

/**
 * The publisher's loop: batch k is generated when due, batches generated within `linger_ms` of
 * the first pending one go out as one request (without linger each batch is its own request),
 * at most `maxInFlight` requests are in flight, and a publisher that fell behind stops at the end
 * of its window instead of running long. Resolves when every request has settled.
 */
export async function runSchedule<T>(cfg: ScheduleConfig, io: ScheduleIO<T>): Promise<ScheduleOutcome> {
  const maxInFlight = io.maxInFlight ?? MAX_IN_FLIGHT;
  const total = messagesForWindow(cfg.msg_rate, cfg.test_duration);
  const batches = batchCount(total, cfg.msg_batch);
  const start = io.now();
  const deadline = start + cfg.test_duration * 1000;
  const inFlight = new Set<Promise<void>>();
  let pending: T[] = [];
  let pendingSince = 0;
  let seq = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const messages = pending;
    pending = [];
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const request: Promise<void> = io.send(messages).finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  for (let k = 0; k < batches && !io.stopRequested();) {
    const due = start + batchDueMs(k, cfg.msg_batch, cfg.msg_rate);
    const flushAt = pending.length > 0 ? pendingSince + cfg.linger_ms : Infinity;
    const wakeAt = Math.min(due, flushAt);
    const now = io.now();
    if (now < wakeAt) {
      await io.sleep(wakeAt - now);
      continue;
    }
    // A publisher that fell behind stops at the end of its window instead of running long.
    if (now >= deadline && k > 0) break;
    if (now >= flushAt) {
      await flush();
      continue;
    }
    const size = batchSizeAt(k, total, cfg.msg_batch);
    const sentMs = io.now();
    if (pending.length === 0) pendingSince = sentMs;
    for (let i = 0; i < size; i++) pending.push(io.message(seq++, sentMs));
    k++;
    if (cfg.linger_ms <= 0) await flush();
  }
  await flush();
  await Promise.all(inFlight);
  return { startMs: start, endMs: io.now(), generated: seq };
}

/**
 * The publishing window, s. N batches on schedule span only N-1 intervals; measuring over at
 * least the window those messages were scheduled to fill keeps an on-time publisher at 100 %
 * instead of 101 %.
 */
export function publishWindowS(startMs: number, endMs: number, acknowledged: number, msgRate: number): number {
  return Math.max((endMs - startMs) / 1000, acknowledged / msgRate, 1e-9);
}
