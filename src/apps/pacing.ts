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

/**
 * Most messages in one produce request. A request for one partition is one record batch, which the
 * broker refuses above its message.max.bytes (1 MB by default); and kafkajs's encoding costs more
 * than linearly with the batch: on the embedded broker 1 000 gave the highest publisher ceiling of
 * 300, 600, 1 000, 3 000 and 10 000 (single runs, 59-92 k msg/s).
 */
export const MAX_REQUEST_MESSAGES = 1000;
/** Most messages generated ahead of the broker: beyond this the publisher is behind and waits (back-pressure). */
export const MAX_PENDING_MESSAGES = 2 * MAX_REQUEST_MESSAGES;

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
  /** Produce requests kept in flight (default 1). */
  max_in_flight?: number;
  /** Most messages in one request (default MAX_REQUEST_MESSAGES): the batch_bytes cap in messages. */
  request_max_messages?: number;
}

/** Messages per request under a byte cap: at least one, at most MAX_REQUEST_MESSAGES. */
export function requestMaxMessages(batchBytes: number, msgSize: number): number {
  return Math.max(1, Math.min(MAX_REQUEST_MESSAGES, Math.floor(batchBytes / msgSize)));
}

/** What the schedule drives: a clock, a sleep, and one produce request per flush. */
export interface ScheduleIO<T> {
  /** Wall clock, ms. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Builds message `seq`, due at `dueMs` (its intended send time, `sinceStartMs` after the schedule began), stamped with its actual send time `sentMs`. */
  message(seq: number, dueMs: number, sentMs: number, sinceStartMs: number): T;
  /** Sends one produce request; settles when the broker answered. Must not reject. */
  send(messages: T[]): Promise<void>;
  /** True once teststop (or shutdown) asked the publisher to stop. */
  stopRequested(): boolean;
  /**
   * Told of each stretch [fromMs, toMs) in which messages were ready but every request slot was
   * taken by a request the broker had not answered: the publisher waiting on the broker.
   */
  brokerWait?(fromMs: number, toMs: number): void;
}

/** When publishing started and ended (ms), and how many messages were handed to send(). */
export interface ScheduleOutcome {
  startMs: number;
  endMs: number;
  generated: number;
  /** Produce requests sent. */
  requests: number;
  /** Most messages generated and not yet handed to send() at once. */
  pendingMax: number;
}

/**
 * The publisher's loop. Batch k is generated when due. By default one produce request is in flight
 * at a time: batches generated while it is out go together in the next one. Concurrent requests to
 * one partition can reach the log out of order (a retried request lands after a later one); one
 * request in flight keeps the log in send order, and coalescing keeps the throughput (a request
 * grows to absorb the round trip). `max_in_flight` above 1 allows more, as a producer's
 * max.in.flight.requests does, and then reordering on retries is the client's and Kafka's
 * behaviour being measured (the idempotent producer is what prevents it). Batches generated within
 * `linger_ms` of the first pending one also go out together. A publisher that fell behind stops
 * generating at the end of its window instead of running long. Resolves when every request has
 * settled.
 */
export async function runSchedule<T>(cfg: ScheduleConfig, io: ScheduleIO<T>): Promise<ScheduleOutcome> {
  const total = messagesForWindow(cfg.msg_rate, cfg.test_duration);
  const batches = batchCount(total, cfg.msg_batch);
  const start = io.now();
  const deadline = start + cfg.test_duration * 1000;
  // Requests in flight; removed by their own send callbacks.
  const flights = new Set<Promise<void>>();
  const maxInFlight = cfg.max_in_flight ?? 1;
  const maxMessages = cfg.request_max_messages ?? MAX_REQUEST_MESSAGES;
  const pendingCap = Math.max(MAX_PENDING_MESSAGES, 2 * maxMessages * maxInFlight);
  let pending: T[] = [];
  let pendingSince = 0;
  let seq = 0;
  let requests = 0;
  let k = 0;
  let generating = true;
  let pendingMax = 0;
  // Since when messages have been waiting for a request slot (null: they are not).
  let waitingSince: number | null = null;

  const flush = (): void => {
    const messages = pending.length > maxMessages ? pending.splice(0, maxMessages) : pending;
    if (messages === pending) pending = [];
    requests++;
    const request: Promise<void> = io.send(messages).finally(() => flights.delete(request));
    flights.add(request);
  };

  for (;;) {
    const now = io.now();
    // Generate every batch that is due (a burst when the loop was held up).
    while (generating && k < batches && pending.length < pendingCap && !io.stopRequested()) {
      const dueMs = start + batchDueMs(k, cfg.msg_batch, cfg.msg_rate);
      if (now < dueMs) break;
      if (now >= deadline && k > 0) {
        generating = false;
        break;
      }
      if (pending.length === 0) pendingSince = now;
      const size = batchSizeAt(k, total, cfg.msg_batch);
      for (let i = 0; i < size; i++) pending.push(io.message(seq++, dueMs, now, dueMs - start));
      k++;
    }
    if (k >= batches || io.stopRequested()) generating = false;
    if (pending.length > pendingMax) pendingMax = pending.length;
    while (flights.size < maxInFlight && pending.length > 0 && (now >= pendingSince + cfg.linger_ms || !generating || pending.length >= maxMessages)) {
      flush();
    }
    const waiting = pending.length > 0 && flights.size >= maxInFlight;
    if (waiting && waitingSince === null) waitingSince = now;
    else if (!waiting && waitingSince !== null) {
      io.brokerWait?.(waitingSince, now);
      waitingSince = null;
    }
    if (!generating && pending.length === 0) break;
    // Wake for the next due batch, the linger deadline, or the in-flight request's answer. A full
    // buffer waits for the answer only: the publisher is behind, and its messages' intended send
    // times will show it.
    const nextDue = generating && pending.length < pendingCap ? start + batchDueMs(k, cfg.msg_batch, cfg.msg_rate) : Infinity;
    const lingerEnd = pending.length > 0 && flights.size < maxInFlight ? pendingSince + cfg.linger_ms : Infinity;
    const wakeAt = Math.min(nextDue, lingerEnd);
    const waits: Promise<unknown>[] = [...flights];
    if (wakeAt !== Infinity) waits.push(io.sleep(Math.max(0, wakeAt - now)));
    if (waits.length === 0) continue;
    await Promise.race(waits);
  }
  await Promise.all(flights);
  return { startMs: start, endMs: io.now(), generated: seq, requests, pendingMax };
}

/**
 * The publishing window, s. N batches on schedule span only N-1 intervals; measuring over at
 * least the window those messages were scheduled to fill keeps an on-time publisher at 100 %
 * instead of 101 %.
 */
export function publishWindowS(startMs: number, endMs: number, acknowledged: number, msgRate: number): number {
  return Math.max((endMs - startMs) / 1000, acknowledged / msgRate, 1e-9);
}
