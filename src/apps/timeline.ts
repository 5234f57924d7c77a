import type { ClientTimeline, ResetStatsArgs } from '../control/wire';
import { LatencyHistogram } from '../stats/histogram';

/** Most buckets a timeline keeps (an hour at 100 ms): a longer point's tail is not recorded. */
const MAX_BUCKETS = 36000;

/**
 * One client's receiving over a point with planned faults: messages and their highest latency per
 * bucket, the longest time between two messages, and latency split by when a message was sent:
 * before, during or after the fault's span. Runs for every message received: no allocation beyond a new bucket.
 */
export class ReceiveTimeline {
  private readonly counts: number[] = [];
  private readonly maxLatency: (number | null)[] = [];
  private lastAt: number | null = null;
  private longestGap = 0;
  private gapFrom: number | null = null;
  private readonly before = new LatencyHistogram();
  private readonly during = new LatencyHistogram();
  private readonly after = new LatencyHistogram();

  constructor(
    private readonly startMs: number,
    private readonly window: NonNullable<ResetStatsArgs['timeline']>,
  ) {}

  /** `sentMs`: when the message was due to be sent, on this app's clock: what puts it before, during or after the fault. */
  record(atMs: number, latencyMs: number, sentMs: number): void {
    const bucket = Math.floor((atMs - this.startMs) / this.window.bucket_ms);
    if (bucket >= 0 && bucket < MAX_BUCKETS) {
      while (this.counts.length <= bucket) {
        this.counts.push(0);
        this.maxLatency.push(null);
      }
      this.counts[bucket] = (this.counts[bucket] as number) + 1;
      const highest = this.maxLatency[bucket];
      if (highest === null || highest === undefined || latencyMs > highest) this.maxLatency[bucket] = latencyMs;
    }
    if (this.lastAt !== null && atMs - this.lastAt > this.longestGap) {
      this.longestGap = atMs - this.lastAt;
      this.gapFrom = this.lastAt;
    }
    this.lastAt = atMs;
    // By send time: a message sent during the fault and received after it is the fault's latency.
    const phase = sentMs < this.window.from_ms ? this.before : sentMs < this.window.to_ms ? this.during : this.after;
    phase.record(latencyMs * 1000);
  }

  /** The timeline but the group's rebalances and assignment, which the sub app adds. */
  toJSON(received: ClientTimeline['received']): Omit<ClientTimeline, 'rebalances' | 'assigned'> {
    return {
      start_ms: this.startMs,
      bucket_ms: this.window.bucket_ms,
      from_ms: this.window.from_ms,
      to_ms: this.window.to_ms,
      counts: [...this.counts],
      max_latency_ms: this.maxLatency.map((v) => (v === null ? null : Math.round(v * 10) / 10)),
      longest_gap_ms: this.longestGap,
      gap_from_ms: this.gapFrom,
      latency_before: this.before.toJSON(),
      latency_during: this.during.toJSON(),
      latency_after: this.after.toJSON(),
      received,
    };
  }
}
