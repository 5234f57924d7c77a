import type { ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { flagsToOptions, resolveOptions } from '../../config/resolve';
import { checkReachable } from '../../broker';
import type { CliIO } from '../command';

/** Options of a test command: defaults ← hydra.ini (or --config_file) ← flags, errors naming the flag or ini key. */
export function optionsFromFlags(args: ParsedArgs): HydraOptions {
  return resolveOptions(flagsToOptions(args.flags), { overrideSource: 'flag' });
}

/**
 * Before anything is created or launched: a configured cluster must be reachable, so a typo in
 * `brokers` is bad input (exit 2), not a study of failed points. Skipped when a test injects its runner.
 */
export async function preflight(options: HydraOptions, io: CliIO): Promise<void> {
  if (!io.openSession && options.brokers.length > 0) await checkReachable(options.brokers);
}
