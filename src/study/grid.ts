import { LATER_POINT_KEYS, optionSpec, POINT_KEYS, pointParamsOf, type HydraOptions, type PointParams } from '../config/options';
import { ConfigError } from '../errors';
import type { StudyGrid } from './spec';

/**
 * Stable identity of a point's parameters. Two points with the same key measure the same thing,
 * so a rerun reuses the stored one instead of measuring it again.
 */
export function pointKey(params: PointParams): string {
  // Compared as text: a value such as a fault schedule is an object whose text is its stored form.
  return POINT_KEYS.filter((k) => !(k in LATER_POINT_KEYS) || String(params[k] ?? LATER_POINT_KEYS[k]) !== String(LATER_POINT_KEYS[k]))
    .map((k) => `${k}=${params[k]}`)
    .join(',');
}

/** Sub apps for a client count; the count must fill whole apps. */
export function subAppsFor(clientCount: number, clientsPerApp: number, source = '--clients'): number {
  if (!Number.isInteger(clientCount) || clientCount < clientsPerApp || clientCount % clientsPerApp !== 0) {
    throw new ConfigError(source, String(clientCount), `client counts must be multiples of clients_per_app (${clientsPerApp})`);
  }
  const apps = clientCount / clientsPerApp;
  const max = optionSpec('total_sub_apps').max ?? Infinity;
  if (apps > max) throw new ConfigError(source, String(clientCount), `needs ${apps} sub apps; at most ${max} (total_sub_apps)`);
  return apps;
}

/**
 * Points of a grid study in run order: client counts outermost, so the sub group is scaled as
 * rarely as possible, then workloads (a change of consumer settings replaces consumers), then
 * batch sizes, then rates.
 */
export function expandGrid(options: HydraOptions, grid: StudyGrid): PointParams[] {
  const points: PointParams[] = [];
  for (const clients of grid.client_counts) {
    const total_sub_apps = subAppsFor(clients, options.clients_per_app);
    for (const workload of grid.workloads ?? [{}]) {
      for (const msg_batch of grid.msg_batches) {
        for (const msg_rate of grid.msg_rates) {
          points.push({ ...pointParamsOf(options), ...workload, total_sub_apps, msg_rate, msg_batch });
        }
      }
    }
  }
  return points;
}

/** Points of `plan` that have no stored record yet (a rerun's or resume's work). */
export function missingPoints(plan: readonly PointParams[], doneKeys: ReadonlySet<string>): PointParams[] {
  const seen = new Set<string>();
  return plan.filter((p) => {
    const key = pointKey(p);
    if (doneKeys.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Sorted, de-duplicated union of two axes. */
export function unionAxis(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
