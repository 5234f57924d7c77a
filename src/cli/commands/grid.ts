import { coerceValue, parseNumberList, type FlagDef, type ParsedArgs } from '../../config/flags';
import { optionSpec } from '../../config/options';
import { parseVary } from '../../study/workloads';
import { OPTION_FLAGS } from '../../config/resolve';
import { checkSearchSettings, DEFAULT_RATE_SEARCH as DEFAULT_SEARCH_HELP, SEARCH_SPECS, type RateSearchSettings } from '../../config/search';
import { ConfigError } from '../../errors';
import { checkStudyInput, createStudy, type StudyInput } from '../../study/create';
import type { ResolvedOptions } from '../../config/resolve';
import type { PlannedStudy } from '../../present/warnings';
import { runStudy } from '../../study/run';
import type { StudyGrid, StudyKind } from '../../study/spec';
import { readStudyPlan, type StudyPlan } from '../../study/spec-file';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { JUNIT_FLAG } from './gate';
import { ALLOW_COMMANDS_FLAG, announceCommands, optionsFromFlags, preflight, warnAbout } from './options';
import { STUDY_ID_FLAG, studyIdFlag } from './study-id';
import { execute, REPORT_FLAG } from './run-study';

/** The commands that create and run a new study: sweep, kafkafixed, kafka-batch and kafkarate. */

export const CLIENTS_FLAG: FlagDef = {
  name: 'clients',
  kind: 'string',
  unit: 'n,n,...',
  help: 'subscriber client counts, multiples of clients_per_app (default: total_sub_apps × clients_per_app)',
};
export const RATES_FLAG: FlagDef = { name: 'msg_rates', kind: 'string', unit: 'msg/s,...', help: 'message rates (default: --msg_rate)' };
export const BATCHES_FLAG: FlagDef = { name: 'msg_batches', kind: 'string', unit: 'n,n,...', help: 'batch sizes (default: --msg_batch)' };
export const VARY_FLAG: FlagDef = {
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

const AXIS_FLAGS: Record<keyof StudyGrid, string> = { client_counts: '--clients', msg_rates: '--msg_rates', msg_batches: '--msg_batches', workloads: '--vary' };

/** The grid axes given as flags, each value checked by its option's rule (client counts: whole, at least 1). */
export function gridFromFlags(args: ParsedArgs, defaults: Partial<StudyGrid> = {}): Partial<StudyGrid> {
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

function gridCommand(name: StudyKind, summary: string, description: string, defaults: Partial<StudyGrid>): CliCommand {
  return {
    name,
    summary,
    usage: `hydra ${name} [--clients=n,n] [--msg_rates=r,r] [--msg_batches=b,b] [--vary=key=v,v;...] [point flags]`,
    description,
    flags: newStudyFlags([CLIENTS_FLAG, RATES_FLAG, BATCHES_FLAG, VARY_FLAG]),
    async run(args, io) {
      const { fromSpec, resolved } = studyOptionsOf(args, name);
      const { options } = resolved;
      // The file's grid stands where the command's own defaults would; flags still override each axis.
      const grid = gridFromFlags(args, fromSpec?.plan.grid ?? defaults);
      const input: StudyInput = { kind: name, options, grid, id: studyIdFlag(args) };
      return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: grid.msg_rates ?? [options.msg_rate] });
    },
  };
}

/** The flags of a command that makes a new study: its axes, the workload file, the study's own, then the point flags. */
function newStudyFlags(axes: readonly FlagDef[], own: readonly FlagDef[] = []): FlagDef[] {
  return [...axes, SPEC_FLAG, STUDY_ID_FLAG, REPORT_FLAG, JUNIT_FLAG, ALLOW_COMMANDS_FLAG, ...own, ...OPTION_FLAGS, JSON_FLAG, QUIET_FLAG, HELP_FLAG];
}

/** A new study's options from its flags, over its workload file when --spec names one. */
function studyOptionsOf(args: ParsedArgs, command: StudyKind): { fromSpec: ReturnType<typeof planFromFlag>; resolved: ResolvedOptions } {
  refuseConflicts(args);
  const fromSpec = planFromFlag(args, command);
  return { fromSpec, resolved: optionsFromFlags(args, fromSpec && { file: fromSpec.file, options: fromSpec.plan.options }) };
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
  const checked = checkStudyInput(input, { option: resolved.sourceOf, axis: (axis) => workloadAxisSource(axis, args, specFile) });
  announceCommands(args, io, resolved, workloadsOrigin(args, input.grid ?? {}, specFile));
  await preflight(input.options, io);
  warnAbout(plan, io);
  const store = createStudy(checked);
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
  flags: newStudyFlags([CLIENTS_FLAG, BATCHES_FLAG], SEARCH_FLAGS),
  async run(args, io) {
    const { fromSpec, resolved } = studyOptionsOf(args, 'kafkarate');
    const { options } = resolved;
    const search: Partial<RateSearchSettings> = { ...fromSpec?.plan.search };
    for (const spec of SEARCH_SPECS) {
      const raw = args.flags.get(spec.flag);
      if (raw !== undefined) search[spec.key] = coerceValue(spec.kind, raw, `--${spec.flag}`) as number;
    }
    checkSearchSettings(search);
    const grid = gridFromFlags(args, fromSpec ? { client_counts: fromSpec.plan.grid.client_counts, msg_batches: fromSpec.plan.grid.msg_batches } : {});
    const settings = { ...DEFAULT_SEARCH_HELP, ...search };
    const input: StudyInput = { kind: 'kafkarate', options, grid, search, id: studyIdFlag(args) };
    return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: [settings.start_rate], lossBoundPct: settings.loss_bound_pct });
  },
};
