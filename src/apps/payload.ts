import * as crypto from 'node:crypto';
import { encodeMessage, MESSAGE_SIZE, type TestMessage } from './message';

/** Random bytes the padding is cut from: larger than a produce request's worth of padding, so messages in one batch differ. */
const POOL_BYTES = 4 * 1024 * 1024;

/**
 * Builds message values of `msgSize` bytes: the 16-byte header, then padding of which
 * `randomPct` % is random (cut from a pool at a moving offset, so no two neighbouring messages
 * share it) and the rest zeros — what a compression codec gets to work on. At 16 bytes it is the
 * header alone, as before.
 */
export class MessageBuilder {
  private readonly padding: number;
  private readonly randomBytes: number;
  private readonly pool: Buffer | null;
  private offset = 0;

  constructor(
    private readonly msgSize: number,
    randomPct: number,
  ) {
    this.padding = Math.max(0, msgSize - MESSAGE_SIZE);
    this.randomBytes = Math.round((this.padding * randomPct) / 100);
    this.pool = this.randomBytes > 0 ? crypto.randomBytes(Math.max(POOL_BYTES, 2 * this.randomBytes)) : null;
  }

  build(m: TestMessage, t0Ms: number): Buffer {
    if (this.padding === 0) return encodeMessage(m, t0Ms);
    // Zero-filled, so the part that is not random is zeros.
    const buf = Buffer.alloc(this.msgSize);
    encodeMessage(m, t0Ms, buf);
    if (this.pool) {
      if (this.offset + this.randomBytes > this.pool.length) this.offset = 0;
      this.pool.copy(buf, MESSAGE_SIZE, this.offset, this.offset + this.randomBytes);
      // A prime stride: consecutive messages take different windows of the pool.
      this.offset += this.randomBytes + 7;
    }
    return buf;
  }
}

/** Round-robin over `partitions`: message k (of one sequence space) goes to partitions[k mod n] as number floor(k / n) there. */
export function partitionSlot(k: number, partitions: readonly number[]): { partition: number; seq: number } {
  const n = partitions.length;
  return { partition: partitions[k % n] as number, seq: Math.floor(k / n) };
}
