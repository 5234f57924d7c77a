import * as yaml from 'js-yaml';
import { coerceValue } from '../config/flags';
import { DEFAULT_OPTIONS, OPTION_SPECS, type HydraOptions, type OptionSpec } from '../config/options';
import { checkSearchSettings, SEARCH_SPECS, type RateSearchSettings } from '../config/search';
import { didYouMean } from '../config/suggest';
import { ConfigError } from '../errors';
import { asObject, knownKeys, readYamlFile } from './yaml-file';
import { faultCommands, workloadCommands } from '../config/executes';
import type { StudyGrid, StudyKind, StudySpec } from './spec';
import { WORKLOAD_KEYS, type Workload } from './workloads';

/** The format of a study's workload file; a later hydra that changes it reads this one still. */
export const SPEC_FILE_VERSION = 1;

const KINDS: readonly StudyKind[] = ['kafka', 'sweep', 'kafkafixed', 'kafka-batch', 'kafkarate'];

/**
 * Settings that describe the workload — what each point asks of Kafka, what it does to it on
 * purpose (planned faults) and how it is judged (verdict, gate) — and
 * so travel with a study to another cluster. Where it ran (brokers, security, launcher, Kubernetes,
 * directories, control plane) belongs to the cluster and comes from that cluster's hydra.ini.
 */
const WORKLOAD_SECTIONS = new Set(['test', 'producer', 'consumer', 'verdict', 'faults', 'gate']);
const WORKLOAD_EXTRA = new Set<keyof HydraOptions>([
  'client_library',
  'topic_partitions',
  'topic_replication',
  'topic_min_insync_replicas',
  'topic_retention_ms',
  'topic_configs',
]);

/** The grid's axes say these: a single value beside them would only mislead a reader of the file. */
const GRID_AXES = new Set<keyof HydraOptions>(['msg_rate', 'msg_batch', 'total_sub_apps']);

export const SPEC_OPTION_SPECS: readonly OptionSpec[] = OPTION_SPECS.filter(
  (s) => ((s.ini && WORKLOAD_SECTIONS.has(s.ini[0])) || WORKLOAD_EXTRA.has(s.name)) && !GRID_AXES.has(s.name),
);

/** A study's workload as read from a file: its kind, grid, search and options, to run again elsewhere. */
export interface StudyPlan {
  kind: StudyKind;
  grid: StudyGrid;
  search: Partial<RateSearchSettings> | null;
  /** The workload's options, layered over hydra.ini and under flags. */
  options: Partial<HydraOptions>;
  /** The study it was taken from, for the record. */
  from?: string;
}

/**
 * `hydra study spec <id>`: the study's workload as YAML — kind, grid, kafkarate search, and every
 * workload option spelled out (not only the changed ones), so it means the same under a later
 * hydra whose defaults moved. Run it on another cluster with `hydra <kind> --spec=<file>`.
 */
export function studySpecYaml(spec: StudySpec): string {
  const options = Object.fromEntries(SPEC_OPTION_SPECS.map((s) => [s.name, spec.options[s.name]]));
  const doc = {
    hydra_spec: SPEC_FILE_VERSION,
    kind: spec.kind,
    from: spec.id,
    grid: {
      client_counts: spec.grid.client_counts,
      msg_rates: spec.grid.msg_rates,
      msg_batches: spec.grid.msg_batches,
      ...(spec.grid.workloads ? { workloads: spec.grid.workloads } : {}),
    },
    ...(spec.search ? { search: spec.search } : {}),
    options,
  };
  const passthrough = [...Object.values(spec.options.kafkajs ?? {}), ...Object.values(spec.options.librdkafka ?? {})].reduce(
    (n, section) => n + Object.keys(section as object).length,
    0,
  );
  const head = [
    `# hydra study workload, taken from study ${spec.id} (${spec.kind}, created ${spec.created_at})`,
    `# Run it on another cluster: hydra ${spec.kind === 'kafka' ? 'sweep' : spec.kind} --spec=<this file> --brokers=host:port`,
    '# Left out, as they belong to where a study runs: brokers, security settings and their secrets, broker metrics endpoints, launcher, Kubernetes,',
    '# directories and control plane (that cluster’s hydra.ini or flags give them); flags override this file.',
    ...(passthrough > 0
      ? [
          `# Also left out: ${passthrough} client propert${passthrough > 1 ? 'ies' : 'y'} passed through from hydra.ini ([client], [producer], [consumer]);`,
          '# copy them into that hydra.ini if the workload needs them (they may hold secrets).',
        ]
      : []),
    ...(storedFaultCommands(spec) ? ['# Its planned faults run commands: hydra runs a file’s commands only with --allow_commands.'] : []),
  ];
  // As stored: values such as a fault schedule are written as their text (toJSON).
  return `${head.join('\n')}\n${yaml.dump(JSON.parse(JSON.stringify(doc)), { lineWidth: 120, flowLevel: 2 })}`;
}

/** Reads a workload file written by `hydra study spec` (or by hand), every value checked and named by its place in the file. */
export function readStudyPlan(file: string, source = '--spec'): StudyPlan {
  const doc = readYamlFile(file, source, 'a workload file');
  const at = (where: string): string => `${file} ${where}`;
  const obj = asObject(doc, at('(top level)'));
  knownKeys(obj, ['hydra_spec', 'kind', 'from', 'grid', 'search', 'options'], at(''));
  if (obj.hydra_spec !== SPEC_FILE_VERSION)
    throw new ConfigError(at('hydra_spec'), String(obj.hydra_spec), `expected ${SPEC_FILE_VERSION} (a file written by hydra study spec)`);
  const kind = obj.kind as StudyKind;
  if (!KINDS.includes(kind)) throw new ConfigError(at('kind'), String(obj.kind), `expected ${KINDS.join(', ')}`);
  const grid = readGrid(asObject(obj.grid, at('grid')), at);
  const search = obj.search === undefined ? null : readSearch(asObject(obj.search, at('search')), at);
  const options = obj.options === undefined ? {} : readOptions(asObject(obj.options, at('options')), at);
  return { kind, grid, search, options, ...(typeof obj.from === 'string' ? { from: obj.from } : {}) };
}

/** The study's planned faults run commands (options or workloads). */
function storedFaultCommands(spec: StudySpec): boolean {
  const where = { source: 'study.json', fromFile: true };
  return faultCommands(spec.options.fault, where).length + workloadCommands(spec.grid.workloads, () => where).length > 0;
}

/** A YAML scalar (or list) as the text a flag would carry, so the option's own rule reads it. */
function asRaw(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(value.every((v) => typeof v === 'string' && v.includes('=')) ? ' ' : ',');
  return String(value);
}

function numberList(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new ConfigError(where, value === undefined ? undefined : JSON.stringify(value), 'expected a list of numbers, e.g. [500, 1000]');
  return value as number[];
}

function readGrid(g: Record<string, unknown>, at: (where: string) => string): StudyGrid {
  knownKeys(g, ['client_counts', 'msg_rates', 'msg_batches', 'workloads'], at('grid.'));
  const workloads =
    g.workloads === undefined
      ? undefined
      : (() => {
          if (!Array.isArray(g.workloads)) throw new ConfigError(at('grid.workloads'), undefined, 'expected a list of mappings');
          return g.workloads.map((w, i) => readWorkload(asObject(w, at(`grid.workloads[${i}]`)), at(`grid.workloads[${i}]`)));
        })();
  return {
    client_counts: numberList(g.client_counts, at('grid.client_counts')),
    msg_rates: numberList(g.msg_rates, at('grid.msg_rates')),
    msg_batches: numberList(g.msg_batches, at('grid.msg_batches')),
    ...(workloads ? { workloads } : {}),
  };
}

function readWorkload(w: Record<string, unknown>, where: string): Workload {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(w)) {
    const spec = OPTION_SPECS.find((s) => s.name === key);
    if (!spec || !(WORKLOAD_KEYS as readonly string[]).includes(key))
      throw new ConfigError(`${where}.${key}`, undefined, `not a workload key${didYouMean(key, WORKLOAD_KEYS)}`);
    out[key] = coerceValue(spec.kind, asRaw(value), `${where}.${key}`, spec);
  }
  return out as Workload;
}

function readSearch(s: Record<string, unknown>, at: (where: string) => string): Partial<RateSearchSettings> {
  const keys = SEARCH_SPECS.map((x) => x.key);
  knownKeys(s, keys, at('search.'));
  const out: Partial<RateSearchSettings> = {};
  for (const spec of SEARCH_SPECS)
    if (s[spec.key] !== undefined) out[spec.key] = coerceValue(spec.kind, asRaw(s[spec.key]), at(`search.${spec.key}`)) as number;
  checkSearchSettings(out, (spec) => at(`search.${spec.key}`));
  return out;
}

function readOptions(o: Record<string, unknown>, at: (where: string) => string): Partial<HydraOptions> {
  const names = SPEC_OPTION_SPECS.map((s) => s.name);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    const spec = SPEC_OPTION_SPECS.find((s) => s.name === key);
    if (!spec) {
      const elsewhere = key in DEFAULT_OPTIONS ? ' (where a study runs, not its workload: set it in hydra.ini or a flag)' : didYouMean(key, names);
      throw new ConfigError(at(`options.${key}`), undefined, `not a workload option${elsewhere}`);
    }
    out[key] = value === null ? DEFAULT_OPTIONS[spec.name] : coerceValue(spec.kind, asRaw(value), at(`options.${key}`), spec);
  }
  return out as Partial<HydraOptions>;
}
