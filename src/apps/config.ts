import { CLIENT_LIBRARIES, COMPRESSIONS, KEY_MODES } from '../config/options';
import { checkAcks, checkBool, checkChoice, checkNumber, checkPointParam, checkPointRules } from '../config/rules';
import { ArgsError } from '../errors';
import { checkClientPoint } from '../client/rules';
import type { ProducerSettings, PubConfig, StartAt, SubConfig, TestStartArgs } from '../control/wire';
import { ConfigError } from '../errors';

/**
 * The apps' side of updateconfig: the arguments come off the wire, so each is checked with the
 * same rule the runner's options use; anything else is refused with ArgsError (the runner then
 * knows a retry cannot help).
 */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) throw new ArgsError(`updateconfig: ${err.message}`);
    throw err;
  }
}

function text(args: Record<string, unknown>, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v === '') throw new ConfigError(key, v === undefined ? undefined : String(v), 'must be a non-empty string');
  return v;
}

/** What every message of a point carries: the send-time base and the point's epoch. */
function marks(args: Record<string, unknown>): { t0_ms: number; epoch: number } {
  return {
    t0_ms: checkNumber(args.t0_ms, { kind: 'number', min: 0 }, 't0_ms'),
    epoch: checkNumber(args.epoch, { kind: 'int', min: 0, max: 0xffff }, 'epoch'),
  };
}

function partitionList(v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 1024) throw new ConfigError('partitions', String(v), 'expected a list of 1-1024 partition numbers');
  return v.map((p, i) => checkNumber(p, { kind: 'int', min: 0, max: 0x7fffffff }, `partitions[${i}]`));
}

/** Per publisher, ms: at most an hour either way (a larger skew is a broken clock, not an offset to correct). */
function corrections(v: unknown): number[] {
  if (!Array.isArray(v) || v.length > 0x10000) throw new ConfigError('latency_corrections_ms', String(v), 'expected a list of numbers');
  return v.map((c, i) => checkNumber(c, { kind: 'number', min: -3_600_000, max: 3_600_000 }, `latency_corrections_ms[${i}]`));
}

function startAt(v: unknown): StartAt {
  if (v === 'earliest' || v === 'latest') return v;
  throw new ConfigError('start_at', v === undefined ? undefined : String(v), "must be 'earliest' or 'latest'");
}

/** teststart's optional start time (epoch ms). */
export function parseTestStart(args: Record<string, unknown> | undefined): TestStartArgs {
  if (args?.start_at_ms === undefined) return {};
  return checked(() => ({ start_at_ms: checkNumber(args.start_at_ms, { kind: 'number', min: 0 }, 'start_at_ms') }));
}

function producerSettings(v: unknown): ProducerSettings {
  const args = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return {
    client_library: checkChoice(args.client_library, CLIENT_LIBRARIES, 'producer.client_library'),
    idempotent: checkBool(args.idempotent, 'producer.idempotent'),
    max_in_flight: checkPointParam('max_in_flight', args.max_in_flight, 'producer.max_in_flight'),
    retries: checkPointParam('retries', args.retries, 'producer.retries'),
    request_timeout_ms: checkPointParam('request_timeout_ms', args.request_timeout_ms, 'producer.request_timeout_ms'),
  };
}

export function parsePubConfig(args: Record<string, unknown>): PubConfig {
  return checked(() => {
    const cfg = parsePubFields(args);
    checkPointRules({ ...cfg.producer, acks: cfg.acks }, (key) => key);
    checkClientPoint({ client_library: cfg.producer.client_library, compression: cfg.compression }, (key) => key);
    return cfg;
  });
}

function parsePubFields(args: Record<string, unknown>): PubConfig {
  return {
    topic: text(args, 'topic'),
    msg_rate: checkPointParam('msg_rate', args.msg_rate, 'msg_rate'),
    msg_batch: checkPointParam('msg_batch', args.msg_batch, 'msg_batch'),
    test_duration: checkPointParam('test_duration', args.test_duration, 'test_duration'),
    warmup: checkPointParam('warmup', args.warmup, 'warmup'),
    acks: checkAcks(args.acks, 'acks'),
    linger_ms: checkPointParam('linger_ms', args.linger_ms, 'linger_ms'),
    ...marks(args),
    pub_id: checkNumber(args.pub_id, { kind: 'int', min: 0, max: 0xffff }, 'pub_id'),
    partitions: partitionList(args.partitions),
    msg_size: checkPointParam('msg_size', args.msg_size, 'msg_size'),
    payload_random_pct: checkPointParam('payload_random_pct', args.payload_random_pct, 'payload_random_pct'),
    compression: checkChoice(args.compression, COMPRESSIONS, 'compression'),
    keys: checkChoice(args.keys, KEY_MODES, 'keys'),
    key_count: checkPointParam('key_count', args.key_count, 'key_count'),
    batch_bytes: checkPointParam('batch_bytes', args.batch_bytes, 'batch_bytes'),
    producer: producerSettings(args.producer),
  };
}

export function parseSubConfig(args: Record<string, unknown>): SubConfig {
  return checked(() => ({
    client_library: checkChoice(args.client_library, CLIENT_LIBRARIES, 'client_library'),
    topic: text(args, 'topic'),
    group_prefix: text(args, 'group_prefix'),
    start_at: startAt(args.start_at),
    pub_count: checkNumber(args.pub_count, { kind: 'int', min: 1, max: 0x10000 }, 'pub_count'),
    clients_per_app: checkPointParam('clients_per_app', args.clients_per_app, 'clients_per_app'),
    consumer_max_buffer_size: checkPointParam('consumer_max_buffer_size', args.consumer_max_buffer_size, 'consumer_max_buffer_size'),
    consumer_max_wait_ms: checkPointParam('consumer_max_wait_ms', args.consumer_max_wait_ms, 'consumer_max_wait_ms'),
    consumer_min_bytes: checkPointParam('consumer_min_bytes', args.consumer_min_bytes, 'consumer_min_bytes'),
    consumer_session_timeout_ms: checkPointParam('consumer_session_timeout_ms', args.consumer_session_timeout_ms, 'consumer_session_timeout_ms'),
    shared_group: args.shared_group === null ? null : text(args, 'shared_group'),
    ...marks(args),
    ...(args.latency_corrections_ms === undefined ? {} : { latency_corrections_ms: corrections(args.latency_corrections_ms) }),
  }));
}
