import * as fs from 'node:fs';
import { ConfigError } from '../errors';
import { optionSpec } from './options';

/**
 * payload_file (OMB's payloadFile): every message's value is the file's bytes, hydra's 16-byte
 * header written over the first 16. Checked where options enter (it must exist and fit a
 * message), read by the runner for each point and handed to the publishers, which may run on
 * hosts that do not have it.
 */

/** The size of payload file `file`, checked to be a regular file of 16 bytes to msg_size's maximum; throws naming `source`. */
export function payloadFileSize(file: string, source: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new ConfigError(source, file, `cannot read the payload file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!stat.isFile()) throw new ConfigError(source, file, 'not a regular file');
  // msg_size's own bounds: at least hydra's 16-byte header.
  const { min = 16, max = Infinity } = optionSpec('msg_size');
  if (stat.size < min) throw new ConfigError(source, file, `${stat.size} bytes: a payload needs at least ${min} (hydra's header)`);
  if (stat.size > max) throw new ConfigError(source, file, `${stat.size} bytes: larger than a message may be (msg_size at most ${max})`);
  return stat.size;
}

/** The payload's bytes for a point (its size checked again: the file may have changed since the study began). */
export function readPayload(file: string, msgSize: number): Buffer {
  const size = payloadFileSize(file, 'payload_file');
  if (size !== msgSize) throw new ConfigError('payload_file', file, `is ${size} bytes now, the study's msg_size is ${msgSize}: the file changed since`);
  return fs.readFileSync(file);
}
