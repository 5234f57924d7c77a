import * as fs from 'node:fs';
import { ConfigError } from '../errors';
import { coerceValue, type FlagDef } from './flags';
import { parseIni, type IniData } from './ini';
import { DEFAULT_OPTIONS, OPTION_SPECS, type HydraOptions } from './options';

/** Flags every test command accepts: the options that are not ini-only. */
export const OPTION_FLAGS: readonly (FlagDef & { default: unknown })[] = OPTION_SPECS.filter((s) => !s.iniOnly).map((s) => ({
  name: s.name,
  kind: s.kind,
  unit: s.unit,
  help: s.help,
  min: s.min,
  default: DEFAULT_OPTIONS[s.name],
}));

/**
 * Reads hydra.ini into partial options. A missing file is fine only when it is the default path
 * (`required` false); an unknown section or key is an error so typos surface.
 */
export function loadIniOptions(path: string, required: boolean): Partial<HydraOptions> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return {};
    throw new ConfigError('--config_file', path, `cannot read (${code ?? String(err)})`);
  }
  return iniToOptions(parseIni(text, path), path);
}

export function iniToOptions(ini: IniData, fileName: string): Partial<HydraOptions> {
  const out: Record<string, unknown> = {};
  for (const [section, keys] of Object.entries(ini)) {
    for (const [key, raw] of Object.entries(keys)) {
      const spec = OPTION_SPECS.find((s) => s.ini?.[0] === section && s.ini[1] === key);
      const source = `${fileName} [${section}] ${key}`;
      if (!spec) throw new ConfigError(source, raw, 'unknown key');
      // An empty value means "not set": `brokers =` keeps the embedded broker.
      if (raw === '' && spec.kind !== 'list' && spec.kind !== 'string') continue;
      out[spec.name] = coerceValue(spec.kind, raw, source, spec.min);
    }
  }
  return out as Partial<HydraOptions>;
}

/**
 * Defaults ← hydra.ini ← overrides. `overrides` come from flags or from a notebook cell and are
 * validated the same way, so a negative rate is rejected whatever the front end.
 */
export function resolveOptions(overrides: Partial<HydraOptions> = {}, opts: { configRequired?: boolean } = {}): HydraOptions {
  const configFile = overrides.config_file ?? DEFAULT_OPTIONS.config_file;
  const fromIni = configFile === '' ? {} : loadIniOptions(configFile, opts.configRequired ?? overrides.config_file !== undefined);
  const merged = { ...DEFAULT_OPTIONS, ...fromIni, ...overrides, config_file: configFile } as HydraOptions;
  validateOptions(merged);
  return merged;
}

/** Checks every field against its spec; throws ConfigError naming the flag. */
export function validateOptions(options: HydraOptions): void {
  for (const spec of OPTION_SPECS) {
    const value: unknown = options[spec.name];
    const source = `--${spec.name}`;
    switch (spec.kind) {
      case 'int':
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(source, String(value), 'not a number');
        if (spec.kind === 'int' && !Number.isInteger(value)) throw new ConfigError(source, String(value), 'expected a whole number');
        if (spec.min !== undefined && value < spec.min) throw new ConfigError(source, String(value), value < 0 ? 'must not be negative' : `must be at least ${spec.min}`);
        break;
      case 'bool':
        if (typeof value !== 'boolean') throw new ConfigError(source, String(value), 'expected true or false');
        break;
      case 'acks':
        if (value !== 0 && value !== 1 && value !== -1) throw new ConfigError(source, String(value), 'expected 0, 1 or -1');
        break;
      case 'list':
        if (!Array.isArray(value)) throw new ConfigError(source, String(value), 'expected a list');
        for (const b of value) {
          if (typeof b !== 'string' || !/^[^\s:]+:\d+$/.test(b)) throw new ConfigError(source, String(b), 'expected host:port');
        }
        break;
      case 'string':
        if (typeof value !== 'string') throw new ConfigError(source, String(value), 'expected text');
        break;
    }
  }
  if (options.launcher !== 'local') throw new ConfigError('[launcher] kind', options.launcher, "only 'local' is supported");
}

/** Turns parsed flag values into typed option overrides. */
export function flagsToOptions(flags: Map<string, string | true>): Partial<HydraOptions> {
  const out: Record<string, unknown> = {};
  for (const def of OPTION_FLAGS) {
    const raw = flags.get(def.name);
    if (raw !== undefined) out[def.name] = coerceValue(def.kind, raw, `--${def.name}`, def.min);
  }
  return out as Partial<HydraOptions>;
}
