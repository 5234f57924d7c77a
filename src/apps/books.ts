import type { BooksSettings, BooksSnapshot, ClientBooks, TimelineSettings } from '../client';
import { ClientAccumulator } from './receive';
import { ReceiveTimeline } from './timeline';

/**
 * A client's books kept in TypeScript, from the batches its consumer hands over (kafkajs and the
 * librdkafka client): the point's bookkeeping (receive.ts) and, across points, each partition's
 * position. The native client keeps the same books in C (clients/native/src/books.c); the
 * differential test holds the two to the same figures.
 */
export class JsBooks implements ClientBooks {
  private acc: ClientAccumulator;
  /** Per partition, the offset after the last message received: the client's position, for lag. Kept across points. */
  private readonly nextOffsets: Record<string, number> = {};

  constructor(settings: BooksSettings) {
    this.acc = new ClientAccumulator(settings);
  }

  reset(settings: BooksSettings, timeline: TimelineSettings | null): void {
    this.acc = new ClientAccumulator(settings, timeline ? new ReceiveTimeline(timeline.start_ms, timeline) : null);
  }

  /** Messages of one partition, in log order, from `firstOffset` to `lastOffset`, received at `atMs`. */
  batch(partition: number, values: readonly (Buffer | null)[], firstOffset: number, lastOffset: number, atMs: number): void {
    const acc = this.acc;
    for (const value of values) acc.receive(value, atMs, partition);
    // A batch starting past the last position: the consumer was moved over messages it never
    // got (a client resets an out-of-range position after retention deleted what it had not read).
    const before = this.nextOffsets[partition];
    if (before !== undefined && firstOffset > before) acc.skipped += firstOffset - before;
    if (lastOffset + 1 > (this.nextOffsets[partition] ?? 0)) this.nextOffsets[partition] = lastOffset + 1;
  }

  unique(): number {
    return this.acc.sequenceSummary().unique;
  }

  snapshot(): BooksSnapshot {
    const acc = this.acc;
    return {
      msg_cnt: acc.msgCnt,
      first_ms: acc.firstMs,
      last_ms: acc.lastMs,
      sequences: acc.sequenceSummary(),
      latency: acc.latency.toJSON(),
      latency_intended: acc.latencyIntended.toJSON(),
      stale: acc.stale,
      skipped: acc.skipped,
      malformed: acc.malformed,
      next_offsets: { ...this.nextOffsets },
      timeline: acc.timeline ? acc.timeline.toJSON(acc.sequenceRuns()) : null,
    };
  }
}
