import * as yaml from 'js-yaml';
import { didYouMean } from '../config/suggest';
import { ConfigError } from '../errors';
import { readBounded } from '../files';

/**
 * YAML files a person hands hydra (a study's workload file, an OpenMessaging Benchmark workload):
 * read bounded in size and in values, every complaint naming the file, and the helpers that name
 * a key by its place in it.
 */

/** The most of a YAML file hydra reads, bytes: one `hydra study spec` writes is 2-4 KB, an OMB workload under 1 KB. */
export const SPEC_FILE_MAX_BYTES = 256 * 1024;
/**
 * The most values a workload file may hold once its YAML aliases are expanded: a study of a
 * thousand workloads has some tens of thousands. An alias bomb (an anchor of nine aliases of an
 * anchor of nine...) holds billions, and is refused by this count before any of it is expanded.
 */
export const SPEC_FILE_MAX_VALUES = 100_000;

/** Counts the values of a parsed document as if its aliases were copied out, stopping at `max`. */
function expandedValues(doc: unknown, max: number): number {
  let count = 0;
  const stack: unknown[] = [doc];
  while (stack.length > 0 && count <= max) {
    const value = stack.pop();
    count++;
    if (Array.isArray(value)) stack.push(...(value as unknown[]));
    else if (typeof value === 'object' && value !== null) stack.push(...Object.values(value));
  }
  return count;
}

/** The parsed document of YAML file `file` (given as `source`), bounded in bytes and in values once aliases are expanded. */
export function readYamlFile(file: string, source: string, what: string): unknown {
  let text: string;
  try {
    text = readBounded(file, SPEC_FILE_MAX_BYTES, what);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(source, file, err.message.replace(`${file}: `, ''));
    throw new ConfigError(source, file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file });
  } catch (err) {
    throw new ConfigError(source, file, `not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (expandedValues(doc, SPEC_FILE_MAX_VALUES) > SPEC_FILE_MAX_VALUES)
    throw new ConfigError(
      source,
      file,
      `holds more than ${SPEC_FILE_MAX_VALUES} values once its YAML aliases (*name) are expanded — more than any study needs; hydra does not expand it`,
    );
  return doc;
}

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(where, undefined, 'expected a mapping (key: value lines)');
  return value as Record<string, unknown>;
}

export function knownKeys(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj))
    if (!known.includes(key)) throw new ConfigError(`${where}${key}`.trim(), undefined, `unknown key${didYouMean(key, known)}`);
}
