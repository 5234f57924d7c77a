import { ConfigError } from '../errors';

/** Parsed ini file: section name → key → raw string value. Keys before any section go to `''`. */
export type IniData = Record<string, Record<string, string>>;

/**
 * Parses the small ini dialect hydra.ini uses: `[section]`, `key = value`, `#` or `;` comments
 * on their own line. Anything else is an error naming the file and line, so a typo never
 * silently falls back to a default.
 */
export function parseIni(text: string, fileName: string): IniData {
  const data: IniData = { '': {} };
  let section = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const where = `${fileName}:${index + 1}`;
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      data[section] ??= {};
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ConfigError(where, line, "malformed line: expected '[section]' or 'key = value'");
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new ConfigError(where, key, 'malformed key');
    (data[section] as Record<string, string>)[key] = line.slice(eq + 1).trim();
  });
  return data;
}
