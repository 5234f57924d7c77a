import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { readBounded } from '../files';
import { FaultSchedule } from './fault-schedule';
import { didYouMean } from './suggest';
import { coerceValue, type FlagDef } from './flags';
import { parseIni, type IniData } from './ini';
import { DEFAULT_OPTIONS, OPTION_SPECS, type HydraOptions, type OptionSpec } from './options';
import { checkLibrdkafkaPassthrough, checkPassthrough, PASSTHROUGH_SECTIONS, readPassthrough } from './passthrough';
import { checkAcks, checkBelow, checkNumber, checkText, checkPointRules, checkClusterNeeds, checkPublisherShare } from './rules';
import { checkSecurityOptions } from './security';
import { checkEndpointUrl } from '../broker-metrics/endpoint';
import { checkBrokerMetrics } from './broker-metrics';
import { commandsOf, refuseFileCommands, type Provenance } from './executes';
import { payloadFileSize } from './payload-file';

/** Flags every test command accepts: the options that are not ini-only. */
export const OPTION_FLAGS: readonly (FlagDef & { default: unknown })[] = OPTION_SPECS.filter((s) => !s.iniOnly).map((s) => ({
  name: s.name,
  kind: s.kind,
  unit: s.unit,
  help: s.help,
  min: s.min,
  max: s.max,
  choices: s.choices,
  ...(s.repeatable ? { repeatable: true } : {}),
  default: DEFAULT_OPTIONS[s.name],
}));

/** Options read from an ini file, with the `file [section] key` each came from. */
export interface IniOptions {
  values: Partial<HydraOptions>;
  sources: Partial<Record<keyof HydraOptions, string>>;
}

/**
 * Reads hydra.ini into partial options. A missing file is fine only when it is the default path
 * (`required` false); an unknown section or key is an error so typos surface.
 */
export function loadIniOptions(path: string, required: boolean): Partial<HydraOptions> {
  return readIniOptions(path, required).values;
}

/** The most of an ini file hydra reads, bytes: hydra's own, every key commented, is 11 KB. */
export const INI_MAX_BYTES = 1024 * 1024;

function readIniOptions(path: string, required: boolean): IniOptions {
  let text: string;
  try {
    // Only regular files: a FIFO or a device would block the read forever.
    const stat = fs.statSync(path);
    if (!stat.isFile()) throw new ConfigError('--config_file', path, 'not a regular file');
    text = readBounded(path, INI_MAX_BYTES, 'an ini file');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return { values: {}, sources: {} };
    throw new ConfigError('--config_file', path, `cannot read (${code ?? String(err)})`);
  }
  return iniToOptions(parseIni(text, path), path);
}

export function iniToOptions(ini: IniData, fileName: string): IniOptions {
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const knownSections = new Set([...OPTION_SPECS.flatMap((s) => (s.ini ? [s.ini[0]] : [])), ...PASSTHROUGH_SECTIONS]);
  const kafkajs: HydraOptions['kafkajs'] = { client: {}, producer: {}, consumer: {}, admin: {} };
  const librdkafka: HydraOptions['librdkafka'] = { client: {}, producer: {}, consumer: {} };
  for (const [section, keys] of Object.entries(ini)) {
    // An unknown section is a typo even when it is empty; keys before any section go to ''.
    if (section !== '' && !knownSections.has(section))
      throw new ConfigError(
        `${fileName} [${section}]`,
        undefined,
        `unknown section${didYouMean(section, [...knownSections])} (known: ${[...knownSections].join(', ')})`,
      );
    for (const [key, raw] of Object.entries(keys)) {
      const spec = OPTION_SPECS.find((s) => s.ini?.[0] === section && s.ini[1] === key);
      const source = `${fileName} [${section}] ${key}`;
      if (!spec && (PASSTHROUGH_SECTIONS as readonly string[]).includes(section)) {
        // Not one of hydra's keys: a kafkajs option or librdkafka property of that section, passed through (or refused naming it).
        const s = section as keyof HydraOptions['kafkajs'];
        const { library, value } = readPassthrough(s, key, raw, source);
        if (library === 'kafkajs') kafkajs[s][key] = value;
        // readPassthrough refuses librdkafka properties in [admin].
        else librdkafka[s as keyof HydraOptions['librdkafka']][key] = value;
        sources[library] = source;
        continue;
      }
      if (!spec) {
        const inSection = OPTION_SPECS.flatMap((o) => (o.ini?.[0] === section ? [o.ini[1]] : []));
        throw new ConfigError(source, raw, `unknown key${didYouMean(key, inSection)}`);
      }
      // An empty value means "not set": `brokers =` keeps the embedded broker.
      if (raw === '' && spec.kind !== 'list' && spec.kind !== 'urls' && spec.kind !== 'string') continue;
      values[spec.name] = coerceValue(spec.kind, raw, source, spec);
      sources[spec.name] = source;
    }
  }
  if (PASSTHROUGH_SECTIONS.some((s) => Object.keys(kafkajs[s]).length > 0)) values.kafkajs = kafkajs;
  if (Object.values(librdkafka).some((keys) => Object.keys(keys).length > 0)) values.librdkafka = librdkafka;
  return { values: values as Partial<HydraOptions>, sources: sources as IniOptions['sources'] };
}

/** Options and where each came from. */
export interface ResolvedOptions {
  options: HydraOptions;
  /** The flag, `file [section] key`, workload file key or library field a value came from. */
  sourceOf(name: keyof HydraOptions): string;
  /** Where a value came from, and whether that is a file (hydra.ini, a workload file) rather than typed. */
  provenance(name: keyof HydraOptions): Provenance;
}

/**
 * Options given by a caller: any option's typed value; a planned-fault schedule may be given as
 * written (a notebook's `fault: 'at=3s for=2s broker=stop'`), and is read here, where it enters.
 */
export type OptionOverrides = Partial<Omit<HydraOptions, 'fault'>> & { fault?: FaultSchedule | string };

/**
 * Defaults ← hydra.ini ← overrides. `overrides` come from flags (`overrideSource: 'flag'`) or from
 * a notebook cell (`'field'`) and are validated by the same rules; every error names where the
 * value came from: the flag, `file [section] key`, or the library field. A command the options
 * would execute that is written in a file (hydra.ini, the workload layer) is refused unless
 * `allowCommands` (the user's `--allow_commands`): see config/executes.ts.
 */
export function resolveOptions(
  overrides: OptionOverrides = {},
  opts: {
    configRequired?: boolean;
    overrideSource?: 'flag' | 'field';
    /** Values between hydra.ini and the overrides (a study's workload file), each named by `source`. */
    layer?: { values: Partial<HydraOptions>; source: (name: string) => string };
    /** Run commands written in hydra.ini or the layer (the user said so on the command line). */
    allowCommands?: boolean;
  } = {},
): HydraOptions {
  return resolveOptionsWithSources(overrides, opts).options;
}

/** Options objects resolveOptions made and checked (a copy someone changed is not among them). */
const RESOLVED = new WeakSet<object>();

/** The options are as resolveOptions checked them: every value by its rule, the rules between them, the commands they name. */
export function wasResolved(options: object): boolean {
  return RESOLVED.has(options);
}

/** resolveOptions, with where each value came from. */
export function resolveOptionsWithSources(given: OptionOverrides = {}, opts: Parameters<typeof resolveOptions>[1] = {}): ResolvedOptions {
  const overrideSource = (name: string): string => (opts.overrideSource === 'flag' ? `--${name}` : `options.${name}`);
  const { fault, ...rest } = given;
  const overrides: Partial<HydraOptions> = {
    ...rest,
    ...(fault === undefined ? {} : { fault: typeof fault === 'string' ? FaultSchedule.parse(fault, overrideSource('fault')) : fault }),
  };
  const configFile = overrides.config_file ?? DEFAULT_OPTIONS.config_file;
  const fromIni = configFile === '' ? { values: {}, sources: {} } : readIniOptions(configFile, opts.configRequired ?? overrides.config_file !== undefined);
  const layer = opts.layer?.values ?? {};
  const merged = { ...DEFAULT_OPTIONS, ...fromIni.values, ...layer, ...overrides, config_file: configFile } as HydraOptions;
  const provenance = (name: keyof HydraOptions): Provenance => {
    if (name in overrides) return { source: overrideSource(name), fromFile: false };
    if (name in layer && opts.layer) return { source: opts.layer.source(name), fromFile: true };
    // The passthrough sections are named by their file; the command names its section and key.
    if (name === 'librdkafka' || name === 'kafkajs') return { source: configFile, fromFile: name in fromIni.values };
    const ini = (fromIni.sources as Record<string, string | undefined>)[name];
    return ini === undefined ? { source: `default ${name}`, fromFile: false } : { source: ini, fromFile: true };
  };
  const sourceOf = (name: keyof HydraOptions): string => provenance(name).source;
  withPayloadSize(merged, sourceOf);
  validateOptions(merged, sourceOf);
  refuseFileCommands(commandsOf(merged, provenance), opts.allowCommands ?? false);
  RESOLVED.add(merged);
  return { options: merged, sourceOf, provenance };
}

/**
 * A payload file sets the message size: msg_size becomes the file's size, and one given as well
 * (not hydra's default) must agree with it.
 */
function withPayloadSize(options: HydraOptions, sourceOf: (name: keyof HydraOptions) => string): void {
  if (options.payload_file === '') return;
  const size = payloadFileSize(options.payload_file, sourceOf('payload_file'));
  const given = !sourceOf('msg_size').startsWith('default ');
  if (given && options.msg_size !== size)
    throw new ConfigError(
      sourceOf('msg_size'),
      String(options.msg_size),
      `disagrees with payload_file (${sourceOf('payload_file')}: ${size} bytes); leave msg_size out, the file sets it`,
    );
  options.msg_size = size;
}

/** Most sub apps the local launcher starts: each is a Node process of 60-100 MB. */
export const LOCAL_MAX_SUB_APPS = 1000;

/** Checks every field against its spec; throws ConfigError naming where the value came from. */
export function validateOptions(options: HydraOptions, sourceOf: (name: keyof HydraOptions) => string = (name) => `options.${name}`): void {
  for (const spec of OPTION_SPECS) checkOption(spec, options[spec.name], sourceOf(spec.name));
  checkControlHost(options.control_host, sourceOf('control_host'));
  checkDirectory(options.log_dir, sourceOf('log_dir'));
  checkDirectory(options.results_dir, sourceOf('results_dir'));
  checkLocalScale(options.total_sub_apps, options.launcher, sourceOf('total_sub_apps'));
  checkCommandLauncher(options, sourceOf);
  checkKubernetesLauncher(options, sourceOf);
  checkSecurityOptions(options);
  checkBrokerMetrics(options, sourceOf);
  checkPassthrough(options.kafkajs);
  checkLibrdkafkaPassthrough(options.librdkafka);
  checkBelow(options, sourceOf);
  checkPointRules(options, (name) => sourceOf(name));
  checkPublisherShare(options, (name) => sourceOf(name));
  checkClusterNeeds(options, sourceOf);
}

/** The local launcher forks every app on this machine: refuse counts that would fork thousands of processes. */
export function checkLocalScale(subApps: number, launcher: HydraOptions['launcher'], source: string, shown = String(subApps)): void {
  if (launcher === 'local' && subApps > LOCAL_MAX_SUB_APPS) {
    throw new ConfigError(
      source,
      shown,
      `needs ${subApps} sub apps; the local launcher starts at most ${LOCAL_MAX_SUB_APPS} on one machine (use more clients_per_app, or run apps on several machines)`,
    );
  }
}

/**
 * The apps' REP servers bind this address: an IP address of this host (or 0.0.0.0 / :: for every
 * interface), or localhost. A name that is not an address fails here, before anything starts.
 */
function checkControlHost(host: string, source: string): void {
  if (host === 'localhost' || host === '0.0.0.0' || host === '::') return;
  if (net.isIP(host) === 0) throw new ConfigError(source, host, 'expected an IP address of this host, localhost, or 0.0.0.0 for every interface');
  const local = Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i?.address);
  if (!local.includes(host) && !/^127\./.test(host))
    throw new ConfigError(source, host, `not an address of this host (its addresses: ${local.filter(Boolean).join(', ')})`);
}

/** A directory hydra writes to: not empty, and a directory where it exists (its nearest existing parent otherwise). */
function checkDirectory(dir: string, source: string): void {
  if (dir.trim() === '') throw new ConfigError(source, dir, 'must name a directory');
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      if (path.dirname(p) === p) return;
      continue;
    }
    if (!stat.isDirectory()) throw new ConfigError(source, dir, p === path.resolve(dir) ? 'not a directory' : `${p} is not a directory`);
    return;
  }
}

function checkOption(spec: OptionSpec, value: unknown, source: string): void {
  switch (spec.kind) {
    case 'int':
    case 'number':
      checkNumber(value, spec, source);
      break;
    case 'bool':
      if (typeof value !== 'boolean') throw new ConfigError(source, String(value), 'expected true or false');
      break;
    case 'acks':
      checkAcks(value, source);
      break;
    case 'urls':
      if (!Array.isArray(value)) throw new ConfigError(source, String(value), 'expected a list of URLs');
      for (const url of value) checkEndpointUrl(String(url), source);
      break;
    case 'list':
      if (!Array.isArray(value)) throw new ConfigError(source, String(value), 'expected a list');
      for (const b of value) checkBrokerAddress(b, source);
      break;
    case 'choice':
      if (typeof value !== 'string' || !spec.choices?.includes(value))
        throw new ConfigError(source, String(value), `expected ${spec.choices?.join(' or ') ?? 'a known value'}`);
      break;
    case 'string':
      checkText(value, source);
      break;
    case 'fault':
      if (!(value instanceof FaultSchedule)) throw new ConfigError(source, String(value), 'expected a planned-fault schedule (FaultSchedule.parse)');
      checkText(value.text, source);
      break;
    case 'hosts':
      if (!Array.isArray(value)) throw new ConfigError(source, String(value), 'expected a list of name@address');
      for (const h of value) checkHostEntry(h, source);
      break;
    case 'words':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ConfigError(source, String(value), 'expected space-separated words');
      break;
    case 'configs':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^[a-z][a-z0-9.]*=\S+$/.test(v)))
        throw new ConfigError(source, String(value), 'expected key=value entries (Kafka topic config names)');
      break;
  }
}

/** `name@address`: a host name for the command template and the IP address apps there bind. */
function checkHostEntry(value: unknown, source: string): void {
  const m = typeof value === 'string' ? /^([A-Za-z0-9_.:-]+)@([^@\s]+)$/.exec(value) : null;
  if (!m || net.isIP(m[2] as string) === 0) throw new ConfigError(source, String(value), 'expected name@address with an IP address (e.g. node1@10.0.0.11)');
}

/** The command launcher needs hosts and a command; the local launcher uses neither. */
function checkCommandLauncher(o: HydraOptions, sourceOf: (name: keyof HydraOptions) => string): void {
  if (o.launcher !== 'command') return;
  if (o.launcher_hosts.length === 0)
    throw new ConfigError(sourceOf('launcher_hosts'), '', 'the command launcher needs at least one host ([launcher] hosts = name@address,...)');
  if (o.launcher_command.trim() === '')
    throw new ConfigError(
      sourceOf('launcher_command'),
      '',
      'the command launcher needs a command ([launcher] command, e.g. ssh {host} node /opt/hydra/dist/src/apps/{kind}.js)',
    );
}

/** The Kubernetes launcher needs an image; selectors and tolerations have their shapes. */
function checkKubernetesLauncher(o: HydraOptions, sourceOf: (name: keyof HydraOptions) => string): void {
  for (const entry of o.k8s_node_selector)
    if (!/^[^=\s]+=[^=\s]*$/.test(entry)) throw new ConfigError(sourceOf('k8s_node_selector'), entry, 'expected key=value');
  for (const entry of o.k8s_tolerations)
    if (!/^[^=:\s]+(=[^:\s]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/.test(entry))
      throw new ConfigError(sourceOf('k8s_tolerations'), entry, 'expected key=value:Effect or key:Effect (NoSchedule, PreferNoSchedule or NoExecute)');
  if (o.launcher !== 'kubernetes') return;
  if (o.k8s_image.trim() === '')
    throw new ConfigError(
      sourceOf('k8s_image'),
      '',
      'the kubernetes launcher needs an image built from this repository ([kubernetes] image; see the Dockerfile)',
    );
}

/** `host:port` with a port Kafka could listen on. */
function checkBrokerAddress(value: unknown, source: string): void {
  const m = typeof value === 'string' ? /^([^\s:]+):(\d+)$/.exec(value) : null;
  if (!m) throw new ConfigError(source, String(value), 'expected host:port');
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new ConfigError(source, String(value), 'port must be 1-65535');
}

/** Turns parsed flag values into typed option overrides. */
export function flagsToOptions(flags: Map<string, string | true>): Partial<HydraOptions> {
  const out: Record<string, unknown> = {};
  for (const def of OPTION_FLAGS) {
    const raw = flags.get(def.name);
    if (raw !== undefined) out[def.name] = coerceValue(def.kind, raw, `--${def.name}`, def);
  }
  return out as Partial<HydraOptions>;
}
