import type { PointRecord } from '../runner/types';
import type { RateFinding } from './spec';

const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? '-' : v.toFixed(digits));

/** HYDRA's fields per point as an aligned text table, sorted by client count then rate. */
export function formatPointsTable(records: readonly PointRecord[]): string {
  const header = ['clients', 'batch', 'rate', 'status', 'packet_tx', 'avg_tx_rate', 'avg_rate', 'avg_packets', 'loss_%', 'failing', 'fail_rate', 'pub_cpu_%', 'p50_ms', 'p99_ms'];
  const sorted = [...records].sort(
    (a, b) => a.params.total_sub_apps * a.params.clients_per_app - b.params.total_sub_apps * b.params.clients_per_app || a.params.msg_batch - b.params.msg_batch || a.params.msg_rate - b.params.msg_rate,
  );
  const rows = sorted.map((r) => {
    const x = r.result;
    return [
      String(r.params.total_sub_apps * r.params.clients_per_app),
      String(r.params.msg_batch),
      String(r.params.msg_rate),
      r.status,
      x ? String(x.packet_tx) : '-',
      num(x?.average_tx_rate, 1),
      num(x?.average_rate, 1),
      num(x?.average_packets, 1),
      num(x?.average_packet_loss, 3),
      x ? String(x.failing_clients) : '-',
      num(x?.failing_clients_rate, 1),
      num(x?.pub_cpu, 1),
      num(x?.latency_p50_ms, 2),
      num(x?.latency_p99_ms, 2),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  const failed = sorted.filter((r) => r.status === 'failed').map((r) => `  failed: ${r.key}: ${r.error ?? ''}`);
  return [line(header), ...rows.map(line), ...failed].join('\n');
}

export function formatFindings(findings: readonly RateFinding[]): string {
  return findings
    .map((f) => `${f.client_count} clients: max rate ${f.max_rate ?? '-'} msg/s (rx ${num(f.max_rx_rate, 1)} msg/s), no-drop rate ${f.no_drop_rate ?? '-'} msg/s, ${f.steps} points — ${f.note}`)
    .join('\n');
}
