/**
 * Kafka's default partitioner for keyed messages: murmur2 of the key (Kafka's Utils.murmur2, seed
 * 0x9747b28c), made positive, modulo the partition count — what the Java client and every client
 * that follows it do, so a key lands where any other producer would put it. hydra picks the
 * partition itself (and sends it with the message) to keep one sequence per partition; this is
 * plain arithmetic, so a publisher loads no Kafka client to do it.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's 32-bit murmur2 of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes, as Kafka's switch falls through them.
  const rest = length & 3;
  if (rest === 3) h ^= (data[whole + 2] as number) << 16;
  if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
  if (rest >= 1) h = Math.imul(h ^ (data[whole] as number), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition (an index into `count` partitions) Kafka's default partitioner gives a key. */
export function keyPartitioner(count: number): (key: Buffer) => number {
  return (key) => (murmur2(key) & 0x7fffffff) % count;
}
