import type { FlagDef, ParsedArgs } from '../../config/flags';
import { ConfigError } from '../../errors';
import { checkStudyId } from '../../study/store';

/** `--study_id`: the directory a new study (or a stored `hydra kafka` point) gets under results_dir. */
export const STUDY_ID_FLAG: FlagDef = {
  name: 'study_id',
  kind: 'string',
  unit: 'name',
  help: 'directory name under results_dir (default: <command>-<time>-<random>)',
};

export function studyIdFlag(args: ParsedArgs): string | undefined {
  const raw = args.flags.get('study_id');
  if (raw === undefined) return undefined;
  if (raw === true) throw new ConfigError('--study_id', undefined, 'needs a name');
  checkStudyId(raw, '--study_id');
  return raw;
}
