import type { PointResult } from '../stats/result';
import { isOk, type PointRecord } from '../study/record';
import { aggregateRepeats, ciOf } from '../study/repeats';
import { pointName } from './point-name';
import { cellText, sortPoints, TABLE_COLUMNS, workloadColumns, type PointColumn } from './columns';

/** Under every table of embedded-broker points: what 'rehearsal' means. */
export const EMBEDDED_TABLE_NOTE =
  "rehearsal: measured on hydra's embedded broker (librdkafka's mock cluster) — these numbers say nothing about Kafka; set [broker] brokers for a real cluster";

/**
 * HYDRA's fields per point as an aligned text table, sorted by client count then rate; a point
 * measured several times (repeats) is one row of means ± 95 % confidence half-widths and its
 * count in `n`. Why failed and invalid points are not measurements is said below the table.
 */
export function formatPointsTable(records: readonly PointRecord[]): string {
  const sorted = sortPoints(aggregateRepeats(records));
  // A study's varied parameters go after the rate, so each row says which workload it is.
  const rateAt = TABLE_COLUMNS.findIndex((c) => c.id === 'msg_rate') + 1;
  const columns: PointColumn[] = [...TABLE_COLUMNS.slice(0, rateAt), ...workloadColumns(sorted), ...TABLE_COLUMNS.slice(rateAt)];
  if (sorted.some((r) => 'repeats' in r)) columns.push({ id: 'n', header: 'n', value: (r: PointRecord) => ('repeats' in r ? r.repeats : 1) });
  const header = columns.map((c) => c.header);
  const rows = sorted.map((r) =>
    columns.map((c) => {
      const ci = ciOf(r, c.id as keyof PointResult);
      // Repetitions that agree exactly (a count, a parameter) get no interval: only spread is shown.
      return (
        cellText(c.value(r), 'digits' in c ? c.digits : undefined) + (ci !== null && ci > 0 ? `±${cellText(ci, 'digits' in c ? (c.digits ?? 1) : 1)}` : '')
      );
    }),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  // Why a point is not a measurement of Kafka, under the table, each point named as people read it.
  const varied = workloadColumns(sorted).map((c) => c.id);
  const name = (r: PointRecord): string => pointName(r.params, varied) + ('repeat' in r && r.repeat ? ` (repeat ${r.repeat + 1})` : '');
  const notes = [
    ...sorted.filter((r) => r.status !== 'ok').map((r) => `  ${r.status}: ${name(r)}: ${r.error ?? ''}`),
    ...harnessLimitedNotes(sorted.filter(isOk), name),
    ...sorted
      .filter(isOk)
      .flatMap((r) =>
        r.result.verdict !== 'harness_limited' && r.result.kafka_notes?.length ? [`  kafka-limited: ${name(r)}: ${r.result.kafka_notes.join('; ')}`] : [],
      ),
  ];
  if (sorted.some((r) => r.result?.embedded_broker)) notes.unshift(`  ${EMBEDDED_TABLE_NOTE}`);
  return [line(header), ...rows.map(line), ...notes].join('\n');
}

/**
 * One line per limit that held points back, not one per point (each point's progress line gave its
 * own figures already): how many points, then one of them as the example.
 */
function harnessLimitedNotes(points: readonly PointRecord[], name: (r: PointRecord) => string): string[] {
  const byLimit = new Map<string, PointRecord[]>();
  for (const r of points) {
    if (r.result?.verdict !== 'harness_limited') continue;
    const key = r.result.harness_limits.join('+');
    byLimit.set(key, [...(byLimit.get(key) ?? []), r]);
  }
  return [...byLimit.values()].map((group) => {
    const first = group[0] as PointRecord;
    const notes = first.result?.harness_notes.join('; ') ?? '';
    if (group.length === 1) return `  harness-limited: ${name(first)}: ${notes}`;
    return `  harness-limited, ${group.length} points like ${name(first)}: ${notes}`;
  });
}
