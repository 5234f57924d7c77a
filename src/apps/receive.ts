import type { ClientTimeline, SubConfig } from '../control/wire';
import { LatencyHistogram } from '../stats/histogram';
import { SequenceTracker, sumSequences, type SequenceSummary } from '../stats/sequence';
import type { ReceiveTimeline } from './timeline';
import { MESSAGE_SIZE, messageDelayMs, messageEpoch, messageIntendedMs, messagePubId, messageSeq } from './message';

/**
 * Accumulates one client's receive statistics for one point; replaced at updateconfig and
 * resetstats. Sequence numbers are tracked per (publisher, partition): each publisher numbers its
 * messages in each partition it writes, and Kafka orders a partition, not a topic.
 */
export class ClientAccumulator {
  msgCnt = 0;
  firstMs: number | null = null;
  lastMs: number | null = null;
  malformed = 0;
  /** Messages of another point (another epoch): not counted. */
  stale = 0;
  /** Offsets the consumer's position jumped over (see ClientStats.skipped). */
  skipped = 0;
  /** Indexed by publisher id, then partition. */
  private readonly sequences: SequenceTracker[][] = [];
  /** From the actual send time. */
  readonly latency = new LatencyHistogram();
  /** From the intended send time (no coordinated omission). */
  readonly latencyIntended = new LatencyHistogram();

  constructor(
    private readonly cfg: Pick<SubConfig, 't0_ms' | 'epoch' | 'pub_count' | 'latency_corrections_ms'>,
    /** Receiving over time, on a point with planned faults. */
    readonly timeline: ReceiveTimeline | null = null,
  ) {}

  /** Runs for every message received: reads the fields in place, allocates nothing. */
  receive(value: Buffer | null, atMs: number, partition = 0): void {
    const valid = value !== null && value.length >= MESSAGE_SIZE;
    if (valid && messageEpoch(value) !== this.cfg.epoch) {
      this.stale++;
      return;
    }
    this.msgCnt++;
    if (this.firstMs === null) this.firstMs = atMs;
    this.lastMs = atMs;
    const pubId = valid ? messagePubId(value) : -1;
    if (!valid || pubId >= this.cfg.pub_count) {
      this.malformed++;
      return;
    }
    const tracker = ((this.sequences[pubId] ??= [])[partition] ??= new SequenceTracker());
    tracker.record(messageSeq(value));
    // The publisher's clock and this app's differ by the estimated offsets: taken out here.
    const intendedMs = messageIntendedMs(value, this.cfg.t0_ms) + (this.cfg.latency_corrections_ms?.[pubId] ?? 0);
    const latencyMs = atMs - intendedMs - messageDelayMs(value);
    this.latency.record(latencyMs * 1000);
    this.timeline?.record(atMs, latencyMs, intendedMs);
    this.latencyIntended.record((atMs - intendedMs) * 1000);
  }

  /** The sequence numbers received per (publisher, partition), as runs. */
  sequenceRuns(): ClientTimeline['received'] {
    return this.sequences.flatMap((byPartition, pub) =>
      (byPartition ?? []).flatMap((t, partition) => (t === undefined ? [] : [{ pub, partition, runs: t.runs() }])),
    );
  }

  /** Σ over (publisher, partition) sequences; max_seq is the highest of any. */
  sequenceSummary(): SequenceSummary {
    return sumSequences(this.sequences.flatMap((byPartition) => (byPartition ?? []).filter((t) => t !== undefined).map((t) => t.summary())));
  }
}
