import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandsOf, workloadCommands, type ExecutedCommand } from '../config/executes';
import type { StudySpec } from './spec';

/**
 * A stored study executes commands again when it is resumed or rerun (its planned faults', its
 * launcher's). Its study.json is a file anyone may have handed over or edited, so those commands
 * run without `--allow_commands` only when they are sealed by this user: an HMAC over the study's
 * id and commands, with a key kept in the user's own configuration directory
 * (~/.config/hydra/study-key, mode 0600). hydra seals a study when it creates it (its commands were
 * typed or allowed then) and when the user allows them again.
 */

const KEY_BYTES = 32;

function keyFile(): string {
  return path.join(os.homedir(), '.config', 'hydra', 'study-key');
}

/** The user's sealing key, made on first use; null when the home directory cannot hold it (then nothing is sealed). */
function userKey(): Buffer | null {
  const file = keyFile();
  try {
    const key = fs.readFileSync(file);
    if (key.length === KEY_BYTES) return key;
  } catch {
    // Not made yet.
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Exclusive: of two hydras making it at once, one wins and both read its key.
    fs.writeFileSync(file, crypto.randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  try {
    const key = fs.readFileSync(file);
    return key.length === KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** The commands a stored study executes, each named by its place in `studyFile`. */
export function storedCommands(spec: StudySpec, studyFile: string): ExecutedCommand[] {
  return [
    ...commandsOf(spec.options, (name) => ({ source: `${studyFile} options${name === 'librdkafka' ? '.librdkafka' : `.${name}`}`, fromFile: true })),
    ...workloadCommands(spec.grid.workloads, (i) => ({ source: `${studyFile} grid.workloads[${i}].fault`, fromFile: true })),
  ];
}

function seal(key: Buffer, spec: StudySpec): string {
  const commands = storedCommands(spec, '').map((c) => `${c.source}\u0000${c.text}`);
  return crypto
    .createHmac('sha256', key)
    .update(JSON.stringify({ study: spec.id, commands }))
    .digest('hex');
}

/** The spec with its commands sealed by this user (none to seal: without a seal). */
export function signCommands(spec: StudySpec): StudySpec {
  const rest: StudySpec = { ...spec };
  delete rest.commands_seal;
  if (storedCommands(spec, '').length === 0) return rest;
  const key = userKey();
  return key ? { ...rest, commands_seal: seal(key, rest) } : rest;
}

/** The study's commands are the ones this user sealed (true too when it executes none). */
export function commandsSealedByUser(spec: StudySpec): boolean {
  if (storedCommands(spec, '').length === 0) return true;
  const key = userKey();
  if (!key || typeof spec.commands_seal !== 'string') return false;
  const expected = Buffer.from(seal(key, spec), 'hex');
  const given = Buffer.from(spec.commands_seal, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
