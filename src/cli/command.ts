import type { FlagDef, ParsedArgs } from '../config/flags';
import type { LeftoverCleaner } from '../broker/leftovers';
import type { HydraOptions } from '../config/options';
import type { OpenPointRunner } from '../runner/point-runner';

/** Where a command writes: results to stdout, people-facing text to stderr. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stderr is a terminal: progress bars instead of plain lines. */
  interactive: boolean;
  /** How test commands open their runner (default: real apps and broker); tests pass a fake. */
  openSession?: OpenPointRunner;
  /** How `hydra clean` reaches the cluster (default: a kafkajs admin client); tests pass a fake. */
  openCleaner?: (options: HydraOptions) => Promise<LeftoverCleaner>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Longer help printed after the usage line. */
  description?: string;
  flags: readonly (FlagDef & { default?: unknown })[];
  /** Most positional arguments the command takes (default 0: a stray word is an error). */
  maxPositionals?: number;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export const HELP_FLAG: FlagDef = { name: 'help', kind: 'bool', unit: '', help: 'show this help' };
export const JSON_FLAG: FlagDef = { name: 'json', kind: 'bool', unit: '', help: 'print the result as JSON on stdout' };
export const QUIET_FLAG: FlagDef = { name: 'quiet', kind: 'bool', unit: '', help: 'no progress output on stderr' };
