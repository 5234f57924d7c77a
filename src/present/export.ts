import type { PointRecord } from '../study/record';
import { EXPORT_COLUMNS } from './columns';

export type ExportFormat = 'csv' | 'jsonl';

/**
 * One CSV row per point: the study it belongs to (so CSVs of several studies can be concatenated
 * and told apart), parameters, status, HYDRA's figures, hydra's extra figures, error.
 */
export function pointsToCsv(records: readonly PointRecord[], studyId: string): string {
  const rows = records.map((r) => [studyId, ...EXPORT_COLUMNS.map((c) => c.value(r))]);
  return [['study', ...EXPORT_COLUMNS.map((c) => c.id)], ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** One JSON object per line per point, as stored. */
export function pointsToJsonl(records: readonly PointRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('');
}

export function exportPoints(records: readonly PointRecord[], format: ExportFormat, studyId: string): string {
  return format === 'csv' ? pointsToCsv(records, studyId) : pointsToJsonl(records);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
