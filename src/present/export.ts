import type { PointRecord } from '../study/record';
import { EXPORT_COLUMNS } from './columns';

export type ExportFormat = 'csv' | 'jsonl';

/** One CSV row per point: parameters, status, HYDRA's figures, hydra's extra figures, error. */
export function pointsToCsv(records: readonly PointRecord[]): string {
  const rows = records.map((r) => EXPORT_COLUMNS.map((c) => c.value(r)));
  return [EXPORT_COLUMNS.map((c) => c.id), ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** One JSON object per line per point, as stored. */
export function pointsToJsonl(records: readonly PointRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

export function exportPoints(records: readonly PointRecord[], format: ExportFormat): string {
  return format === 'csv' ? pointsToCsv(records) : pointsToJsonl(records);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
