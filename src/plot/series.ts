import { POINT_KEYS } from '../config/options';
import type { PointResult } from '../stats/result';
import { isFaulted, isOk, paramOf, type PointRecord } from '../study/record';
import { aggregateRepeats } from '../study/repeats';

/** How a study's points become the curves of its figures: one per client count, split by what else varies. */

/** Points of one curve: same client count (and batch size or workload, when a study varies them). */
export interface Series {
  name: string;
  clientCount: number;
  points: { record: PointRecord; result: PointResult }[];
}

function clientCountOf(r: PointRecord): number {
  return r.params.total_sub_apps * r.params.clients_per_app;
}

/** Parameters besides the rate and the client count that differ between the points: each splits the curves. */
export function splittingKeys(records: readonly PointRecord[]): (typeof POINT_KEYS)[number][] {
  return POINT_KEYS.filter((k) => k !== 'msg_rate' && k !== 'total_sub_apps' && new Set(records.map((r) => String(paramOf(r, k)))).size > 1);
}

/**
 * Groups finished points into one series per client count (HYDRA's traces), split by batch size
 * or any other parameter only when the points use more than one value of it (a study of message
 * sizes gets a curve per size), each sorted by achieved Tx rate.
 */
export function seriesByClientCount(records: readonly PointRecord[]): Series[] {
  // Repeats of a point are one point on the curve: their mean, with its confidence interval. A
  // point through planned faults is not the steady state: it has figures of its own.
  const ok = aggregateRepeats(records.filter((r) => !isFaulted(r))).filter(isOk);
  const split = splittingKeys(ok);
  const groups = new Map<string, Series>();
  for (const record of ok) {
    const clients = clientCountOf(record);
    const label = split.map((k) => `${k === 'msg_batch' ? 'batch' : k} ${String(paramOf(record, k))}`);
    const key = [clients, ...label].join('/');
    let s = groups.get(key);
    if (!s) {
      s = { name: [`${clients} client${clients === 1 ? '' : 's'}`, ...label].join(', '), clientCount: clients, points: [] };
      groups.set(key, s);
    }
    s.points.push({ record, result: record.result });
  }
  const series = [...groups.values()].sort((a, b) => a.clientCount - b.clientCount || a.name.localeCompare(b.name));
  for (const s of series) s.points.sort((a, b) => a.result.average_tx_rate - b.result.average_tx_rate);
  return series;
}
