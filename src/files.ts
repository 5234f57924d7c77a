import * as fs from 'node:fs';
import { ConfigError } from './errors';

/**
 * Reading files hydra did not necessarily write (a workload file from a colleague, a copied study,
 * someone's hydra.ini) within bounds: a file larger than any hydra writes is refused by its size
 * before a byte is read, naming it, so a huge or endless one costs neither time nor memory.
 */

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Refuses what is not a regular file (a FIFO or device would block a read forever) or is larger than `maxBytes`. */
function checkFile(file: string, maxBytes: number, what: string): fs.Stats {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new ConfigError(file, undefined, `not a regular file (expected ${what})`);
  if (stat.size > maxBytes)
    throw new ConfigError(file, undefined, `${sizeText(stat.size)}: larger than ${what} can be (at most ${sizeText(maxBytes)}), so hydra does not read it`);
  return stat;
}

/** The text of `file`, refused when larger than `maxBytes` (ConfigError naming the file); other read errors are thrown as they are. */
export function readBounded(file: string, maxBytes: number, what: string): string {
  checkFile(file, maxBytes, what);
  return fs.readFileSync(file, 'utf8');
}

/**
 * Calls `onLine(text, lineNumber)` for each line of `file` (numbered from 1), reading it in chunks
 * so no more than a line is held at once; a line longer than `maxLineBytes` is passed as null (and
 * not kept). A missing file has no lines; one larger than `maxBytes` is refused.
 */
export function eachLine(
  file: string,
  limits: { maxBytes: number; maxLineBytes: number; what: string },
  onLine: (text: string | null, line: number) => unknown,
): void {
  if (!fs.existsSync(file)) return;
  checkFile(file, limits.maxBytes, limits.what);
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let tooLong = false;
    let line = 1;
    const flush = (): void => {
      onLine(tooLong ? null : Buffer.concat(pending, pendingBytes).toString('utf8'), line++);
      pending = [];
      pendingBytes = 0;
      tooLong = false;
    };
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, start); nl !== -1 && nl < n; nl = chunk.indexOf(0x0a, start)) {
        if (!tooLong) pending.push(Buffer.from(chunk.subarray(start, nl)));
        pendingBytes += nl - start;
        if (pendingBytes > limits.maxLineBytes) tooLong = true;
        flush();
        start = nl + 1;
      }
      if (start < n) {
        pendingBytes += n - start;
        if (pendingBytes > limits.maxLineBytes) {
          tooLong = true;
          pending = [];
        } else pending.push(Buffer.from(chunk.subarray(start, n)));
      }
    }
    if (pendingBytes > 0 || pending.length > 0) flush();
  } finally {
    fs.closeSync(fd);
  }
}
