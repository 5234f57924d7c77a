import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { flagsToOptions, resolveOptionsWithSources, type ResolvedOptions } from '../../config/resolve';
import { flagOn, type FlagDef } from '../../config/flags';
import { commandListing, commandsOf, refuseFileCommands, workloadCommands } from '../../config/executes';
import type { Workload } from '../../study/workloads';
import { checkReachable } from '../../broker';
import { makeDirectory } from '../../dirs';
import { ConfigError, errorMessage } from '../../errors';
import type { CliIO } from '../command';
import { studyWarnings, type PlannedStudy } from '../../present/warnings';
import { parseThresholds } from '../../gate/thresholds';
import { endLeftCommands } from '../../supervise/command-ledger';

/** `--allow_commands`: run commands written in files; typed ones need no permission. */
export const ALLOW_COMMANDS_FLAG: FlagDef = {
  name: 'allow_commands',
  kind: 'bool',
  unit: '',
  help: 'run the commands written in hydra.ini, a --spec file or a stored study (planned-fault commands, the command launcher); hydra lists them first',
};

/**
 * Options of a test command: defaults ← hydra.ini (or --config_file) ← workload file ← flags,
 * errors naming the flag or ini key. A command written in hydra.ini or the workload file is
 * refused unless --allow_commands.
 */
export function optionsFromFlags(
  args: ParsedArgs,
  plan?: { file: string; options: Partial<HydraOptions>; sourceOf?: (name: string) => string },
  /** The command runs nothing the options name (hydra clean): their commands are not at issue. */
  executes = true,
): ResolvedOptions {
  const resolved = resolveOptionsWithSources(flagsToOptions(args.flags), {
    overrideSource: 'flag',
    allowCommands: !executes || flagOn(args, 'allow_commands'),
    ...(plan ? { layer: { values: plan.options, source: plan.sourceOf ?? ((name: string) => `${plan.file} options.${name}`) } } : {}),
  });
  const { options, sourceOf } = resolved;
  // An empty --threshold or --fault would switch the gate or the fault off without a word.
  for (const name of ['threshold', 'fault'] as const)
    if (args.flags.get(name) === '' || (typeof args.flags.get(name) === 'string' && (args.flags.get(name) as string).split(';').some((p) => p.trim() === '')))
      throw new ConfigError(
        `--${name}`,
        args.flags.get(name) as string,
        name === 'threshold'
          ? "is empty: give field<limit (e.g. --threshold='latency_p99_ms<200')"
          : "is empty: give a fault (e.g. --fault='at=3s for=2s broker=stop'), or none",
      );
  // Thresholds name point fields, which the option table below them does not know: checked here, before anything runs.
  parseThresholds(options.threshold, sourceOf('threshold'));
  // Planned faults were read (parsed) with the option; what they need of each point and of this setup is checked with the study (checkStudyInput).
  return resolved;
}

/**
 * The commands a new study will execute — its options' and its workloads' — said before anything
 * starts (also under --quiet: they are not progress); those its workload file wrote are refused
 * unless --allow_commands.
 */
export function announceCommands(
  args: ParsedArgs,
  io: CliIO,
  resolved: ResolvedOptions,
  workloads?: { list: readonly Workload[] | undefined; source: string; fromFile: boolean },
): void {
  const commands = [
    ...commandsOf(resolved.options, (name) => resolved.provenance(name)),
    ...workloadCommands(workloads?.list, (i) => ({ source: `${workloads?.source ?? 'grid.workloads'}[${i}].fault`, fromFile: workloads?.fromFile ?? false })),
  ];
  refuseFileCommands(commands, flagOn(args, 'allow_commands'));
  for (const line of commandListing(commands)) io.stderr.write(`hydra: ${line}\n`);
}

/**
 * Before anything is created or launched: a configured cluster must be reachable, and the
 * directories hydra writes to creatable (the last check: it makes them), so a typo in `brokers`
 * or `log_dir` is bad input (exit 2), not a study of failed points. The cluster check is skipped
 * when a test injects its runner.
 */
export async function preflight(options: HydraOptions, io: CliIO): Promise<void> {
  endLeftovers(options.results_dir, io);
  if (!io.openSession && options.brokers.length > 0) await checkReachable(options.brokers);
  for (const [key, dir] of [
    ['log_dir', options.log_dir],
    ['results_dir', options.results_dir],
  ] as const) {
    try {
      makeDirectory(dir);
      // Runs and studies make directories inside it: try one (on /proc, say, that fails).
      fs.rmdirSync(fs.mkdtempSync(path.join(dir, '.hydra-probe-')));
    } catch (err) {
      throw new ConfigError(
        key,
        dir,
        `cannot create directories there: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)} (choose a writable directory)`,
      );
    }
  }
}

/** Ends what an earlier hydra that died outright left running in the results directory, and says what it found. */
export function endLeftovers(resultsDir: string, io: CliIO): void {
  for (const line of endLeftCommands(resultsDir)) io.stderr.write(`hydra: ${line}\n`);
}

/** Prints each way the planned study is likely to mislead, once, before it starts (also under --quiet: they are not progress). */
export function warnAbout(plan: PlannedStudy, io: CliIO): void {
  for (const text of studyWarnings(plan)) io.stderr.write(`hydra: warning: ${text}\n`);
}
