import type { RateFinding } from '../study/spec';
import type { PointRecord } from '../study/record';
import { cellText, sortPoints, TABLE_COLUMNS } from './columns';

/** HYDRA's fields per point as an aligned text table, sorted by client count then rate; why failed and invalid points are not measurements below. */
export function formatPointsTable(records: readonly PointRecord[]): string {
  const sorted = sortPoints(records);
  const header = TABLE_COLUMNS.map((c) => c.header);
  const rows = sorted.map((r) => TABLE_COLUMNS.map((c) => cellText(c.value(r), c.digits)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  // Why a point is not a measurement of Kafka, under the table.
  const notes = sorted.filter((r) => r.status !== 'ok').map((r) => `  ${r.status}: ${r.key}: ${r.error ?? ''}`);
  return [line(header), ...rows.map(line), ...notes].join('\n');
}

/** One line per client count of a kafkarate study. */
export function formatFindings(findings: readonly RateFinding[]): string {
  return findings
    .map(
      (f) =>
        `${f.client_count} clients: max rate ${f.max_rate ?? '-'} msg/s (rx ${cellText(f.max_rx_rate, 1)} msg/s), no-drop rate ${f.no_drop_rate ?? '-'} msg/s, ${f.steps} points — ${f.note}`,
    )
    .join('\n');
}
