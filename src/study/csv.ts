import { POINT_KEYS } from '../config/options';
import type { PointRecord } from '../runner/types';
import { HYDRA_RESULT_KEYS } from '../stats/result';

const EXTRA_KEYS = ['requested_rate', 'pub_achieved_ratio', 'pub_limited', 'lost_total', 'duplicated_total', 'reordered_total', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'latency_max_ms'] as const;

/** One CSV row per point: parameters, status, HYDRA's figures, hydra's extra figures. */
export function pointsToCsv(records: readonly PointRecord[]): string {
  const header = [...POINT_KEYS, 'status', 'attempts', ...HYDRA_RESULT_KEYS, ...EXTRA_KEYS, 'error'];
  const rows = records.map((r) => [
    ...POINT_KEYS.map((k) => r.params[k]),
    r.status,
    r.attempts,
    ...HYDRA_RESULT_KEYS.map((k) => r.result?.[k] ?? ''),
    ...EXTRA_KEYS.map((k) => r.result?.[k] ?? ''),
    r.error ?? '',
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
