import { POINT_KEYS, type PointKey } from '../config/options';
import { pointName } from '../present/point-name';
import { isEmbeddedStudy } from '../present/study';
import type { PointResult } from '../stats/result';
import { isFaulted, isOk, paramOf, type PointRecord } from '../study/record';
import { pointKey } from '../study/grid';
import { aggregateRepeats, ciOf } from '../study/repeats';
import type { StudySpec } from '../study/spec';
import { StudyStore } from '../study/store';

/** A stored study, as compare reads it. */
export interface ComparedStudy {
  spec: StudySpec;
  points: PointRecord[];
  /** What it is when not a hydra study ('omb result': an OpenMessaging Benchmark result read by omb/compare-side.ts). */
  origin?: string;
}

/** The figures compared per shared point: HYDRA's rate, loss and failing clients, and latency. */
export const COMPARED_FIELDS = [
  'average_rate',
  'average_packet_loss',
  'failing_clients',
  'latency_p50_ms',
  'latency_p99_ms',
] as const satisfies readonly (keyof PointResult)[];
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** One figure of one shared point across the studies (in the order given; differences against the first). */
export interface FieldDiff {
  field: ComparedField;
  values: (number | null)[];
  /** 95 % confidence half-widths from repeats; null without repeats. */
  ci: (number | null)[];
  /** value − the first study's value, per study (the first's is 0); null when either is missing. */
  diff: (number | null)[];
  /**
   * Whether the difference against the first study is significant: their 95 % confidence
   * intervals do not overlap (conservative); null when either has no repeats to give an interval.
   */
  significant: (boolean | null)[];
}

export interface SharedPoint {
  /** How people read it: "4 clients, 1000 msg/s, batch 100". */
  name: string;
  clientCount: number;
  msgRate: number;
  /** Why the point's figures are not compared (a study's point was harness-limited, failed or invalid); null: compared. */
  excluded: string | null;
  /**
   * Repeats left out because hydra, not Kafka, set their figures while other repeats of the point
   * were clean: "2 of 3 repeats in s1 (1 harness-limited left out)"; empty when none were.
   */
  cleanRepeats: string[];
  diffs: FieldDiff[];
}

export interface Comparison {
  studies: { id: string; kind: string; embedded: boolean; brokers: string[]; created_at: string; points: number }[];
  /** Point parameters that differ between the studies but not within one: the change being compared ("linger_ms: 0 | 5"). */
  differences: { key: string; values: string[] }[];
  /** Points every study has (by client count, rate, batch and the workload keys a study varies). */
  shared: SharedPoint[];
  /** Points only some studies have: named, not compared. */
  unshared: { study: string; name: string }[];
}

const AXES: readonly PointKey[] = ['total_sub_apps', 'clients_per_app', 'msg_rate', 'msg_batch'];

/** Opens stored studies by id (or directory) for a comparison. */
export function loadStudies(resultsDir: string, ids: readonly string[]): ComparedStudy[] {
  return ids.map((id) => {
    const store = StudyStore.open(resultsDir, id);
    return { spec: store.readSpec(), points: store.readPoints() };
  });
}

/**
 * Lines up the points the studies share — same client count, rate, batch and (where a study
 * varies one) workload — and gives the difference of each figure against the first study, with
 * its significance where repeats give confidence intervals. A point harness-limited, failed or
 * invalid in any study is named but left out of the differences: there hydra, not Kafka, set the
 * figure; a repeated point is compared on its clean repeats when it has some (cleanRepeats). What differs between the studies, and the points only some have, are named.
 */
export function compareStudies(studies: readonly ComparedStudy[]): Comparison {
  const cleaned = studies.map((s) => cleanRepeats(s.points));
  const shown = cleaned.map((c) => aggregateRepeats(c.kept));
  const all = shown.flat();
  const varies = (records: readonly PointRecord[], k: PointKey): boolean => new Set(records.map((r) => String(paramOf(r, k)))).size > 1;
  const candidates = POINT_KEYS.filter((k) => !AXES.includes(k));
  // Keys a study varies itself: part of a point's identity. Keys constant in each study but different between them: the change.
  const withinVaried = candidates.filter((k) => shown.some((records) => varies(records, k)));
  const differences = candidates
    .filter((k) => !withinVaried.includes(k) && varies(all, k))
    .map((k) => ({ key: k, values: shown.map((records) => String(records[0] ? paramOf(records[0], k) : '-')) }));
  const keyOf = (r: PointRecord): string =>
    [r.params.total_sub_apps * r.params.clients_per_app, r.params.msg_rate, r.params.msg_batch, ...withinVaried.map((k) => String(paramOf(r, k)))].join('|');
  const maps = shown.map((records) => new Map(records.map((r) => [keyOf(r), r])));
  const keys = [...new Set(shown.flatMap((records) => records.map(keyOf)))];
  const shared: SharedPoint[] = [];
  const unshared: Comparison['unshared'] = [];
  for (const key of keys) {
    const found = maps.map((m) => m.get(key));
    const any = found.find((r): r is PointRecord => r !== undefined) as PointRecord;
    const name = pointName(any.params, withinVaried);
    if (found.some((r) => r === undefined)) {
      found.forEach((r, i) => {
        if (r) unshared.push({ study: studies[i]?.spec.id ?? '', name });
      });
      continue;
    }
    const records = found as PointRecord[];
    const why = records
      .map((r, i) => {
        const id = studies[i]?.spec.id ?? '';
        if (!isOk(r)) return `${r.status} in ${id}`;
        // Its figures are the fault's: compared in neither the table nor the steady-state curves.
        if (isFaulted(r)) return `through planned faults in ${id}`;
        return r.result.verdict === 'harness_limited' ? `harness-limited in ${id}` : '';
      })
      .filter(Boolean);
    const diffs = COMPARED_FIELDS.map((field): FieldDiff => {
      const values = records.map((r) => (isOk(r) ? numberOrNull(r.result[field]) : null));
      const ci = records.map((r) => ciOf(r, field));
      const base = values[0] ?? null;
      const baseCi = ci[0] ?? null;
      return {
        field,
        values,
        ci,
        diff: values.map((v) => (why.length || v === null || base === null ? null : v - base)),
        significant: values.map((v, i) => {
          const c = ci[i] ?? null;
          if (why.length || v === null || base === null || c === null || baseCi === null) return null;
          return Math.abs(v - base) > c + baseCi;
        }),
      };
    });
    shared.push({
      name,
      clientCount: any.params.total_sub_apps * any.params.clients_per_app,
      msgRate: any.params.msg_rate,
      excluded: why.length ? why.join(', ') : null,
      cleanRepeats: cleaned.flatMap((c, i) => {
        // Each study's own key: a setting that differs between the studies is part of it.
        const own = records[i];
        const note = own ? c.leftOut.get(pointKey(own.params)) : undefined;
        return note ? [`${note.kept} of ${note.total} repeats in ${studies[i]?.spec.id ?? ''} (${note.why.join(', ')} left out)`] : [];
      }),
      diffs,
    });
  }
  shared.sort((a, b) => a.clientCount - b.clientCount || a.msgRate - b.msgRate || a.name.localeCompare(b.name));
  return {
    studies: studies.map((s) => ({
      id: s.spec.id,
      kind: s.origin ?? s.spec.kind,
      embedded: isEmbeddedStudy(s.spec),
      brokers: s.spec.options.brokers,
      created_at: s.spec.created_at,
      points: s.points.length,
    })),
    differences,
    shared,
    unshared,
  };
}

/** Why a repeat's figures are not Kafka's ('harness-limited', 'failed', …); null: a clean repeat. */
function notClean(r: PointRecord): string | null {
  if (!isOk(r)) return r.status;
  if (r.result.verdict === 'harness_limited') return 'harness-limited';
  return null;
}

/**
 * A point measured several times keeps only its clean repeats when it has any: one host-limited
 * repeat of three does not take the other two out of the comparison. Per point key, what was left out.
 */
function cleanRepeats(points: readonly PointRecord[]): { kept: PointRecord[]; leftOut: Map<string, { kept: number; total: number; why: string[] }> } {
  const groups = new Map<string, PointRecord[]>();
  for (const r of points) groups.set(pointKey(r.params), [...(groups.get(pointKey(r.params)) ?? []), r]);
  const kept: PointRecord[] = [];
  const leftOut = new Map<string, { kept: number; total: number; why: string[] }>();
  for (const [key, group] of groups) {
    const clean = group.filter((r) => notClean(r) === null);
    if (group.length === 1 || clean.length === 0 || clean.length === group.length) {
      kept.push(...group);
      continue;
    }
    kept.push(...clean);
    const reasons = new Map<string, number>();
    for (const r of group) {
      const why = notClean(r);
      if (why !== null) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
    leftOut.set(key, { kept: clean.length, total: group.length, why: [...reasons].map(([why, n]) => `${n} ${why}`) });
  }
  return { kept, leftOut };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
