import { flagOn, type FlagDef, type ParsedArgs } from '../../config/flags';
import { StudyStopped } from '../../errors';
import { exportStudyPlots, writeStudyReport } from '../../plot/export';
import { formatFindings } from '../../present/findings';
import { formatPointsTable } from '../../present/table';
import { verdictText } from '../../present/columns';
import { summarySentences } from '../../present/summary';
import { type StudyOutcome, type StudyRunOptions } from '../../study/run';
import { StudyStore } from '../../study/store';
import { type CliIO } from '../command';
import { describeUnmeasured, studyProgress } from '../progress';
import { EXIT_FAILURE, EXIT_THRESHOLD } from '../exit-codes';
import { applyGate, junitFileOf } from './gate';
import { onShutdown } from '../shutdown';

/** Running a study from the command line: progress, Ctrl-C, the points table and summary, the report, the gate and the exit code. */

export const RETRY_FAILED_FLAG: FlagDef = { name: 'retry_failed', kind: 'bool', unit: '', help: 'also measure again the points stored as failed or invalid' };
export const REPORT_FLAG: FlagDef = { name: 'report', kind: 'bool', unit: '', help: 'at the end, write report.html and PNG plots into the study directory' };

/** report.html always (no browser needed), then PNGs; a missing Chromium costs only the PNGs. */
export async function writeReport(store: StudyStore, io: CliIO): Promise<boolean> {
  io.stderr.write(`hydra: report ${writeStudyReport(store)}\n`);
  try {
    for (const file of await exportStudyPlots(store, { formats: ['png'] })) io.stderr.write(`hydra: plot ${file}\n`);
    return true;
  } catch (err) {
    io.stderr.write(`hydra: PNG plots not written: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
}

/** Runs a study with progress output and Ctrl-C handling, then prints its table. */
export async function execute(io: CliIO, args: ParsedArgs, id: string, run: (opts: StudyRunOptions) => Promise<StudyOutcome>): Promise<number> {
  const quiet = flagOn(args, 'quiet');
  let release: (() => void) | undefined;
  const opts: StudyRunOptions = {
    onEvent: quiet ? undefined : studyProgress(io),
    openSession: io.openSession,
    retryFailed: flagOn(args, 'retry_failed'),
    allowCommands: flagOn(args, 'allow_commands'),
    // What the study will execute is said even under --quiet: it is not progress.
    onCommands: (lines) => {
      for (const line of lines) io.stderr.write(`hydra: ${line}\n`);
    },
    onSession: (session) => {
      release = onShutdown(async () => {
        await session.close();
        io.stderr.write(`hydra: finished points are saved; continue with: hydra study resume ${id}\n`);
      });
    },
  };
  let outcome: StudyOutcome;
  try {
    outcome = await run(opts);
  } catch (err) {
    // The study cannot go on (broker lost, disk full): one line, then how to continue.
    if (!(err instanceof StudyStopped)) throw err;
    io.stderr.write(`hydra: error: ${err.message}\nhydra: finished points are saved; continue with: hydra study resume ${id}\n`);
    return EXIT_FAILURE;
  } finally {
    release?.();
  }
  // Each point with its verdict worded as the table words it.
  const labelled = { ...outcome, points: outcome.points.map((p) => ({ ...p, verdict_label: verdictText(p) })) };
  if (flagOn(args, 'json')) io.stdout.write(JSON.stringify(labelled, null, 2) + '\n');
  else {
    io.stdout.write(formatPointsTable(outcome.points) + '\n');
    // What a reader wants first, per client count: where loss starts, what hydra held back.
    for (const sentence of summarySentences(outcome.points)) io.stdout.write(sentence + '\n');
    if (outcome.findings.length) io.stdout.write(formatFindings(outcome.findings) + '\n');
  }
  const plotted = flagOn(args, 'report') ? await writeReport(StudyStore.atDir(outcome.dir), io) : true;
  // A study with points that are not measurements of Kafka is not a success: say how to redo them.
  const failed = outcome.points.filter((p) => p.status === 'failed').length;
  const invalid = outcome.points.filter((p) => p.status === 'invalid').length;
  if (failed + invalid > 0)
    io.stderr.write(`hydra: ${describeUnmeasured(failed, invalid)}; measure them again with: hydra study resume ${outcome.id} --retry_failed\n`);
  const gateFailed = applyGate(io, outcome.id, outcome.points, StudyStore.atDir(outcome.dir).readSpec().options, junitFileOf(args));
  // A run that could not measure is a failure before it is a gate: 1 outranks 3.
  return failed + invalid > 0 || !plotted ? EXIT_FAILURE : gateFailed ? EXIT_THRESHOLD : 0;
}
