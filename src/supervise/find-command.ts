import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a command would be found: its path, or null when it is not (no shell: PATH is searched here). */
export function findCommand(name: string, envPath = process.env['PATH'] ?? ''): string | null {
  const executable = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name === '{node}') return process.execPath;
  if (name.includes('/')) return executable(name) ? path.resolve(name) : null;
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return null;
}
