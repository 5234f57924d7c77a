import { ConfigError } from '../errors';
import { didYouMean } from './suggest';
import type { OptionKind } from './options';
import { checkNumber, type NumberRule } from './rules';
import { FaultSchedule } from './fault-schedule';

/** A command-line flag: its snake_case name, how its value is read, and its help line. */
export interface FlagDef {
  name: string;
  kind: OptionKind;
  unit: string;
  help: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** May be given several times (`--threshold=a --threshold=b`): the values are joined with ';'. */
  repeatable?: boolean;
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
    // `-msg_rate=100` is a typo of a flag, not a positional: refuse it instead of ignoring it.
    if (/^-[^-]/.test(arg) && !/^-\d/.test(arg)) throw new ConfigError(arg, undefined, 'flags start with two dashes (see --help)');
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = normalizeFlagName(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
    const def = byName.get(name);
    if (!def) throw new ConfigError(`--${name}`, undefined, `unknown flag${didYouMean(name, [...byName.keys()], '--')} (see --help)`);
    // `--msg_rate=100 --msg-rate=200` is one flag given twice: refuse it rather than guess which was meant.
    const earlier = flags.get(name);
    if (earlier !== undefined && !def.repeatable) throw new ConfigError(`--${name}`, undefined, 'given twice; give it once');
    let value: string | true;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
      // A boolean's value is checked here, before any command starts work (`--report=maybe`).
      if (def.kind === 'bool') coerceValue('bool', value, `--${name}`);
    } else if (def.kind === 'bool') {
      value = true;
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name}`, undefined, `needs a value (${def.unit || def.kind})`);
      value = next;
      i++;
    }
    // A repeatable flag's values add up: `--threshold=a --threshold=b` reads as `a;b`.
    flags.set(name, typeof earlier === 'string' && typeof value === 'string' ? `${earlier};${value}` : value);
  }
  return { flags, positionals };
}

/** The longest raw value a flag or key may carry, characters (a list of a thousand host entries fits). */
export const MAX_RAW_LENGTH = 64 * 1024;

/**
 * Converts one raw value (from a flag or an ini key named by `source`) to its typed form; numbers
 * are checked against `rule` when one is given (the same rule the option table uses).
 */
export function coerceValue(kind: OptionKind, raw: string | true, source: string, rule?: Omit<NumberRule, 'kind'> & { choices?: readonly string[] }): unknown {
  if (kind === 'bool') {
    if (raw === true) return true;
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(source, raw, 'expected true or false');
  }
  if (raw === true) throw new ConfigError(source, undefined, 'needs a value');
  // Lists are split before their items are checked: a list longer than any study's is refused whole, first.
  if (raw.length > MAX_RAW_LENGTH)
    throw new ConfigError(source, `${raw.slice(0, 40)}…`, `${raw.length} characters: longer than any value of hydra's (at most ${MAX_RAW_LENGTH})`);
  switch (kind) {
    case 'string':
      return raw;
    case 'fault':
      return FaultSchedule.parse(raw, source);
    case 'choice':
      if (rule?.choices && !rule.choices.includes(raw)) throw new ConfigError(source, raw, `expected ${rule.choices.join(' or ')}`);
      return raw;
    case 'hosts':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'configs':
    case 'words':
      return raw.split(/\s+/).filter((s) => s !== '');
    case 'list':
    case 'urls':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'acks': {
      const v = raw.toLowerCase() === 'all' ? -1 : Number(raw);
      if (v !== 0 && v !== 1 && v !== -1) throw new ConfigError(source, raw, 'expected 0, 1, -1 or all');
      return v;
    }
    case 'int':
    case 'number':
      return checkNumber(parseDecimal(raw, source), { kind, ...rule }, source, raw);
  }
}

/**
 * A plain decimal number: `1000`, `2.5`, `1e4`. Hex (`0x10`), binary and octal literals, which
 * Number() would accept, are refused: nobody means 16 msg/s when they type 0x10.
 */
function parseDecimal(raw: string, source: string): number {
  const text = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new ConfigError(source, raw, 'not a number');
  return Number(text);
}

/** Reads a comma-separated list of numbers (`--msg_rates=1000,2000`), each checked against `rule`; duplicates are refused. */
export function parseNumberList(raw: string | true, source: string, rule: NumberRule): number[] {
  if (raw === true || raw.trim() === '') throw new ConfigError(source, undefined, 'needs a comma-separated list of numbers');
  const values = raw.split(',').map((part) => coerceValue(rule.kind, part.trim(), source, rule) as number);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new ConfigError(source, raw, `${dup} is listed twice`);
  return values;
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

/** A boolean flag's value: absent → false, `--json` → true, `--json=false` → false. */
export function flagOn(args: ParsedArgs, name: string): boolean {
  const raw = args.flags.get(name);
  return raw === undefined ? false : (coerceValue('bool', raw, `--${name}`) as boolean);
}
