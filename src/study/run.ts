import { StudyError } from '../errors';
import { checkThresholds, parseThresholds } from '../gate/thresholds';
import type { PointParams } from '../config/options';
import type { OpenPointRunner, PointRunner } from '../runner/point-runner';
import { checkClientLibraries } from '../client/rules';
import { checkGrid, studyClientLibraries } from './create';
import type { EventSink } from './events';
import { expandGrid, pointKey, unionAxis } from './grid';
import { unionWorkloads } from './workloads';
import type { PointRecord } from './record';
import { repeatKey } from './repeats';
import { MAX_ATTEMPTS, measureWithRetries } from './retry';
import { runRateSearch } from './rate-search';
import type { RateFinding, StudyGrid, StudySpec } from './spec';
import { StudyStore } from './store';
import { commandsSealedByUser, signCommands, storedCommands } from './trusted-commands';
import { commandListing, refuseFileCommands } from '../config/executes';
import * as path from 'node:path';
import { pointParamsOf } from '../config/options';

/**
 * Running a study's plan: what a new, interrupted or extended study has not measured yet, under
 * the study's lock, each point stored before the next starts. Creating a study is create.ts, one
 * point's retries retry.ts, kafkarate's search rate-search.ts.
 */

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
  /**
   * Run the commands the stored study executes even if this user did not seal them (the CLI's
   * `--allow_commands`, or a study it has just created from checked input); they are sealed then.
   */
  allowCommands?: boolean;
  /** Told the commands the study will execute, before anything starts (a CLI prints them even when quiet). */
  onCommands?: (lines: string[]) => void;
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

/**
 * The commands a stored study executes run only when this user sealed them or allows them now
 * (trusted-commands.ts): a study.json handed over or edited runs none unasked. Allowed, they are
 * sealed for the next resume. Says which commands will run.
 */
function checkStoredCommands(store: StudyStore, spec: StudySpec, opts: StudyRunOptions): StudySpec {
  const commands = storedCommands(spec, path.join(store.dir, 'study.json'));
  if (commands.length === 0) return spec;
  let checked = spec;
  if (!commandsSealedByUser(spec)) {
    refuseFileCommands(commands, opts.allowCommands ?? false);
    checked = signCommands(spec);
    store.writeSpec(checked);
  }
  opts.onCommands?.(commandListing(commands));
  return checked;
}

async function runLocked(store: StudyStore, opts: StudyRunOptions, emit: EventSink): Promise<StudyOutcome> {
  // A study this process has just created runs from the spec it holds; any other is read (and brought to the current shape).
  const spec = checkStoredCommands(store, store.createdSpec ?? store.readSpec(), opts);
  const stored = new Map(store.readPoints().map((r) => [r.key, r]));
  const unmeasured = [...stored.values()].filter((r) => r.status !== 'ok');
  if (opts.retryFailed) for (const r of unmeasured) stored.delete(r.key);
  else if (unmeasured.length > 0)
    emit({
      type: 'points-kept',
      failed: unmeasured.filter((r) => r.status === 'failed').length,
      invalid: unmeasured.filter((r) => r.status === 'invalid').length,
    });
  // A rerun may add a client library, and a study may resume on another machine (a study this
  // process has just created was checked with its input).
  if (!store.createdSpec) checkClientLibraries(studyClientLibraries(spec.options, spec.grid), spec.options, (name) => `options.${name}`);
  const session = opts.session ?? (await (opts.openSession ?? openTestSession)(spec.options, emit));
  opts.onSession?.(session);
  spec.brokers = [...session.broker.brokers];
  const cluster = (await session.cluster?.()) ?? null;
  if (cluster) spec.cluster = cluster;
  store.writeSpec(spec);
  let measured = 0;
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const thresholds = parseThresholds(spec.options.threshold ?? '', 'options.threshold');

  const measure = async (params: PointParams, index: number, total: number, tags?: PointRecord['tags'], repeat = 0): Promise<PointRecord> => {
    const key = repeatKey(pointKey(params), repeat);
    const existing = stored.get(key);
    if (existing) return existing;
    emit({ type: 'point-start', index, total, params });
    const measuredRecord = await measureWithRetries(session, params, maxAttempts, emit, tags, repeat);
    // The thresholds are judged as the point lands, and stored with it (a harness-limited point is not judged by them).
    const record: PointRecord =
      thresholds.length && measuredRecord.status === 'ok' && measuredRecord.result.verdict !== 'harness_limited'
        ? { ...measuredRecord, thresholds: checkThresholds(measuredRecord.result, thresholds, measuredRecord.fault, measuredRecord.broker) }
        : measuredRecord;
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
      const varied = [...new Set((spec.grid.workloads ?? []).flatMap((w) => Object.keys(w)))];
      emit({ type: 'study-start', studyId: store.id, dir: store.dir, totalPoints: plan.length, donePoints: done, varied });
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
      measured,
      harnessLimited: points.filter((p) => p.status === 'ok' && p.result.verdict === 'harness_limited').length,
    });
    return { id: store.id, dir: store.dir, points, findings, measured };
  } finally {
    if (!opts.session) await session.close();
  }
}

function countStatus(points: readonly PointRecord[], status: PointRecord['status']): number {
  return points.filter((p) => p.status === status).length;
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
  // What the study ran before is checked as stored; the workloads added now were typed, and are sealed with it.
  checkStoredCommands(store, spec, { ...opts, onCommands: undefined });
  return runUnderLock(store, opts, () => {
    spec.grid = grid;
    spec.status = 'running';
    spec.history.push({ at: new Date().toISOString(), action: 'rerun', detail: JSON.stringify(changes) });
    store.writeSpec(signCommands(spec));
  });
}

/** Finishes an interrupted study. */
export async function resumeStudy(resultsDir: string, id: string, opts: StudyRunOptions = {}): Promise<StudyOutcome> {
  const store = StudyStore.open(resultsDir, id);
  // Refused before the study's history says it was resumed.
  checkStoredCommands(store, store.readSpec(), { ...opts, onCommands: undefined });
  return runUnderLock(store, opts, () => {
    const spec = store.readSpec();
    spec.history.push({ at: new Date().toISOString(), action: 'resume' });
    store.writeSpec(spec);
  });
}
