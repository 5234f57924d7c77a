import type { BrokerRequestTelemetry } from '../control/wire';
import { LatencyHistogram } from '../stats/histogram';

/** A window of request times by its quantiles, µs (librdkafka's statistics name them so). */
export interface QuantileSummary {
  cnt: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p99_99: number;
  max: number;
}

/** Request telemetry a client keeps elsewhere until it is read (the native core's, in C): drained on read and reset. */
export interface RequestSource {
  drainInto(recorder: RequestRecorder): void;
}

/**
 * How long brokers took to answer one kind of request of an app's clients (Produce for a
 * publisher, Fetch for a sub app), and the throttle time they asked for: each client library
 * feeds it from what it can see, and reset() opens a new window.
 */
export class RequestRecorder {
  private rtt = new LatencyHistogram();
  private requests = 0;
  private queueMaxMs = 0;
  private timeouts = 0;
  private throttleMs = 0;
  private throttleMaxMs = 0;
  private throttled = 0;
  private readonly sources = new Set<RequestSource>();

  /** A source read into this recorder whenever it is read or reset; returns its detach. */
  attach(source: RequestSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  private drainSources(): void {
    for (const source of this.sources) source.drainInto(this);
  }

  /** A request answered after `rttMs` on the wire, having waited `queueMs` in the client first. */
  answered(rttMs: number, queueMs = 0): void {
    this.requests++;
    this.rtt.record(rttMs * 1000);
    if (queueMs > this.queueMaxMs) this.queueMaxMs = queueMs;
  }

  /**
   * A window of `summary.cnt` requests known only by its quantiles (librdkafka's statistics): each
   * share of the requests between two quantiles is recorded at the upper one, so the recorded
   * quantiles are the window's (to within one request's rank: librdkafka rounds a quantile's rank,
   * the histogram rounds it up) and its mean leans high.
   */
  answeredWindow(summary: QuantileSummary, queueMaxMs = 0): void {
    if (summary.cnt <= 0) return;
    let below = 0;
    for (const [q, valueUs] of [
      [0.5, summary.p50],
      [0.75, summary.p75],
      [0.9, summary.p90],
      [0.95, summary.p95],
      [0.99, summary.p99],
      [0.9999, summary.p99_99],
      [1, summary.max],
    ] as const) {
      // The slowest request is the max itself; librdkafka's quantiles are bucketed and may lie above it.
      const upTo = q < 1 ? Math.min(summary.cnt - 1, Math.round(summary.cnt * q)) : summary.cnt;
      this.rtt.recordMany(Math.min(valueUs, summary.max), upTo - below);
      below = Math.max(below, upTo);
    }
    this.requests += summary.cnt;
    if (queueMaxMs > this.queueMaxMs) this.queueMaxMs = queueMaxMs;
  }

  timedOut(count = 1): void {
    this.timeouts += count;
  }

  /** A broker asked the client to hold back `ms` (a quota). */
  throttle(ms: number): void {
    this.throttleMs += ms;
    this.throttled++;
    if (ms > this.throttleMaxMs) this.throttleMaxMs = ms;
  }

  /** A new window: what the sources kept so far belongs to the last one. */
  reset(): void {
    this.drainSources();
    this.rtt = new LatencyHistogram();
    this.requests = 0;
    this.queueMaxMs = 0;
    this.timeouts = 0;
    this.throttleMs = 0;
    this.throttleMaxMs = 0;
    this.throttled = 0;
  }

  read(): BrokerRequestTelemetry {
    this.drainSources();
    return {
      requests: this.requests,
      rtt: this.rtt.toJSON(),
      queue_max_ms: this.queueMaxMs,
      throttle_ms: this.throttleMs,
      throttle_max_ms: this.throttleMaxMs,
      throttled: this.throttled,
      timeouts: this.timeouts,
    };
  }
}
