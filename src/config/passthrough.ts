import { ConfigError } from '../errors';
import { LIBRDKAFKA_PROPERTIES } from './librdkafka-properties';
import { OPTION_SPECS, type KafkajsPassthrough, type LibrdkafkaPassthrough } from './options';

/**
 * The hydra.ini sections whose other keys go to a client as they are: kafkajs's option names
 * (camelCase) to kafkajs, librdkafka's property names (dotted) to librdkafka.
 */
export type PassthroughSection = keyof KafkajsPassthrough;
export const PASSTHROUGH_SECTIONS: readonly PassthroughSection[] = ['client', 'producer', 'consumer', 'admin'];
export type LibrdkafkaSection = keyof LibrdkafkaPassthrough;

/**
 * The two spellings of passthrough keys: kafkajs's option names, librdkafka's property names. Each
 * client library reads one (client/registry.ts); `options[dialect]` holds its keys by section.
 */
export const PASSTHROUGH_DIALECTS = ['kafkajs', 'librdkafka'] as const;
export type PassthroughDialect = (typeof PASSTHROUGH_DIALECTS)[number];

type ValueKind = 'int' | 'number' | 'bool' | 'string';

/** kafkajs's retry options (KafkaConfig.retry, and each of producer(), consumer() and admin()). */
const RETRY: Record<string, ValueKind> = {
  'retry.maxRetryTime': 'int',
  'retry.initialRetryTime': 'int',
  'retry.factor': 'number',
  'retry.multiplier': 'number',
  'retry.retries': 'int',
};

/**
 * The kafkajs 2.2 options each section accepts unchanged (names as kafkajs spells them: see its
 * KafkaConfig, ProducerConfig, ConsumerConfig and AdminConfig). Options hydra sets itself, or that
 * take a function, are not here: OWNED says what to use instead.
 */
const ACCEPTED: Record<PassthroughSection, Record<string, ValueKind>> = {
  client: {
    connectionTimeout: 'int',
    authenticationTimeout: 'int',
    reauthenticationThreshold: 'int',
    requestTimeout: 'int',
    enforceRequestTimeout: 'bool',
    ...RETRY,
  },
  producer: { metadataMaxAge: 'int', ...RETRY },
  consumer: {
    metadataMaxAge: 'int',
    rebalanceTimeout: 'int',
    heartbeatInterval: 'int',
    maxInFlightRequests: 'int',
    readUncommitted: 'bool',
    rackId: 'string',
    ...RETRY,
  },
  admin: { ...RETRY },
};

/** kafkajs options hydra sets itself: the key to use instead, or why it cannot be set. */
const OWNED: Record<PassthroughSection, Record<string, string>> = {
  client: {
    brokers: 'use [broker] brokers',
    clientId: 'use [client] client_id',
    ssl: 'use the [security] keys',
    sasl: 'use the [security] keys',
    logLevel: 'hydra logs kafkajs errors to the app logs itself',
  },
  producer: {
    transactionalId: 'hydra does not run transactions',
    allowAutoTopicCreation: 'hydra creates the topic itself',
    createPartitioner: 'hydra picks partitions itself (--partitions, --keys)',
  },
  consumer: {
    groupId: 'hydra names the groups (see [consumer] group)',
    allowAutoTopicCreation: 'hydra creates the topic itself',
    partitionAssigners: 'takes a function; not settable from hydra.ini',
  },
  admin: {},
};

/**
 * What hydra's own options set in a library's words (the option table's `passthrough`), refused
 * in the passthrough sections with the key to use instead: a knob added to the table is refused
 * here with no edit of this file.
 */
function ownedByOptions(dialect: PassthroughDialect, section?: PassthroughSection): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of OPTION_SPECS)
    if (section === undefined || spec.ini?.[0] === section)
      for (const key of spec.passthrough?.[dialect] ?? []) out[key] = spec.ini ? `use [${spec.ini[0]}] ${spec.ini[1]}` : `use --${spec.name}`;
  return out;
}

/** librdkafka properties hydra sets itself (from its own keys), with the key to use instead. */
const LIBRDKAFKA_OWNED: Record<string, string> = {
  ...ownedByOptions('librdkafka'),
  'bootstrap.servers': 'use [broker] brokers',
  'metadata.broker.list': 'use [broker] brokers',
  'client.id': 'use [client] client_id',
  'security.protocol': 'use [security] security_protocol',
  'ssl.ca.pem': 'use [security] ssl_ca_file',
  'ssl.ca.location': 'use [security] ssl_ca_file',
  'ssl.certificate.pem': 'use [security] ssl_cert_file',
  'ssl.certificate.location': 'use [security] ssl_cert_file',
  'ssl.key.pem': 'use [security] ssl_key_file',
  'ssl.key.location': 'use [security] ssl_key_file',
  'sasl.mechanism': 'use [security] sasl_mechanism',
  'sasl.mechanisms': 'use [security] sasl_mechanism',
  'sasl.username': 'use [security] sasl_username',
  'sasl.password': 'use [security] sasl_password_file or sasl_password_env',
  'message.timeout.ms': 'hydra derives it from [producer] request_timeout_ms and retries',
  'delivery.timeout.ms': 'hydra derives it from [producer] request_timeout_ms and retries',
  'delivery.report.only.error': 'hydra counts every delivery report',
  partitioner: 'hydra picks partitions itself (--partitions, --keys)',
  'transactional.id': 'hydra does not run transactions',
  'group.id': 'hydra names the groups (see [consumer] group)',
  'group.instance.id': 'hydra names the groups (see [consumer] group)',
  'enable.auto.commit': 'hydra commits positions itself',
  'auto.offset.reset': 'hydra starts each consumer where the point needs it',
  'enable.partition.eof': "hydra's consume loop does not handle end-of-partition events",
  'statistics.interval.ms': 'hydra reads the statistics for its request telemetry',
  'allow.auto.create.topics': 'hydra creates the topic itself',
};

/** Where a passthrough key goes: kafkajs's option names, or librdkafka's property names. */
export type PassthroughValue = { library: PassthroughDialect; value: number | boolean | string };

/**
 * The typed value of one passthrough key and the client it is for; `source` is `file [section] key`
 * for errors. A librdkafka property goes to the librdkafka client only (it applies when a point's
 * client_library is librdkafka), a kafkajs option to kafkajs only.
 */
export function readPassthrough(section: PassthroughSection, key: string, raw: string, source: string): PassthroughValue {
  const property = LIBRDKAFKA_PROPERTIES[key];
  if (property !== undefined && ACCEPTED[section][key] === undefined) {
    checkLibrdkafkaProperty(section, key, property[0], raw, source);
    return { library: 'librdkafka', value: coercePassthrough(property[1], raw, source) };
  }
  const owned = OWNED[section][key] ?? ownedByOptions('kafkajs', section)[key];
  if (owned !== undefined) throw new ConfigError(source, raw, `is set by hydra: ${owned}`);
  const kind = ACCEPTED[section][key];
  if (kind === undefined)
    throw new ConfigError(
      source,
      raw,
      `unknown key (kafkajs options here: ${Object.keys(ACCEPTED[section]).join(', ')}; or a librdkafka property, for client_library=librdkafka)`,
    );
  return { library: 'kafkajs', value: coercePassthrough(kind, raw, source) };
}

/** A librdkafka property is one hydra does not set, in a section whose clients read it. */
function checkLibrdkafkaProperty(section: PassthroughSection, key: string, applies: 'P' | 'C' | '*', raw: string, source: string): void {
  const owned = LIBRDKAFKA_OWNED[key];
  if (owned !== undefined) throw new ConfigError(source, raw, `is set by hydra: ${owned}`);
  if (section === 'admin') throw new ConfigError(source, raw, "is a librdkafka property, and hydra's admin client is kafkajs");
  if (applies === 'C' && section !== 'consumer') throw new ConfigError(source, raw, 'is a librdkafka consumer property: put it in [consumer]');
  if (applies === 'P' && section !== 'producer') throw new ConfigError(source, raw, 'is a librdkafka producer property: put it in [producer]');
}

function coercePassthrough(kind: ValueKind, raw: string, source: string): number | boolean | string {
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new ConfigError(source, raw, 'expected true or false');
  }
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) throw new ConfigError(source, raw, 'expected a non-negative number');
  if (kind === 'int' && !Number.isInteger(n)) throw new ConfigError(source, raw, 'expected a whole number');
  return n;
}

/** Checks passthrough values handed in by a notebook (typed already): the same names and kinds as hydra.ini. */
export function checkPassthrough(p: KafkajsPassthrough, field = 'options.kafkajs'): void {
  for (const section of PASSTHROUGH_SECTIONS) {
    for (const [key, value] of Object.entries(p[section] ?? {})) {
      const source = `${field}.${section}['${key}']`;
      if (readPassthrough(section, key, String(value), source).library !== 'kafkajs')
        throw new ConfigError(source, String(value), 'is a librdkafka property: put it in options.librdkafka');
      checkValueKind(ACCEPTED[section][key] ?? 'string', value, source);
    }
  }
}

/** Checks librdkafka properties handed in by a notebook: names librdkafka knows and hydra does not set, values of their kind. */
export function checkLibrdkafkaPassthrough(p: LibrdkafkaPassthrough, field = 'options.librdkafka'): void {
  for (const section of ['client', 'producer', 'consumer'] as const) {
    for (const [key, value] of Object.entries(p[section] ?? {})) {
      const source = `${field}.${section}['${key}']`;
      const property = LIBRDKAFKA_PROPERTIES[key];
      if (property === undefined) throw new ConfigError(source, String(value), 'not a librdkafka property (see its CONFIGURATION.md)');
      checkLibrdkafkaProperty(section, key, property[0], String(value), source);
      coercePassthrough(property[1], String(value), source);
      checkValueKind(property[1], value, source);
    }
  }
}

function checkValueKind(kind: ValueKind, value: number | boolean | string, source: string): void {
  if ((kind === 'bool') !== (typeof value === 'boolean') || (kind === 'string') !== (typeof value === 'string'))
    throw new ConfigError(source, String(value), `expected a ${kind} value`);
}

/**
 * kafkajs options from passthrough keys: `retry.x` keys become one `retry` object, merged over
 * `base` (what hydra sets), so a passthrough retry setting keeps hydra's retries count.
 */
export function kafkajsOptions(keys: Record<string, number | boolean | string>, base: { retry?: Record<string, number> } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const retry: Record<string, number> = { ...(base.retry ?? {}) };
  for (const [key, value] of Object.entries(keys)) {
    if (key.startsWith('retry.')) retry[key.slice('retry.'.length)] = value as number;
    else out[key] = value;
  }
  if (Object.keys(retry).length > 0) out.retry = retry;
  return out;
}
