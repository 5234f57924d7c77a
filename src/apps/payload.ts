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

  /** A payload file's bytes (payload_file): every value is these, the header written over the first 16. */
  private readonly fixed: Buffer | null;

  constructor(
    private readonly msgSize: number,
    randomPct: number,
    payload: Buffer | null = null,
  ) {
    this.padding = Math.max(0, msgSize - MESSAGE_SIZE);
    this.fixed = payload;
    this.randomBytes = payload ? 0 : Math.round((this.padding * randomPct) / 100);
    this.pool = this.randomBytes > 0 ? crypto.randomBytes(Math.max(POOL_BYTES, 2 * this.randomBytes)) : null;
  }

  build(m: TestMessage, t0Ms: number): Buffer {
    if (this.fixed) {
      const buf = Buffer.from(this.fixed);
      encodeMessage(m, t0Ms, buf);
      return buf;
    }
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

/** One message's place: the partition it goes to, its number in that partition's sequence, its key (null: unkeyed). */
export interface MessageSlot {
  partition: number;
  seq: number;
  key: Buffer | null;
}

/** How messages are keyed: none, round-robin over `count` keys, or a random one of them. */
export interface KeySpec {
  mode: 'none' | 'round_robin' | 'random';
  count: number;
}

/**
 * Places one sequence space's messages: unkeyed ones round-robin over `partitions`, keyed ones in
 * the partition their key hashes to (`partitionOfKey`, an index into `partitions`). Each partition
 * numbers its messages 0, 1, 2, ...: the sequence subscribers track per (publisher, partition).
 */
export class PartitionPicker {
  private readonly next: Int32Array;
  /** Per key index, its partition index: computed once per key (hashing is the costly part). */
  private readonly keyPartition: Int32Array | null;
  private k = 0;

  constructor(
    private readonly partitions: readonly number[],
    private readonly keys: KeySpec = { mode: 'none', count: 1 },
    private readonly partitionOfKey: (key: Buffer) => number = () => 0,
    private readonly random: () => number = Math.random,
  ) {
    this.next = new Int32Array(partitions.length);
    this.keyPartition = keys.mode === 'none' ? null : new Int32Array(keys.count).fill(-1);
  }

  pick(): MessageSlot {
    const k = this.k++;
    if (!this.keyPartition) return this.slot(k % this.partitions.length, null);
    const keyIndex = this.keys.mode === 'round_robin' ? k % this.keys.count : Math.floor(this.random() * this.keys.count);
    const key = keyBytes(keyIndex);
    let index = this.keyPartition[keyIndex] as number;
    if (index < 0) {
      index = this.partitions.length > 1 ? this.partitionOfKey(key) : 0;
      this.keyPartition[keyIndex] = index;
    }
    return this.slot(index, key);
  }

  private slot(index: number, key: Buffer | null): MessageSlot {
    const seq = this.next[index] as number;
    this.next[index] = seq + 1;
    return { partition: this.partitions[index] as number, seq, key };
  }
}

/** One message's place among several topics: its topic's index, then its place there. */
export interface TopicSlot extends MessageSlot {
  topic: number;
}

/**
 * Places one sequence space's messages over a point's topics: message k goes to topic k mod n,
 * placed there by that topic's own PartitionPicker (its own sequence per partition), so each
 * (publisher, topic, partition) is one ordered sequence and each topic gets an equal share.
 */
export class TopicPicker {
  private readonly pickers: PartitionPicker[];
  private k = 0;

  constructor(topics: number, makePicker: () => PartitionPicker) {
    this.pickers = Array.from({ length: topics }, makePicker);
  }

  pick(): TopicSlot {
    const topic = this.k++ % this.pickers.length;
    return { topic, ...(this.pickers[topic] as PartitionPicker).pick() };
  }
}

/** Per key index, the index into `partitionCount` partitions its key goes to (one partition: 0), as PartitionPicker places keys. */
export function keyPartitionTable(partitionCount: number, keyCount: number, partitionOfKey: (key: Buffer) => number): Int32Array {
  return Int32Array.from({ length: keyCount }, (_, i) => (partitionCount > 1 ? partitionOfKey(keyBytes(i)) : 0));
}

/** Key number i as bytes: `key-<i>`. */
export function keyBytes(i: number): Buffer {
  return Buffer.from(`key-${i}`);
}
