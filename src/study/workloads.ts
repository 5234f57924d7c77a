import { coerceValue } from '../config/flags';
import { optionSpec, POINT_KEYS, type PointParams } from '../config/options';
import { checkPointParams } from '../config/rules';
import { checkClientPoint } from '../client/rules';
import { ConfigError } from '../errors';

/** Point parameters a study can vary besides its axes (client counts, rates, batch sizes): the workload's shape and the clients' settings. */
export const WORKLOAD_KEYS = POINT_KEYS.filter((k) => !['total_sub_apps', 'clients_per_app', 'msg_rate', 'msg_batch', 'payload_file'].includes(k));
export type WorkloadKey = (typeof WORKLOAD_KEYS)[number];

/** One workload of a study: the parameters it sets over the study's options (e.g. `{ msg_size: 1000, compression: 'gzip' }`). */
export type Workload = Partial<Pick<PointParams, WorkloadKey>>;

/**
 * Reads `--vary=msg_size=100,1000;compression=none,gzip`: each `key=v,v` an axis, the workloads
 * every combination of them. Values are read and checked by the option's own rule.
 */
export function parseVary(raw: string | true, source = '--vary'): Workload[] {
  if (raw === true || raw.trim() === '') throw new ConfigError(source, undefined, 'needs key=value,value[;key=value,...]');
  const axes: [WorkloadKey, unknown[]][] = [];
  for (const part of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = (eq > 0 ? part.slice(0, eq).trim() : part) as WorkloadKey;
    if (!WORKLOAD_KEYS.includes(key))
      throw new ConfigError(source, part, `cannot vary '${key}' (one of: ${WORKLOAD_KEYS.join(', ')}; rates, batches and clients have flags of their own)`);
    if (axes.some(([k]) => k === key)) throw new ConfigError(source, part, `${key} is given twice`);
    const spec = optionSpec(key);
    const values = part
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => coerceValue(spec.kind, v, `${source} ${key}`, spec));
    if (values.length === 0) throw new ConfigError(source, part, `no values for ${key}`);
    // As text: a fault schedule is an object whose text is its value.
    const dup = values.find((v, i) => values.findIndex((w) => String(w) === String(v)) !== i);
    if (dup !== undefined) throw new ConfigError(source, part, `${String(dup)} is listed twice`);
    axes.push([key, values]);
  }
  let workloads: Workload[] = [{}];
  for (const [key, values] of axes) workloads = workloads.flatMap((w) => values.map((v) => ({ ...w, [key]: v })));
  return workloads;
}

/** Checks each workload over `base` with the point rules, naming `grid.workloads[i].key` (or the caller's source); the list is not empty. */
export function checkWorkloads(
  workloads: readonly Workload[],
  base: PointParams,
  sourceOf: (index: number, key: string) => string,
  baseSourceOf: (key: string) => string = (key) => `options.${key}`,
): void {
  workloads.forEach((w, i) => {
    for (const key of Object.keys(w))
      if (!WORKLOAD_KEYS.includes(key as WorkloadKey)) throw new ConfigError(sourceOf(i, key), undefined, 'is not a workload parameter');
    // A value the workload sets is named as the workload's; any other came from the study's options.
    const source = (key: string): string => (key in w ? sourceOf(i, key) : baseSourceOf(key));
    checkPointParams({ ...base, ...w }, source);
    checkClientPoint({ ...base, ...w }, source);
  });
  const seen = workloads.map(workloadLabel);
  const dup = seen.find((l, i) => seen.indexOf(l) !== i);
  if (dup !== undefined) throw new ConfigError(sourceOf(seen.lastIndexOf(dup), ''), dup, 'is listed twice');
}

/** A workload as text: `msg_size=1000, compression=gzip` ('' for the study's own options). */
export function workloadLabel(w: Workload): string {
  return Object.entries(w)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** Workloads of `a`, then those of `b` it lacks (a rerun adding workloads). */
export function unionWorkloads(a: readonly Workload[], b: readonly Workload[]): Workload[] {
  const labels = new Set(a.map(workloadLabel));
  return [...a, ...b.filter((w) => !labels.has(workloadLabel(w)))];
}
