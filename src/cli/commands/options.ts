import type { ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { flagsToOptions, resolveOptions } from '../../config/resolve';

/** Options of a test command: defaults ← hydra.ini (or --config_file) ← flags, errors naming the flag or ini key. */
export function optionsFromFlags(args: ParsedArgs): HydraOptions {
  return resolveOptions(flagsToOptions(args.flags), { overrideSource: 'flag' });
}
