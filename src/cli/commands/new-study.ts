import { coerceValue, parseNumberList, type FlagDef, type ParsedArgs } from '../../config/flags';
import { checkSearchSettings, DEFAULT_RATE_SEARCH as DEFAULT_SEARCH_HELP, SEARCH_SPECS, type RateSearchSettings } from '../../config/search';
import { optionSpec } from '../../config/options';
import { OPTION_FLAGS, type ResolvedOptions } from '../../config/resolve';
import { checkStudyInput, createStudy, type StudyInput } from '../../study/create';
import type { PlannedStudy } from '../../present/warnings';
import { runStudy } from '../../study/run';
import type { StudyGrid } from '../../study/spec';
import { parseVary } from '../../study/workloads';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliIO } from '../command';
import { JUNIT_FLAG } from './gate';
import { ALLOW_COMMANDS_FLAG, announceCommands, preflight, warnAbout } from './options';
import { STUDY_ID_FLAG } from './study-id';
import { execute, REPORT_FLAG } from './run-study';

/** What every command that makes a new study shares: the axis flags, the grid from them, and checking, creating and running the study. */

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

export const SPEC_FLAG: FlagDef = {
  name: 'spec',
  kind: 'string',
  unit: 'file',
  help: "a study's workload file (hydra study spec <id> > study.yaml): its grid and options, over hydra.ini and under flags",
};

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

/** The flags of a command that makes a new study: its axes, the workload file, the study's own, then the point flags. */
export function newStudyFlags(axes: readonly FlagDef[], own: readonly FlagDef[] = []): FlagDef[] {
  return [...axes, SPEC_FLAG, STUDY_ID_FLAG, REPORT_FLAG, JUNIT_FLAG, ALLOW_COMMANDS_FLAG, ...own, ...OPTION_FLAGS, JSON_FLAG, QUIET_FLAG, HELP_FLAG];
}

/**
 * A new study from the flags: every check of it naming the flags, before a directory is made or
 * anything starts; its commands listed; then created and run. Its commands were checked (typed,
 * or allowed) here, so the run executes them.
 */
export async function runNewStudy(
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

/** kafkarate's search settings as flags (--start_rate, --growth, --loss_bound, --precision, --max_steps). */
export const SEARCH_FLAGS: FlagDef[] = SEARCH_SPECS.map((spec) => ({
  name: spec.flag,
  kind: spec.kind,
  unit: spec.unit,
  min: spec.min,
  max: spec.max,
  help: spec.help,
  default: DEFAULT_SEARCH_HELP[spec.key],
}));

/** The search settings the flags give, over `base` (a workload file's), each checked by its rule. */
export function searchFromFlags(args: ParsedArgs, base: Partial<RateSearchSettings>): Partial<RateSearchSettings> {
  const search: Partial<RateSearchSettings> = { ...base };
  for (const spec of SEARCH_SPECS) {
    const raw = args.flags.get(spec.flag);
    if (raw !== undefined) search[spec.key] = coerceValue(spec.kind, raw, `--${spec.flag}`) as number;
  }
  checkSearchSettings(search);
  return search;
}
