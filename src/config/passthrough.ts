import { ConfigError } from '../errors';
import type { KafkajsPassthrough } from './options';

/** The hydra.ini sections whose other keys go to kafkajs as they are. */
export type PassthroughSection = keyof KafkajsPassthrough;
export const PASSTHROUGH_SECTIONS: readonly PassthroughSection[] = ['client', 'producer', 'consumer', 'admin'];

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
    idempotent: 'use [producer] idempotent',
    maxInFlightRequests: 'use [producer] max_in_flight',
    'retry.retries': 'use [producer] retries',
    transactionalId: 'hydra does not run transactions',
    allowAutoTopicCreation: 'hydra creates the topic itself',
    createPartitioner: 'hydra picks partitions itself (--partitions, --keys)',
  },
  consumer: {
    groupId: 'hydra names the groups (see [consumer] group)',
    minBytes: 'use [consumer] min_bytes',
    maxBytes: 'use [consumer] max_buffer_size',
    maxBytesPerPartition: 'use [consumer] max_buffer_size',
    maxWaitTimeInMs: 'use [consumer] max_wait_ms',
    sessionTimeout: 'use [consumer] session_timeout_ms',
    allowAutoTopicCreation: 'hydra creates the topic itself',
    partitionAssigners: 'takes a function; not settable from hydra.ini',
  },
  admin: {},
};

/** The typed value of one passthrough key; `source` is `file [section] key` for errors. */
export function readPassthrough(section: PassthroughSection, key: string, raw: string, source: string): number | boolean | string {
  const owned = OWNED[section][key];
  if (owned !== undefined) throw new ConfigError(source, raw, `is set by hydra: ${owned}`);
  const kind = ACCEPTED[section][key];
  if (kind === undefined) throw new ConfigError(source, raw, `unknown key (kafkajs options here: ${Object.keys(ACCEPTED[section]).join(', ')})`);
  return coercePassthrough(kind, raw, source);
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
      readPassthrough(section, key, String(value), source);
      const kind = ACCEPTED[section][key];
      if ((kind === 'bool') !== (typeof value === 'boolean') || (kind === 'string') !== (typeof value === 'string'))
        throw new ConfigError(source, String(value), `expected a ${kind} value`);
    }
  }
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
