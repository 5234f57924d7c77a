import type { PointParams } from '../config/options';

/** A count with its thousands set apart, as people read it: 300000 → "300 000". */
export function groupedNumber(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) < 10000) return String(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/**
 * A point as messages name it — "2 clients, 300 000 msg/s, batch 100" — with the study's varied
 * workload keys when it has any ("…, msg_size=1000"), never its internal key.
 */
export function pointName(p: PointParams, varied: readonly string[] = []): string {
  const workload = varied.map((k) => `, ${k}=${String(p[k as keyof PointParams])}`).join('');
  return `${p.total_sub_apps * p.clients_per_app} clients, ${groupedNumber(p.msg_rate)} msg/s, batch ${p.msg_batch}${workload}`;
}
