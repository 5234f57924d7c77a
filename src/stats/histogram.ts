import type { HistogramData } from '../control/wire';

export type { HistogramData } from '../control/wire';

/**
 * Mergeable latency histogram in microseconds: exact below 64 µs, then 32 buckets per power of
 * two (≤ 3.2 % relative error). Apps ship the raw bucket counts; the runner merges clients and
 * apps before computing percentiles, so percentiles are never averaged.
 */
const LINEAR_LIMIT = 64;
const SUB_BITS = 5;
const SUB_COUNT = 1 << SUB_BITS;

export function bucketIndex(valueUs: number): number {
  const v = Math.max(0, Math.floor(valueUs));
  if (v < LINEAR_LIMIT) return v;
  // Below 2^31 the exponent comes from the bit length (no log per message).
  const exp = v < 0x80000000 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
  const sub = Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB_COUNT;
  return LINEAR_LIMIT + (exp - 6) * SUB_COUNT + sub;
}

/** [lower, upper) bounds of a bucket, µs. */
export function bucketBounds(index: number): [number, number] {
  if (index < LINEAR_LIMIT) return [index, index + 1];
  const exp = 6 + Math.floor((index - LINEAR_LIMIT) / SUB_COUNT);
  const sub = (index - LINEAR_LIMIT) % SUB_COUNT;
  const width = 2 ** (exp - SUB_BITS);
  const lower = (SUB_COUNT + sub) * width;
  return [lower, lower + width];
}

export function emptyHistogram(): HistogramData {
  return { buckets: {}, count: 0, sum_us: 0, min_us: null, max_us: null, negative: 0 };
}

/** Buckets held densely: 2^32 µs (71 minutes) fits; larger values grow the array. */
const DENSE_BUCKETS = LINEAR_LIMIT + (32 - 6) * SUB_COUNT;

/** A client's histogram: recording is an array increment (it runs for every message received). */
export class LatencyHistogram {
  private counts = new Float64Array(DENSE_BUCKETS);
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  private negative = 0;

  record(valueUs: number): void {
    this.recordMany(valueUs, 1);
  }

  /** `count` values of `valueUs` at once. */
  recordMany(valueUs: number, count: number): void {
    if (count <= 0) return;
    if (valueUs < 0) {
      this.negative += count;
      valueUs = 0;
    }
    const idx = bucketIndex(valueUs);
    if (idx >= this.counts.length) this.grow(idx);
    (this.counts[idx] as number) += count;
    this.count += count;
    this.sum += valueUs * count;
    if (valueUs < this.min) this.min = valueUs;
    if (valueUs > this.max) this.max = valueUs;
  }

  private grow(idx: number): void {
    const next = new Float64Array(idx + SUB_COUNT);
    next.set(this.counts);
    this.counts = next;
  }

  toJSON(): HistogramData {
    const buckets: Record<string, number> = {};
    this.counts.forEach((v, k) => {
      if (v > 0) buckets[k] = v;
    });
    return {
      buckets,
      count: this.count,
      sum_us: this.sum,
      min_us: this.count ? this.min : null,
      max_us: this.count ? this.max : null,
      negative: this.negative,
    };
  }
}

export function mergeHistograms(parts: readonly HistogramData[]): HistogramData {
  const out = emptyHistogram();
  for (const h of parts) {
    for (const [k, v] of Object.entries(h.buckets)) out.buckets[k] = (out.buckets[k] ?? 0) + v;
    out.count += h.count;
    out.sum_us += h.sum_us;
    out.negative += h.negative;
    if (h.min_us !== null) out.min_us = out.min_us === null ? h.min_us : Math.min(out.min_us, h.min_us);
    if (h.max_us !== null) out.max_us = out.max_us === null ? h.max_us : Math.max(out.max_us, h.max_us);
  }
  return out;
}

/**
 * Value at quantile q (0..1), µs: the midpoint of the bucket holding the q-th value, clamped to
 * the recorded min/max; p100 is the exact maximum. null for an empty histogram.
 */
export function histogramQuantile(h: HistogramData, q: number): number | null {
  if (h.count === 0) return null;
  if (q >= 1) return h.max_us;
  const rank = Math.max(1, Math.ceil(q * h.count));
  const indices = Object.keys(h.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const idx of indices) {
    seen += h.buckets[idx] ?? 0;
    if (seen >= rank) {
      const [lo, hi] = bucketBounds(idx);
      const mid = idx < LINEAR_LIMIT ? lo : (lo + hi) / 2;
      return Math.min(Math.max(mid, h.min_us ?? mid), h.max_us ?? mid);
    }
  }
  return h.max_us;
}
