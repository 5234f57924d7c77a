import { meanCi95 } from '../stats/repeats';
import type { PointResult } from '../stats/result';
import { pointKey } from './grid';
import { isOk, type OkPointRecord, type PointRecord } from './record';

/** The stored key of one repetition of a point: the point's key, and `#r<i>` after the first. */
export function repeatKey(key: string, repeat: number): string {
  return repeat > 0 ? `${key}#r${repeat}` : key;
}

/** A point measured `repeats` times, shown as one: mean figures and their 95 % confidence half-widths. */
export interface AggregatedRecord extends OkPointRecord {
  repeats: number;
  /** Half-width of the 95 % confidence interval of each numeric figure (null with one repeat). */
  result_ci: Partial<Record<keyof PointResult, number | null>>;
}

/**
 * One record per point from its repetitions: numeric figures averaged over the measured (ok)
 * repetitions with a 95 % confidence interval; harness-limited if any repetition was, with every
 * limit seen. A point none of whose repetitions is ok is kept as its latest record.
 */
export function aggregateRepeats(records: readonly PointRecord[]): PointRecord[] {
  const groups = new Map<string, PointRecord[]>();
  for (const r of records) {
    const key = pointKey(r.params);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: PointRecord[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0] as PointRecord);
      continue;
    }
    const ok = group.filter(isOk);
    if (ok.length === 0) {
      out.push(group[group.length - 1] as PointRecord);
      continue;
    }
    const first = ok[0] as OkPointRecord;
    const result = { ...first.result } as Record<string, unknown>;
    const ci: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(first.result)) {
      if (typeof v !== 'number') continue;
      const values = ok.map((r) => (r.result as unknown as Record<string, unknown>)[k]).filter((x): x is number => typeof x === 'number');
      const s = meanCi95(values);
      result[k] = s.mean;
      ci[k] = s.ci;
    }
    const limits = [...new Set(ok.flatMap((r) => r.result.harness_limits))];
    const notes = [...new Set(ok.flatMap((r) => r.result.harness_notes))];
    result.harness_limits = limits;
    result.harness_notes = notes;
    // Repetitions of which one was never judged are not a judged mean.
    result.verdict = limits.length
      ? 'harness_limited'
      : ok.some((r) => r.result.verdict === 'unjudged')
        ? 'unjudged'
        : ok.some((r) => r.result.verdict === 'rehearsal')
          ? 'rehearsal'
          : 'kafka';
    // Kafka held some repetition back: the mean point says so too.
    result.kafka_limits = [...new Set(ok.flatMap((r) => r.result.kafka_limits))];
    result.kafka_notes = [...new Set(ok.flatMap((r) => r.result.kafka_notes))];
    const aggregated: AggregatedRecord = {
      ...first,
      key: pointKey(first.params),
      result: result as unknown as PointResult,
      repeats: ok.length,
      result_ci: ci as AggregatedRecord['result_ci'],
      attempts: ok.reduce((n, r) => n + r.attempts, 0),
    };
    out.push(aggregated);
  }
  return out;
}

/** The confidence half-width of a figure of a shown record, when it aggregates repeats. */
export function ciOf(record: PointRecord, key: keyof PointResult): number | null {
  return 'result_ci' in record ? ((record as AggregatedRecord).result_ci[key] ?? null) : null;
}
