import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Creates `dir` and its missing parents one level at a time; returns the directories it created,
 * outermost first (so a caller can take them back). Node's own `mkdirSync(dir, { recursive: true })`
 * never returns where mkdir keeps failing with ENOENT under an existing parent — on /proc, for
 * one, it spun at full CPU until killed; here such a failure is thrown like any other.
 */
export function makeDirectory(dir: string): string[] {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p);
    } catch {
      stat = undefined;
    }
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`${p} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  const created: string[] = [];
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
      created.push(p);
    } catch (err) {
      // Made meanwhile by someone else: fine. Anything else is the caller's to report.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return created;
}

/** Removes directories `makeDirectory` created, innermost first, where they are still empty. */
export function removeCreated(created: readonly string[]): void {
  for (const p of [...created].reverse()) {
    try {
      fs.rmdirSync(p);
    } catch {
      return;
    }
  }
}
