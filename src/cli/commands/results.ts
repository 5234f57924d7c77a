import { type FlagDef, type ParsedArgs } from '../../config/flags';
import { resolveOptions } from '../../config/resolve';
import { damageWarnings, type StudyStore, type StoredPoints } from '../../study/store';
import { type CliIO } from '../command';
import { endLeftovers } from './options';

/** The results directory a command reads or writes, and a study's points read from it (damaged lines named). */

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
