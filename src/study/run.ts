import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pointParamsOf, type HydraOptions, type PointParams } from '../config/options';
import { checkPointParam, checkPointParams } from '../config/rules';
import { checkLocalScale } from '../config/resolve';
import { checkSearchSettings } from '../config/search';
import { ConfigError, errorMessage, retryClass, StudyError, StudyInterrupted, StudyStopped } from '../errors';

export { StudyInterrupted } from '../errors';
import type { OpenPointRunner, PointRunner } from '../runner/point-runner';
import { findRateBoundary } from './boundary';
import type { EventSink } from './events';
import { expandGrid, pointKey, subAppsFor, unionAxis } from './grid';
import { checkWorkloads, unionWorkloads } from './workloads';
import { isOk, type PointRecord } from './record';
import { aggregateRepeats, repeatKey } from './repeats';
import { DEFAULT_RATE_SEARCH, type RateFinding, type RateSearchSettings, type StudyGrid, type StudyKind, type StudySpec } from './spec';
import { StudyStore } from './store';
import { runtimeVersions } from './versions';

/** HYDRA retried a point up to 4 times. */
export const MAX_ATTEMPTS = 4;

export interface StudyInput {
  kind: StudyKind;
  options: HydraOptions;
  /** Axes; missing ones default to the options' single value. */
  grid?: Partial<StudyGrid>;
  search?: Partial<RateSearchSettings>;
  /** Directory name under results_dir; default: `<kind>-<timestamp>-<random>`. */
  id?: string;
}

export interface StudyRunOptions {
  onEvent?: EventSink;
  /** Reuse a live runner (notebooks, tests); otherwise one is opened and closed. */
  session?: PointRunner;
  /** How to open a runner when none is given (default: a TestSession on real apps). */
  openSession?: OpenPointRunner;
  maxAttempts?: number;
  /** Called with the runner once it is open, so a CLI can close it on Ctrl-C. */
  onSession?: (session: PointRunner) => void;
  /** Measure again the points stored as failed or invalid (resume and rerun keep them otherwise). */
  retryFailed?: boolean;
}

export interface StudyOutcome {
  id: string;
  dir: string;
  points: PointRecord[];
  findings: RateFinding[];
  /** Points measured by this run (the rest were already stored). */
  measured: number;
}

/** The real runner, loaded when a study runs: `hydra --help` and `study show` need neither kafkajs nor ZeroMQ. */
export const openTestSession: OpenPointRunner = async (options, onEvent) => (await import('../runner/session')).TestSession.open(options, { onEvent });

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

/** Writes a new study's spec; nothing runs until runStudy. Bad axes or search settings throw first. */
export function createStudy(input: StudyInput): StudyStore {
  const o = input.options;
  checkPointParams(pointParamsOf(o), (key) => `options.${key}`);
  const grid: StudyGrid = {
    client_counts: input.grid?.client_counts ?? [o.total_sub_apps * o.clients_per_app],
    msg_rates: input.grid?.msg_rates ?? [o.msg_rate],
    msg_batches: input.grid?.msg_batches ?? [o.msg_batch],
    ...(input.grid?.workloads ? { workloads: input.grid.workloads } : {}),
  };
  checkGrid(grid, o, undefined, pointParamsOf(o));
  if (input.search) checkSearchSettings(input.search, (s) => `search.${s.key}`);
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
  };
  return StudyStore.create(o.results_dir, spec);
}

/**
 * Runs whatever of the study's plan has no stored point yet: all of it for a new study, the rest
 * for an interrupted one, the new points after a rerun (and, with `retryFailed`, the points stored
 * as failed or invalid). Each finished point is appended to disk before the next starts. The study
 * is locked while it runs, so two runs never measure one study at once.
 */
export async function runStudy(store: StudyStore, opts: StudyRunOptions = {}): Promise<StudyOutcome> {
  return runUnderLock(store, opts);
}

/** Runs the study under its lock; `prepare` changes the spec (rerun, resume) only once the lock is held. */
async function runUnderLock(store: StudyStore, opts: StudyRunOptions, prepare?: () => void): Promise<StudyOutcome> {
  const emit = opts.onEvent ?? (() => undefined);
  const release = store.lock();
  try {
    prepare?.();
    return await runLocked(store, opts, emit);
  } finally {
    release();
  }
}

async function runLocked(store: StudyStore, opts: StudyRunOptions, emit: EventSink): Promise<StudyOutcome> {
  const spec = store.readSpec();
  const stored = new Map(store.readPoints().map((r) => [r.key, r]));
  const unmeasured = [...stored.values()].filter((r) => r.status !== 'ok');
  if (opts.retryFailed) for (const r of unmeasured) stored.delete(r.key);
  else if (unmeasured.length > 0)
    emit({
      type: 'points-kept',
      failed: unmeasured.filter((r) => r.status === 'failed').length,
      invalid: unmeasured.filter((r) => r.status === 'invalid').length,
    });
  const session = opts.session ?? (await (opts.openSession ?? openTestSession)(spec.options, emit));
  opts.onSession?.(session);
  spec.brokers = [...session.broker.brokers];
  const cluster = (await session.cluster?.()) ?? null;
  if (cluster) spec.cluster = cluster;
  store.writeSpec(spec);
  let measured = 0;
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;

  const measure = async (params: PointParams, index: number, total: number, tags?: PointRecord['tags'], repeat = 0): Promise<PointRecord> => {
    const key = repeatKey(pointKey(params), repeat);
    const existing = stored.get(key);
    if (existing) return existing;
    emit({ type: 'point-start', index, total, params });
    const record = await measureWithRetries(session, params, maxAttempts, emit, tags, repeat);
    // Done only once its line is on disk: a disk error stops the study here, before "done" is said.
    store.appendPoint(record);
    stored.set(key, record);
    measured++;
    emit({ type: 'point-done', index, total, record });
    return record;
  };

  let findings: RateFinding[] = [];
  try {
    if (spec.kind === 'kafkarate') {
      findings = await runRateSearch(spec, store, measure, emit);
    } else {
      // Repetitions are interleaved across the grid (the whole grid once, then again), so drift
      // over the study does not bias one point.
      const grid = expandGrid(spec.options, spec.grid);
      const repeats = spec.options.repeats ?? 1;
      const plan = Array.from({ length: repeats }, (_, repeat) => grid.map((params) => ({ params, repeat }))).flat();
      const todo = plan.filter(({ params, repeat }) => !stored.has(repeatKey(pointKey(params), repeat)));
      const done = plan.length - todo.length;
      emit({ type: 'study-start', studyId: store.id, dir: store.dir, totalPoints: plan.length, donePoints: done });
      for (const [i, { params, repeat }] of todo.entries()) await measure(params, done + i, plan.length, undefined, repeat);
    }
    spec.status = 'done';
    store.writeSpec(spec);
    const points = store.readPoints();
    emit({
      type: 'study-done',
      studyId: store.id,
      dir: store.dir,
      points: points.length,
      failed: countStatus(points, 'failed'),
      invalid: countStatus(points, 'invalid'),
    });
    return { id: store.id, dir: store.dir, points, findings, measured };
  } finally {
    if (!opts.session) await session.close();
  }
}

function countStatus(points: readonly PointRecord[], status: PointRecord['status']): number {
  return points.filter((p) => p.status === status).length;
}

/**
 * Measures one point. A retriable failure, or a run whose apps did not all survive (faults), is
 * retried with fresh apps up to `maxAttempts` times; after the last attempt the point is stored
 * as failed (no figures) or invalid (figures kept for diagnosis, never plotted). A deterministic
 * failure (a rejected configuration) is stored as failed at once; a failure that stops the whole
 * study (the broker hydra started died, StudyStopped) is not stored at all.
 */
async function measureWithRetries(
  session: PointRunner,
  params: PointParams,
  maxAttempts: number,
  emit: EventSink,
  tags?: PointRecord['tags'],
  repeat = 0,
): Promise<PointRecord> {
  const started = new Date();
  // Why each earlier attempt was measured again: the record says it, not only how many there were.
  const retriedBecause: string[] = [];
  const base = (
    attempts: number,
  ): Pick<PointRecord, 'key' | 'params' | 'started_at' | 'elapsed_s' | 'attempts' | 'repeat' | 'retried_because'> & { tags?: PointRecord['tags'] } => ({
    key: repeatKey(pointKey(params), repeat),
    params,
    ...(repeat > 0 ? { repeat } : {}),
    started_at: started.toISOString(),
    elapsed_s: (Date.now() - started.getTime()) / 1000,
    attempts,
    ...(retriedBecause.length ? { retried_because: [...retriedBecause] } : {}),
    ...(tags ? { tags } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    if (session.isClosed) throw new StudyInterrupted('study interrupted; finished points are saved');
    let retryBecause: string;
    try {
      const run = await session.runPoint(params);
      const served = { topic: run.topic, sub_pids: run.subPids, apps: run.apps, ...(run.replaced.length ? { replaced: run.replaced } : {}) };
      if (run.faults.length === 0) return { ...base(attempt), status: 'ok', result: run.result, error: null, ...served };
      const reason = run.faults.join('; ');
      if (attempt >= maxAttempts) return { ...base(attempt), status: 'invalid', result: run.result, error: reason, ...served };
      retryBecause = `invalid (harness fault): ${reason}`;
    } catch (err) {
      if (session.isClosed) throw new StudyInterrupted('study interrupted; finished points are saved');
      if (err instanceof StudyStopped) throw err;
      const reason = errorMessage(err);
      const retry = retryClass(err);
      // A bug is stored at once, its stack kept where a developer will look.
      const error = !retry.retriable && retry.why === 'bug' ? `${reason} (a bug in hydra: ${logBug(session, params, err)})` : reason;
      if (!retry.retriable || attempt >= maxAttempts) return { ...base(attempt), status: 'failed', result: null, error, topic: null };
      retryBecause = reason;
    }
    retriedBecause.push(retryBecause);
    emit({ type: 'point-retry', attempt: attempt + 1, maxAttempts, params, error: retryBecause });
    // A retry gets fresh apps: the old ones may be the reason the point failed.
    await session.resetApps();
  }
}

/** Appends a bug's stack to the run's `runner.log`; says where it went. */
function logBug(session: PointRunner, params: PointParams, err: unknown): string {
  const file = path.join(session.logDir, 'runner.log');
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    fs.appendFileSync(file, `${new Date().toISOString()} point ${pointKey(params)}: ${stack}\n`);
    return `its stack is in ${file}`;
  } catch {
    return `its stack: ${stack.split('\n').slice(0, 3).join(' | ')}`;
  }
}

/** kafkarate: one boundary search per client count; probes already stored are reused, not remeasured. */
async function runRateSearch(
  spec: StudySpec,
  store: StudyStore,
  measure: (params: PointParams, index: number, total: number, tags?: PointRecord['tags'], repeat?: number) => Promise<PointRecord>,
  emit: EventSink,
): Promise<RateFinding[]> {
  const search = spec.search ?? DEFAULT_RATE_SEARCH;
  const repeats = spec.options.repeats ?? 1;
  const budget = spec.grid.client_counts.length * search.max_steps * repeats;
  emit({ type: 'study-start', studyId: store.id, dir: store.dir, totalPoints: budget, donePoints: 0 });
  const findings: RateFinding[] = [];
  let step = 0;
  for (const clientCount of spec.grid.client_counts) {
    const base: PointParams = {
      ...pointParamsOf(spec.options),
      total_sub_apps: subAppsFor(clientCount, spec.options.clients_per_app),
      msg_batch: spec.grid.msg_batches[0] ?? spec.options.msg_batch,
    };
    let harnessLimit: { limits: string[]; notes: string[]; achieved: number } | null = null;
    const result = await findRateBoundary(async (rate) => {
      // With repeats, the search decides on the mean of the rate's repetitions.
      const runs: PointRecord[] = [];
      for (let repeat = 0; repeat < repeats; repeat++)
        runs.push(await measure({ ...base, msg_rate: rate }, step++, budget, { search: 'kafkarate', client_count: clientCount }, repeat));
      const record = aggregateRepeats(runs)[0] as PointRecord;
      // Only a measurement of Kafka steers the search: an invalid or failed point ends it with what
      // is known, and so does a harness-limited one — there hydra, not Kafka, set the limit. A rate
      // Kafka held the publisher back at is a measurement of Kafka: beyond its boundary.
      if (!isOk(record)) return null;
      if (record.result.verdict === 'harness_limited') {
        harnessLimit ??= { limits: record.result.harness_limits, notes: record.result.harness_notes, achieved: record.result.average_tx_rate };
        return null;
      }
      const held = record.result.kafka_limits.includes('produce') ? record.result.kafka_notes.join('; ') : null;
      return { rate, rx_rate: record.result.average_rate, loss_pct: record.result.average_packet_loss, tx_rate: record.result.average_tx_rate, held };
    }, search);
    const stop = harnessLimit as { limits: string[]; notes: string[]; achieved: number } | null;
    const note = stop
      ? `Kafka's limit not reached: ${stop.notes.join('; ')} (the publisher sent ${Math.round(stop.achieved)} msg/s there); the rates found are lower bounds of Kafka's`
      : result.kafka_limit
        ? `${result.kafka_limit}; ${result.note}`
        : result.note;
    findings.push({
      client_count: clientCount,
      max_rate: result.max_rate,
      max_rx_rate: result.max_rx_rate,
      no_drop_rate: result.no_drop_rate,
      steps: result.probes.length,
      note,
      limited_by: stop ? stop.limits.join('+') : null,
      kafka_limited: result.kafka_limit !== null,
    });
    store.writeFindings(findings);
    emit({
      type: 'search-done',
      clientCount,
      maxRate: result.max_rate,
      noDropRate: result.no_drop_rate,
      note: result.note,
      limitedBy: stop ? stop.limits : null,
      kafkaLimit: result.kafka_limit,
    });
  }
  return findings;
}

/** Adds rates (or batches, client counts) to a study and runs only the points it does not have yet. */
export async function rerunStudy(resultsDir: string, id: string, changes: Partial<StudyGrid>, opts: StudyRunOptions = {}): Promise<StudyOutcome> {
  const store = StudyStore.open(resultsDir, id);
  const spec = store.readSpec();
  if (spec.kind === 'kafkarate' && (changes.msg_rates || changes.msg_batches))
    throw new StudyError('a kafkarate study chooses its own rates; rerun it with more --clients instead');
  const grid: StudyGrid = {
    client_counts: changes.client_counts ? unionAxis(spec.grid.client_counts, changes.client_counts) : spec.grid.client_counts,
    msg_rates: changes.msg_rates ? unionAxis(spec.grid.msg_rates, changes.msg_rates) : spec.grid.msg_rates,
    msg_batches: changes.msg_batches ? unionAxis(spec.grid.msg_batches, changes.msg_batches) : spec.grid.msg_batches,
    ...(changes.workloads || spec.grid.workloads
      ? { workloads: changes.workloads ? unionWorkloads(spec.grid.workloads ?? [{}], changes.workloads) : spec.grid.workloads }
      : {}),
  };
  // Check the changes by the same rules as a new study's grid, naming the changed field.
  checkGrid(
    {
      client_counts: changes.client_counts ?? grid.client_counts,
      msg_rates: changes.msg_rates ?? grid.msg_rates,
      msg_batches: changes.msg_batches ?? grid.msg_batches,
      ...(changes.workloads ? { workloads: changes.workloads } : {}),
    },
    spec.options,
    (axis, i) => `changes.${axis}${i === undefined ? '' : `[${i}]`}`,
    pointParamsOf(spec.options),
  );
  return runUnderLock(store, opts, () => {
    spec.grid = grid;
    spec.status = 'running';
    spec.history.push({ at: new Date().toISOString(), action: 'rerun', detail: JSON.stringify(changes) });
    store.writeSpec(spec);
  });
}

/** Finishes an interrupted study. */
export async function resumeStudy(resultsDir: string, id: string, opts: StudyRunOptions = {}): Promise<StudyOutcome> {
  const store = StudyStore.open(resultsDir, id);
  return runUnderLock(store, opts, () => {
    const spec = store.readSpec();
    spec.history.push({ at: new Date().toISOString(), action: 'resume' });
    store.writeSpec(spec);
  });
}
