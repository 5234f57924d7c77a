import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { flagsToOptions, resolveOptions } from '../../config/resolve';
import { checkReachable } from '../../broker';
import { makeDirectory } from '../../dirs';
import { ConfigError, errorMessage } from '../../errors';
import type { CliIO } from '../command';
import { studyWarnings, type PlannedStudy } from '../../present/warnings';
import { parseThresholds } from '../../gate/thresholds';
import { checkFaultPlace, checkFaultSchedule, parseFaultSchedule } from '../../config/fault-schedule';

/** Options of a test command: defaults ← hydra.ini (or --config_file) ← flags, errors naming the flag or ini key. */
export function optionsFromFlags(args: ParsedArgs, plan?: { file: string; options: Partial<HydraOptions> }): HydraOptions {
  const options = resolveOptions(flagsToOptions(args.flags), {
    overrideSource: 'flag',
    ...(plan ? { layer: { values: plan.options, source: (name: string) => `${plan.file} options.${name}` } } : {}),
  });
  // Thresholds name point fields, which the option table below them does not know: checked here, before anything runs.
  parseThresholds(options.threshold, args.flags.has('threshold') ? '--threshold' : `${options.config_file} [gate] threshold`);
  // Planned faults are refused here when they cannot fit a point or this setup (the study checks each point's apps).
  const faultSource = args.flags.has('fault')
    ? '--fault'
    : plan?.options.fault !== undefined
      ? `${plan.file} options.fault`
      : `${options.config_file} [faults] fault`;
  const faults = parseFaultSchedule(options.fault, faultSource);
  checkFaultSchedule(faults, { test_duration: options.test_duration }, faultSource);
  checkFaultPlace(faults, { localApps: options.launcher === 'local', embeddedBroker: options.brokers.length === 0 }, faultSource);
  return options;
}

/**
 * Before anything is created or launched: a configured cluster must be reachable, and the
 * directories hydra writes to creatable (the last check: it makes them), so a typo in `brokers`
 * or `log_dir` is bad input (exit 2), not a study of failed points. The cluster check is skipped
 * when a test injects its runner.
 */
export async function preflight(options: HydraOptions, io: CliIO): Promise<void> {
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

/** Prints each way the planned study is likely to mislead, once, before it starts (also under --quiet: they are not progress). */
export function warnAbout(plan: PlannedStudy, io: CliIO): void {
  for (const text of studyWarnings(plan)) io.stderr.write(`hydra: warning: ${text}\n`);
}
