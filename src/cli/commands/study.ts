import * as fs from 'node:fs';
import * as path from 'node:path';
import { coerceValue, flagOn, parseNumberList, type FlagDef, type ParsedArgs } from '../../config/flags';
import { optionSpec, pointParamsOf, type HydraOptions } from '../../config/options';
import { parseVary } from '../../study/workloads';
import { OPTION_FLAGS, resolveOptions } from '../../config/resolve';
import { checkSearchSettings, DEFAULT_RATE_SEARCH as DEFAULT_SEARCH_HELP, SEARCH_SPECS, type RateSearchSettings } from '../../config/search';
import { ConfigError, errorMessage, StudyStopped } from '../../errors';
import { didYouMean } from '../../config/suggest';
import { exportStudyPlots, writeStudyReport } from '../../plot/export';
import { exportPoints, type ExportFormat } from '../../present/export';
import { formatStudy, formatStudyList, summarizeStudy, type StudySummary } from '../../present/study';
import { formatFindings } from '../../present/findings';
import { formatPointsTable } from '../../present/table';
import { summarySentences } from '../../present/summary';
import { checkGrid, checkStudyInput, createStudy, type StudyInput } from '../../study/create';
import type { ResolvedOptions } from '../../config/resolve';
import type { PlannedStudy } from '../../present/warnings';
import { rerunStudy, resumeStudy, runStudy, type StudyOutcome, type StudyRunOptions } from '../../study/run';
import type { StudyGrid, StudyKind } from '../../study/spec';
import { damageWarnings, listStudyIds, StudyStore, type StoredPoints } from '../../study/store';
import { readStudyPlan, studySpecYaml, type StudyPlan } from '../../study/spec-file';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { describeUnmeasured, studyProgress } from '../progress';
import { EXIT_FAILURE, EXIT_THRESHOLD } from '../exit-codes';
import { applyGate, JUNIT_FLAG, junitFileOf } from './gate';
import { onShutdown } from '../shutdown';
import { ALLOW_COMMANDS_FLAG, announceCommands, endLeftovers, optionsFromFlags, preflight, warnAbout } from './options';
import { STUDY_ID_FLAG, studyIdFlag } from './study-id';

const CLIENTS_FLAG: FlagDef = {
  name: 'clients',
  kind: 'string',
  unit: 'n,n,...',
  help: 'subscriber client counts, multiples of clients_per_app (default: total_sub_apps × clients_per_app)',
};
const RATES_FLAG: FlagDef = { name: 'msg_rates', kind: 'string', unit: 'msg/s,...', help: 'message rates (default: --msg_rate)' };
const BATCHES_FLAG: FlagDef = { name: 'msg_batches', kind: 'string', unit: 'n,n,...', help: 'batch sizes (default: --msg_batch)' };
const VARY_FLAG: FlagDef = {
  name: 'vary',
  kind: 'string',
  unit: 'key=v,v;key=v,v',
  help: 'workloads: every combination of these values (e.g. msg_size=100,10000;compression=none,gzip), crossed with clients, batches and rates',
};

const SPEC_FLAG: FlagDef = {
  name: 'spec',
  kind: 'string',
  unit: 'file',
  help: "a study's workload file (hydra study spec <id> > study.yaml): its grid and options, over hydra.ini and under flags",
};

/** The workload file given with --spec, checked to fit the command it is run with. */
function planFromFlag(args: ParsedArgs, command: StudyKind): { file: string; plan: StudyPlan } | undefined {
  const raw = args.flags.get('spec');
  if (raw === undefined) return undefined;
  if (raw === true) throw new ConfigError('--spec', undefined, 'needs a file (hydra study spec <id> > study.yaml)');
  const plan = readStudyPlan(raw);
  // A one-point study's workload runs as a sweep of that point; a grid of one kind under another would read as what it is not.
  const runsAs = plan.kind === 'kafka' ? 'sweep' : plan.kind;
  if (runsAs !== command) throw new ConfigError('--spec', raw, `holds a ${plan.kind} study: run it with hydra ${runsAs} --spec=${raw}`);
  return { file: raw, plan };
}

const RETRY_FAILED_FLAG: FlagDef = { name: 'retry_failed', kind: 'bool', unit: '', help: 'also measure again the points stored as failed or invalid' };
const REPORT_FLAG: FlagDef = { name: 'report', kind: 'bool', unit: '', help: 'at the end, write report.html and PNG plots into the study directory' };

/** report.html always (no browser needed), then PNGs; a missing Chromium costs only the PNGs. */
async function writeReport(store: StudyStore, io: CliIO): Promise<boolean> {
  io.stderr.write(`hydra: report ${writeStudyReport(store)}\n`);
  try {
    for (const file of await exportStudyPlots(store, { formats: ['png'] })) io.stderr.write(`hydra: plot ${file}\n`);
    return true;
  } catch (err) {
    io.stderr.write(`hydra: PNG plots not written: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
}

const AXIS_FLAGS: Record<keyof StudyGrid, string> = { client_counts: '--clients', msg_rates: '--msg_rates', msg_batches: '--msg_batches', workloads: '--vary' };

/** Checks the grid the flags gave with the study's rules, naming the flag of a bad value. */
function checkFlagGrid(grid: Partial<StudyGrid>, options: HydraOptions): Partial<StudyGrid> {
  checkGrid(grid, options, (axis) => AXIS_FLAGS[axis], pointParamsOf(options));
  return grid;
}

/** The grid axes given as flags, each value checked by its option's rule (client counts: whole, at least 1). */
function gridFromFlags(args: ParsedArgs, defaults: Partial<StudyGrid> = {}): Partial<StudyGrid> {
  const list = (name: string, rule: Parameters<typeof parseNumberList>[2]): number[] | undefined => {
    const raw = args.flags.get(name);
    return raw === undefined ? undefined : parseNumberList(raw, `--${name}`, rule);
  };
  return {
    client_counts: list('clients', { kind: 'int', min: 1 }) ?? defaults.client_counts,
    msg_rates: list('msg_rates', optionSpec('msg_rate')) ?? defaults.msg_rates,
    msg_batches: list('msg_batches', optionSpec('msg_batch')) ?? defaults.msg_batches,
    ...(args.flags.has('vary')
      ? { workloads: parseVary(args.flags.get('vary') as string | true) }
      : defaults.workloads
        ? { workloads: defaults.workloads }
        : {}),
  };
}

/** A flag that names a single point's value cannot be combined with the flag that lists several. */
function refuseConflicts(args: ParsedArgs): void {
  for (const [single, list] of [
    ['msg_rate', 'msg_rates'],
    ['msg_batch', 'msg_batches'],
    ['total_sub_apps', 'clients'],
  ] as const) {
    if (args.flags.has(single) && args.flags.has(list)) throw new ConfigError(`--${single}`, undefined, `conflicts with --${list}; give one of them`);
  }
}

/** Runs a study with progress output and Ctrl-C handling, then prints its table. */
async function execute(io: CliIO, args: ParsedArgs, id: string, run: (opts: StudyRunOptions) => Promise<StudyOutcome>): Promise<number> {
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
  if (flagOn(args, 'json')) io.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
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

function gridCommand(name: StudyKind, summary: string, description: string, defaults: Partial<StudyGrid>): CliCommand {
  return {
    name,
    summary,
    usage: `hydra ${name} [--clients=n,n] [--msg_rates=r,r] [--msg_batches=b,b] [--vary=key=v,v;...] [point flags]`,
    description,
    flags: [
      CLIENTS_FLAG,
      RATES_FLAG,
      BATCHES_FLAG,
      VARY_FLAG,
      SPEC_FLAG,
      STUDY_ID_FLAG,
      REPORT_FLAG,
      JUNIT_FLAG,
      ALLOW_COMMANDS_FLAG,
      ...OPTION_FLAGS,
      JSON_FLAG,
      QUIET_FLAG,
      HELP_FLAG,
    ],
    async run(args, io) {
      refuseConflicts(args);
      const fromSpec = planFromFlag(args, name);
      const resolved = optionsFromFlags(args, fromSpec && { file: fromSpec.file, options: fromSpec.plan.options });
      const { options } = resolved;
      // The file's grid stands where the command's own defaults would; flags still override each axis.
      const grid = checkFlagGrid(gridFromFlags(args, fromSpec?.plan.grid ?? defaults), options);
      const input: StudyInput = { kind: name, options, grid, id: studyIdFlag(args) };
      return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: grid.msg_rates ?? [options.msg_rate] });
    },
  };
}

/**
 * A new study from the flags: every check of it naming the flags, before a directory is made or
 * anything starts; its commands listed; then created and run. Its commands were checked (typed,
 * or allowed) here, so the run executes them.
 */
async function runNewStudy(
  args: ParsedArgs,
  io: CliIO,
  resolved: ResolvedOptions,
  input: StudyInput,
  specFile: string | undefined,
  plan: PlannedStudy,
): Promise<number> {
  checkStudyInput(input, { option: resolved.sourceOf, axis: (axis) => workloadAxisSource(axis, args, specFile) });
  announceCommands(args, io, resolved, workloadsOrigin(args, input.grid ?? {}, specFile));
  await preflight(input.options, io);
  warnAbout(plan, io);
  const store = createStudy(input);
  return execute(io, args, store.id, (opts) => runStudy(store, { ...opts, allowCommands: true, onCommands: undefined }));
}

/** Where the study's workloads came from: --vary (typed) or the --spec file's grid (a file's). */
function workloadsOrigin(
  args: ParsedArgs,
  grid: Partial<StudyGrid>,
  specFile: string | undefined,
): { list: StudyGrid['workloads']; source: string; fromFile: boolean } {
  const typed = args.flags.has('vary') || specFile === undefined;
  return { list: grid.workloads, source: typed ? '--vary' : `${specFile ?? ''} grid.workloads`, fromFile: !typed };
}

/** How an axis is named in an error: its flag, or the --spec file's key when the file gave it. */
function workloadAxisSource(axis: keyof StudyGrid, args: ParsedArgs, specFile: string | undefined): string {
  const flag = AXIS_FLAGS[axis];
  return args.flags.has(flag.slice(2)) || specFile === undefined ? flag : `${specFile} grid.${axis}`;
}

export const sweepCommand = gridCommand(
  'sweep',
  'run a grid study: client counts × message rates × batch sizes',
  'Runs every combination, reusing the apps between points (the sub group is scaled, not relaunched).\n' +
    'Each finished point is appended to results/<study>/points.jsonl at once.',
  {},
);

export const kafkafixedCommand = gridCommand(
  'kafkafixed',
  'HYDRA kafkafixed: client counts × a fixed list of rates',
  "Like sweep, with HYDRA's notebook rate set (1000,1500,2000,3000 msg/s) unless --msg_rates is given.",
  { msg_rates: [1000, 1500, 2000, 3000] },
);

export const kafkaBatchCommand = gridCommand(
  'kafka-batch',
  'HYDRA kafka-batch: client counts × msg_batch values',
  'Like sweep over batch sizes (default 10,100,1000) at --msg_rate.',
  { msg_batches: [10, 100, 1000] },
);

const SEARCH_FLAGS: FlagDef[] = SEARCH_SPECS.map((spec) => ({
  name: spec.flag,
  kind: spec.kind,
  unit: spec.unit,
  min: spec.min,
  max: spec.max,
  help: spec.help,
  default: DEFAULT_SEARCH_HELP[spec.key],
}));

export const kafkarateCommand: CliCommand = {
  name: 'kafkarate',
  summary: 'HYDRA kafkarate: per client count, find the maximum rate and the no-drop rate',
  usage: 'hydra kafkarate [--clients=n,n] [--start_rate=R] [--loss_bound=0.5] [--precision=1] [point flags]',
  description:
    "Per client count: double the rate until the subscribers' received rate grows by less than --growth %\n" +
    '(maximum rate), then binary-search the highest rate whose loss is ≤ --loss_bound % to --precision %.\n' +
    'Every probe is a stored point; the found rates go to results/<study>/findings.json.',
  flags: [
    CLIENTS_FLAG,
    BATCHES_FLAG,
    SPEC_FLAG,
    STUDY_ID_FLAG,
    REPORT_FLAG,
    JUNIT_FLAG,
    ALLOW_COMMANDS_FLAG,
    ...SEARCH_FLAGS,
    ...OPTION_FLAGS,
    JSON_FLAG,
    QUIET_FLAG,
    HELP_FLAG,
  ],
  async run(args, io) {
    refuseConflicts(args);
    const fromSpec = planFromFlag(args, 'kafkarate');
    const resolved = optionsFromFlags(args, fromSpec && { file: fromSpec.file, options: fromSpec.plan.options });
    const { options } = resolved;
    const search: Partial<RateSearchSettings> = { ...fromSpec?.plan.search };
    for (const spec of SEARCH_SPECS) {
      const raw = args.flags.get(spec.flag);
      if (raw !== undefined) search[spec.key] = coerceValue(spec.kind, raw, `--${spec.flag}`) as number;
    }
    checkSearchSettings(search);
    const grid = checkFlagGrid(
      gridFromFlags(args, fromSpec ? { client_counts: fromSpec.plan.grid.client_counts, msg_batches: fromSpec.plan.grid.msg_batches } : {}),
      options,
    );
    const settings = { ...DEFAULT_SEARCH_HELP, ...search };
    const input: StudyInput = { kind: 'kafkarate', options, grid, search, id: studyIdFlag(args) };
    return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: [settings.start_rate], lossBoundPct: settings.loss_bound_pct });
  },
};

export const RESULTS_FLAG: FlagDef = {
  name: 'results_dir',
  kind: 'string',
  unit: 'path',
  help: 'directory holding studies (default: results, or [results] dir)',
};
export const CONFIG_FLAG: FlagDef = { name: 'config_file', kind: 'string', unit: 'path', help: 'ini file to read (default: hydra.ini)' };

/**
 * The results directory the flags (or hydra.ini) name. Opening it ends what an earlier hydra that
 * died outright left running there (its planned faults' commands), and says so.
 */
export function resultsDirOf(args: ParsedArgs, io: CliIO): string {
  const raw = args.flags.get('results_dir');
  const cfg = args.flags.get('config_file');
  // Only the directory is read here: nothing runs, so commands hydra.ini may name are not at issue.
  const dir =
    typeof raw === 'string'
      ? raw
      : resolveOptions(typeof cfg === 'string' ? { config_file: cfg } : {}, { overrideSource: 'flag', allowCommands: true }).results_dir;
  endLeftovers(dir, io);
  return dir;
}

/** A study's points, each damaged line of its points.jsonl named on stderr first. */
export function readStudyPoints(store: StudyStore, io: CliIO): StoredPoints {
  const stored = store.readStored();
  for (const warning of damageWarnings(store, stored.damaged)) io.stderr.write(`hydra: warning: ${warning}\n`);
  return stored;
}

const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

function exportFormat(args: ParsedArgs): ExportFormat {
  const raw = args.flags.get('format') ?? 'csv';
  if (raw === true || !(EXPORT_FORMATS as readonly string[]).includes(raw))
    throw new ConfigError('--format', raw === true ? undefined : raw, 'expected csv or jsonl');
  return raw as ExportFormat;
}

export const studyCommand: CliCommand = {
  name: 'study',
  summary: 'list, show, export, rerun or resume stored studies',
  usage:
    'hydra study list | show <id> | export <id> [--format=csv|jsonl] [--out=file|-] | spec <id> [--out=file] | rerun <id> [--msg_rates=..] [--clients=..] [--msg_batches=..] [--vary=..] | resume <id>',
  maxPositionals: 2,
  description:
    '  list            one row per study in results_dir: points by verdict, broker (--json: an array)\n' +
    "  show <id>       the study's parameters and a table of its points\n" +
    '  export <id>     write points.csv (or --format=jsonl: points.jsonl) into the study directory, or --out (- = stdout)\n' +
    "  spec <id>       the study's workload as YAML (stdout, or --out): run it elsewhere with hydra <kind> --spec=file\n" +
    '  rerun <id>      add rates/clients/batches; runs only the points the study does not have\n' +
    '  resume <id>     finish an interrupted study\n' +
    'rerun and resume keep points stored as failed or invalid unless --retry_failed is given.',
  flags: [
    RESULTS_FLAG,
    CONFIG_FLAG,
    CLIENTS_FLAG,
    RATES_FLAG,
    BATCHES_FLAG,
    VARY_FLAG,
    RETRY_FAILED_FLAG,
    REPORT_FLAG,
    JUNIT_FLAG,
    ALLOW_COMMANDS_FLAG,
    { name: 'out', kind: 'string', unit: 'path', help: 'export, spec: output file, - for stdout' },
    { name: 'format', kind: 'string', unit: 'csv|jsonl', help: 'export: file format (default: csv)' },
    JSON_FLAG,
    QUIET_FLAG,
    HELP_FLAG,
  ],
  async run(args, io) {
    const [sub, id] = args.positionals;
    const resultsDir = resultsDirOf(args, io);
    const needId = (): string => {
      if (!id) throw new ConfigError('study id', undefined, `missing: hydra study ${sub ?? ''} <id> (hydra study list shows them)`);
      return id;
    };
    switch (sub) {
      case 'list': {
        const ids = listStudyIds(resultsDir);
        if (ids.length === 0 && !flagOn(args, 'json')) io.stderr.write(`hydra: no studies in ${resultsDir}\n`);
        const rows: StudySummary[] = [];
        for (const sid of ids) {
          // One unreadable study is named, and the others are still listed.
          try {
            const store = StudyStore.open(resultsDir, sid);
            const spec = store.readSpec();
            const { points, damaged } = readStudyPoints(store, io);
            rows.push(summarizeStudy(spec, points, damaged.length));
          } catch (err) {
            io.stderr.write(`hydra: study '${sid}' is unreadable: ${errorMessage(err)}\n`);
          }
        }
        if (flagOn(args, 'json')) io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        else if (rows.length > 0) io.stdout.write(formatStudyList(rows) + '\n');
        return 0;
      }
      case 'show': {
        const store = StudyStore.open(resultsDir, needId());
        const spec = store.readSpec();
        const { points, damaged } = readStudyPoints(store, io);
        const findings = store.readFindings();
        if (flagOn(args, 'json')) io.stdout.write(JSON.stringify({ spec, points, findings, damaged_lines: damaged }, null, 2) + '\n');
        else io.stdout.write(formatStudy(spec, points, findings, store.dir, damaged.length));
        return 0;
      }
      case 'export': {
        const format = exportFormat(args);
        const store = StudyStore.open(resultsDir, needId());
        const text = exportPoints(readStudyPoints(store, io).points, format, store.id);
        const out = args.flags.get('out');
        // `--out=-` writes to stdout, for pipes.
        if (out === '-') {
          io.stdout.write(text);
          return 0;
        }
        const file = typeof out === 'string' ? out : path.join(store.dir, `points.${format}`);
        fs.writeFileSync(file, text);
        io.stdout.write(file + '\n');
        return 0;
      }
      case 'spec': {
        const store = StudyStore.open(resultsDir, needId());
        const text = studySpecYaml(store.readSpec());
        const out = args.flags.get('out');
        if (typeof out === 'string' && out !== '-') {
          fs.writeFileSync(out, text);
          io.stdout.write(out + '\n');
        } else io.stdout.write(text);
        return 0;
      }
      case 'rerun': {
        const sid = needId();
        const changes = gridFromFlags(args);
        const clean = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<StudyGrid>;
        if (Object.keys(clean).length === 0 && !flagOn(args, 'retry_failed'))
          throw new ConfigError('rerun', undefined, 'give --msg_rates, --clients, --msg_batches or --vary to add (or --retry_failed)');
        return execute(io, args, sid, (opts) => rerunStudy(resultsDir, sid, clean, opts));
      }
      case 'resume': {
        const sid = needId();
        return execute(io, args, sid, (opts) => resumeStudy(resultsDir, sid, opts));
      }
      default:
        throw new ConfigError(
          'subcommand',
          sub,
          `expected list, show, export, spec, rerun or resume${didYouMean(sub ?? '', ['list', 'show', 'export', 'spec', 'rerun', 'resume'])}`,
        );
    }
  },
};
