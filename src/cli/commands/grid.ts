import { type FlagDef, type ParsedArgs } from '../../config/flags';
import { DEFAULT_RATE_SEARCH as DEFAULT_SEARCH_HELP } from '../../config/search';
import { ConfigError } from '../../errors';
import type { StudyInput } from '../../study/create';
import type { ResolvedOptions } from '../../config/resolve';
import type { StudyGrid, StudyKind } from '../../study/spec';
import { readStudyPlan, type StudyPlan } from '../../study/spec-file';
import type { CliCommand } from '../command';
import { optionsFromFlags } from './options';
import { studyIdFlag } from './study-id';
import { OMB_WORKLOAD_FLAG, runOmbWorkload } from './omb';
import { BATCHES_FLAG, CLIENTS_FLAG, gridFromFlags, newStudyFlags, RATES_FLAG, runNewStudy, SEARCH_FLAGS, searchFromFlags, VARY_FLAG } from './new-study';

/** The commands that create and run a new study: sweep, kafkafixed, kafka-batch and kafkarate. */

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

function gridCommand(name: StudyKind, summary: string, description: string, defaults: Partial<StudyGrid>, own: readonly FlagDef[] = []): CliCommand {
  return {
    name,
    summary,
    usage: `hydra ${name} [--clients=n,n] [--msg_rates=r,r] [--msg_batches=b,b] [--vary=key=v,v;...] [point flags]`,
    description,
    flags: newStudyFlags([CLIENTS_FLAG, RATES_FLAG, BATCHES_FLAG, VARY_FLAG], own),
    async run(args, io) {
      const omb = args.flags.get('omb_workload');
      if (omb !== undefined) {
        if (omb === true || omb === '') throw new ConfigError('--omb_workload', undefined, 'needs an OMB workload file');
        if (args.flags.has('spec')) throw new ConfigError('--omb_workload', omb, 'conflicts with --spec; give one of them');
        return runOmbWorkload(args, io, omb, name);
      }
      const { fromSpec, resolved } = studyOptionsOf(args, name);
      const { options } = resolved;
      // The file's grid stands where the command's own defaults would; flags still override each axis.
      const grid = gridFromFlags(args, fromSpec?.plan.grid ?? defaults);
      const input: StudyInput = { kind: name, options, grid, id: studyIdFlag(args) };
      return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: grid.msg_rates ?? [options.msg_rate] });
    },
  };
}

/** A new study's options from its flags, over its workload file when --spec names one. */
function studyOptionsOf(args: ParsedArgs, command: StudyKind): { fromSpec: ReturnType<typeof planFromFlag>; resolved: ResolvedOptions } {
  refuseConflicts(args);
  const fromSpec = planFromFlag(args, command);
  return { fromSpec, resolved: optionsFromFlags(args, fromSpec && { file: fromSpec.file, options: fromSpec.plan.options }) };
}

export const sweepCommand = gridCommand(
  'sweep',
  'run a grid study: client counts × message rates × batch sizes',
  'Runs every combination, reusing the apps between points (the sub group is scaled, not relaunched).\n' +
    'Each finished point is appended to results/<study>/points.jsonl at once.\n' +
    'With --omb_workload=file an OpenMessaging Benchmark workload sets the point (see hydra omb run); flags still override it.',
  {},
  [OMB_WORKLOAD_FLAG],
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
    const search = searchFromFlags(args, fromSpec?.plan.search ?? {});
    const grid = gridFromFlags(args, fromSpec ? { client_counts: fromSpec.plan.grid.client_counts, msg_batches: fromSpec.plan.grid.msg_batches } : {});
    const settings = { ...DEFAULT_SEARCH_HELP, ...search };
    const input: StudyInput = { kind: 'kafkarate', options, grid, search, id: studyIdFlag(args) };
    return runNewStudy(args, io, resolved, input, fromSpec?.file, { options, rates: [settings.start_rate], lossBoundPct: settings.loss_bound_pct });
  },
};
