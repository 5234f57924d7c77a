import { ConfigError } from '../errors';
import type { OptionKind } from './options';

/** A command-line flag: its snake_case name, how its value is read, and its help line. */
export interface FlagDef {
  name: string;
  kind: OptionKind;
  unit: string;
  help: string;
  min?: number;
}

export interface ParsedArgs {
  /** Raw flag values by snake_case name; `true` for a bare boolean flag. */
  flags: Map<string, string | true>;
  positionals: string[];
}

/** `--total-sub-apps` and `--total_sub_apps` are the same flag. */
export function normalizeFlagName(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Splits argv into known flags and positionals. Accepts `--name=value`, `--name value` and bare
 * boolean flags; anything unknown is an error naming it, so a typo never runs a default study.
 */
export function parseArgs(argv: readonly string[], defs: readonly FlagDef[]): ParsedArgs {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = normalizeFlagName(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
    const def = byName.get(name);
    if (!def) throw new ConfigError(`--${name}`, undefined, 'unknown flag (see --help)');
    if (eq !== -1) {
      flags.set(name, arg.slice(eq + 1));
    } else if (def.kind === 'bool') {
      flags.set(name, true);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name}`, undefined, `needs a value (${def.unit || def.kind})`);
      flags.set(name, next);
      i++;
    }
  }
  return { flags, positionals };
}

/** Converts one raw value (from a flag or an ini key named by `source`) to its typed form. */
export function coerceValue(kind: OptionKind, raw: string | true, source: string, min?: number): unknown {
  if (kind === 'bool') {
    if (raw === true) return true;
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(source, raw, 'expected true or false');
  }
  if (raw === true) throw new ConfigError(source, undefined, 'needs a value');
  switch (kind) {
    case 'string':
      return raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'acks': {
      const v = raw.toLowerCase() === 'all' ? -1 : Number(raw);
      if (v !== 0 && v !== 1 && v !== -1) throw new ConfigError(source, raw, 'expected 0, 1, -1 or all');
      return v;
    }
    case 'int':
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new ConfigError(source, raw, 'not a number');
      if (kind === 'int' && !Number.isInteger(v)) throw new ConfigError(source, raw, 'expected a whole number');
      if (min !== undefined && v < min) throw new ConfigError(source, raw, v < 0 ? `must not be negative (minimum ${min})` : `must be at least ${min}`);
      return v;
    }
  }
}

/** Reads a comma-separated list of numbers (`--msg_rates=1000,2000`). */
export function parseNumberList(raw: string | true, source: string, min: number, integer = false): number[] {
  if (raw === true || raw.trim() === '') throw new ConfigError(source, undefined, 'needs a comma-separated list of numbers');
  return raw.split(',').map((part) => coerceValue(integer ? 'int' : 'number', part.trim(), source, min) as number);
}

/** Help lines for a flag table: name, unit, default, text. */
export function formatFlagTable(defs: readonly (FlagDef & { default?: unknown })[]): string {
  const rows = defs.map((d) => {
    const flag = d.kind === 'bool' ? `--${d.name}` : `--${d.name}=${d.unit ? `<${d.unit}>` : '<value>'}`;
    const def = d.default === undefined ? '' : ` (default: ${formatDefault(d.default)})`;
    return [flag, `${d.help}${def}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n');
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return String(value);
}
