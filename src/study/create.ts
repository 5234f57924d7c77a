import * as crypto from 'node:crypto';
import { checkClientLibraries, checkClientPoint } from '../client/rules';
import { pointParamsOf, type ClientLibraryName, type HydraOptions, type PointParams } from '../config/options';
import { checkPointParam, checkPointParams } from '../config/rules';
import { checkLocalScale, wasResolved } from '../config/resolve';
import { checkSearchSettings } from '../config/search';
import { ConfigError } from '../errors';
import { parseThresholds } from '../gate/thresholds';
import { checkFaultPlace, checkFaultSchedule } from '../faults/checks';
import { subAppsFor } from './grid';
import { DEFAULT_RATE_SEARCH, type RateSearchSettings, type StudyGrid, type OmbOrigin, type StudyKind, type StudySpec } from './spec';
import { StudyStore } from './store';
import { runtimeVersions } from './versions';
import { checkWorkloads } from './workloads';
import { signCommands } from './trusted-commands';

/** What a new study is: its kind, options, axes and search settings. */
export interface StudyInput {
  kind: StudyKind;
  options: HydraOptions;
  /** Axes; missing ones default to the options' single value. */
  grid?: Partial<StudyGrid>;
  search?: Partial<RateSearchSettings>;
  /** Directory name under results_dir; default: `<kind>-<timestamp>-<random>`. */
  id?: string;
  /** The OMB workload it runs (stored with the study: its name heads an OMB export). */
  omb?: OmbOrigin;
}

/**
 * Checks a grid's axes with the option table's rules, naming the library field of a bad value
 * (`grid.msg_rates[1]`); a study with a bad axis is refused before anything is stored or launched.
 */
export function checkGrid(
  grid: Partial<StudyGrid>,
  options: Pick<HydraOptions, 'clients_per_app' | 'launcher'>,
  sourceOf: (axis: keyof StudyGrid, index?: number) => string = (axis, i) => `grid.${axis}${i === undefined ? '' : `[${i}]`}`,
  base?: PointParams,
): void {
  const axis = (name: keyof StudyGrid, values: number[] | undefined, check: (v: number, source: string) => void): void => {
    if (values === undefined) return;
    if (values.length === 0) throw new ConfigError(sourceOf(name), undefined, 'is empty');
    values.forEach((v, i) => check(v, sourceOf(name, i)));
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) throw new ConfigError(sourceOf(name), values.join(','), `lists ${dup} twice`);
  };
  axis('client_counts', grid.client_counts, (v, source) =>
    checkLocalScale(subAppsFor(v, options.clients_per_app, source), options.launcher, source, String(v)),
  );
  axis('msg_rates', grid.msg_rates, (v, source) => checkPointParam('msg_rate', v, source));
  axis('msg_batches', grid.msg_batches, (v, source) => checkPointParam('msg_batch', v, source));
  if (grid.workloads?.length === 0) throw new ConfigError(sourceOf('workloads'), undefined, 'is empty');
  if (grid.workloads !== undefined && base) {
    // A field path reads grid.workloads[1].acks; a flag reads --vary acks.
    const keyOf = (i: number, key: string): string => {
      const at = sourceOf('workloads', i);
      return key ? `${at}${at.startsWith('--') ? ' ' : '.'}${key}` : at;
    };
    const fromFlags = sourceOf('workloads').startsWith('--');
    checkWorkloads(grid.workloads, base, keyOf, (key) => (fromFlags ? `--${key}` : `options.${key}`));
  }
}

/**
 * Refuses a study whose planned faults cannot run in one of its points (an app its client count
 * does not have, a window too short) or in its setup (stop=/kill= with apps on other hosts,
 * broker=stop on a real cluster). `source` names the options' fault, `workloadSource(i)` workload i's.
 */
export function checkStudyFaults(
  o: HydraOptions,
  grid: StudyGrid,
  search = false,
  source = 'options.fault',
  workloadSource: (index: number) => string = (i) => `grid.workloads[${i}].fault`,
): void {
  const where = { localApps: o.launcher === 'local', embeddedBroker: o.brokers.length === 0 };
  (grid.workloads ?? [{}]).forEach((workload, i) => {
    const from = workload.fault !== undefined ? workloadSource(i) : source;
    for (const clients of grid.client_counts) {
      const p = { ...pointParamsOf(o), ...workload, total_sub_apps: subAppsFor(clients, o.clients_per_app) };
      const faults = p.fault.faults;
      if (search && faults.length > 0)
        throw new ConfigError(
          from,
          p.fault.text,
          'a rate search looks for the steady-state boundary, which a planned fault would move; run the faults in a sweep (hydra sweep --fault=...)',
        );
      checkFaultSchedule(faults, p, from);
      checkFaultPlace(faults, where, from);
    }
  });
}

/** The client libraries a study's points use: its options' and its workloads'. */
export function studyClientLibraries(options: Pick<HydraOptions, 'client_library'>, grid: Partial<StudyGrid>): ClientLibraryName[] {
  return [options.client_library, ...(grid.workloads ?? []).flatMap((w) => (w.client_library ? [w.client_library] : []))];
}

/** How a study's input names its values in errors: the library's fields by default, the flags for the CLI. */
export interface StudyInputSources {
  option(name: keyof HydraOptions): string;
  axis?(axis: keyof StudyGrid, index?: number): string;
}

const FIELD_SOURCES: StudyInputSources = { option: (name) => `options.${name}` };

/**
 * Every check a new study gets, before anything is stored, created or launched: its options as a
 * point, its axes, its client libraries, its search, its thresholds and its planned faults in
 * every point. Returns the study, checked, with its grid. The CLI calls it before it makes a directory, naming the flags.
 */
export function checkStudyInput(input: StudyInput, sources: StudyInputSources = FIELD_SOURCES): CheckedStudy {
  const o = input.options;
  // Options as resolveOptions checked them (flags, hydra.ini) are not checked value by value again.
  if (!wasResolved(o)) checkPointParams(pointParamsOf(o), (key) => sources.option(key));
  checkClientPoint(o, (key) => sources.option(key));
  const grid: StudyGrid = {
    client_counts: input.grid?.client_counts ?? [o.total_sub_apps * o.clients_per_app],
    msg_rates: input.grid?.msg_rates ?? [o.msg_rate],
    msg_batches: input.grid?.msg_batches ?? [o.msg_batch],
    ...(input.grid?.workloads ? { workloads: input.grid.workloads } : {}),
  };
  checkGrid(grid, o, sources.axis, pointParamsOf(o));
  checkClientLibraries(studyClientLibraries(o, grid), o, (name) => sources.option(name));
  if (input.search) checkSearchSettings(input.search, (s) => `search.${s.key}`);
  parseThresholds(o.threshold, sources.option('threshold'));
  const workloads = sources.axis?.('workloads') ?? 'grid.workloads';
  checkStudyFaults(o, grid, input.search !== undefined, sources.option('fault'), (i) =>
    workloads.startsWith('--') ? `${workloads} fault` : `${workloads}[${i}].fault`,
  );
  return { input, grid, [CHECKED]: true };
}

const CHECKED = Symbol('checked study');

/** A study's input as checkStudyInput passed it, with its grid: createStudy stores it without checking it again. */
export interface CheckedStudy {
  input: StudyInput;
  grid: StudyGrid;
  [CHECKED]: true;
}

/**
 * Writes a new study's spec; nothing runs until runStudy. Bad axes or search settings throw first
 * (a study checkStudyInput already passed, with the sources that name its values, is not checked again).
 */
export function createStudy(given: StudyInput | CheckedStudy): StudyStore {
  const { input, grid } = CHECKED in given ? given : checkStudyInput(given);
  const o = input.options;
  const now = new Date();
  const spec: StudySpec = {
    id: input.id ?? `${input.kind}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${crypto.randomBytes(2).toString('hex')}`,
    kind: input.kind,
    created_at: now.toISOString(),
    options: o,
    grid,
    search: input.kind === 'kafkarate' ? { ...DEFAULT_RATE_SEARCH, ...input.search } : null,
    versions: runtimeVersions(),
    brokers: [],
    history: [{ at: now.toISOString(), action: 'create' }],
    status: 'running',
    ...(input.omb ? { omb: input.omb } : {}),
  };
  return StudyStore.create(o.results_dir, signCommands(spec));
}
