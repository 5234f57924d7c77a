import { ConfigError } from '../errors';
import { optionSpec, POINT_KEYS, type HydraOptions, type OptionKind, type PointParams } from './options';

/** The bounds of one number: whole or not, smallest and largest allowed value. */
export interface NumberRule {
  kind: OptionKind;
  min?: number;
  max?: number;
}

/**
 * The one rule for a number, whatever it came from (flag, ini key, notebook field, control
 * message): finite, whole when it must be, within [min, max]. Throws ConfigError naming `source`.
 */
export function checkNumber(value: unknown, rule: NumberRule, source: string, shown = String(value)): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(source, shown, 'not a number');
  if (rule.kind === 'int' && !Number.isInteger(value)) throw new ConfigError(source, shown, 'expected a whole number');
  if (rule.min !== undefined && value < rule.min) {
    throw new ConfigError(source, shown, value < 0 ? `must not be negative (minimum ${rule.min})` : `must be at least ${rule.min}`);
  }
  if (rule.max !== undefined && value > rule.max) throw new ConfigError(source, shown, `must be at most ${rule.max}`);
  return value;
}

/** Where a point parameter came from, for error messages: a flag, an ini key or a library field. */
export type SourceOf = (key: keyof PointParams) => string;

export const flagSource: SourceOf = (key) => `--${key}`;

/**
 * Checks every parameter of a point against the option table's rules. Used by option
 * resolution, createStudy, rerunStudy and the apps' config parsers, so a value is accepted or
 * refused the same way everywhere.
 */
export function checkPointParams(params: PointParams, sourceOf: SourceOf = flagSource): void {
  for (const key of POINT_KEYS) {
    const spec = optionSpec(key);
    const value: unknown = params[key];
    if (spec.kind === 'acks') checkAcks(value, sourceOf(key));
    else if (spec.kind === 'choice') checkChoice(value, spec.choices ?? [], sourceOf(key));
    else checkNumber(value, spec, sourceOf(key));
  }
}

export function checkChoice<T extends string>(value: unknown, choices: readonly T[], source: string): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) throw new ConfigError(source, String(value), `expected ${choices.join(' or ')}`);
  return value as T;
}

export function checkAcks(value: unknown, source: string): -1 | 0 | 1 {
  if (value !== 0 && value !== 1 && value !== -1) throw new ConfigError(source, String(value), 'expected 0, 1 or -1 (all)');
  return value;
}

/** Checks one numeric option on its own (an axis value of a grid, a search start rate, an app's config field). */
export function checkPointParam(key: keyof HydraOptions, value: unknown, source: string): number {
  const spec = optionSpec(key);
  return spec.kind === 'acks' ? checkAcks(value, source) : checkNumber(value, spec, source);
}
