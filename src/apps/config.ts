import { checkClientPoint } from '../client/rules';
import { KNOBS, type AppRole, type KnobsOf } from '../config/options';
import { checkBelow, checkNumber, checkPointRules, checkPointValue, checkText } from '../config/rules';
import { ArgsError, ConfigError } from '../errors';
import type { PubConfig, StartAt, SubConfig, TestStartArgs } from '../control/wire';

/**
 * The apps' side of updateconfig: the arguments come off the wire, so each is checked once more,
 * at the app's own process boundary, with the same table-driven rule the runner's options use
 * (the knobs of each app role are the option table's); anything else is refused with ArgsError
 * (the runner then knows a retry cannot help).
 */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ConfigError) throw new ArgsError(`updateconfig: ${err.message}`);
    throw err;
  }
}

/** The knobs of `role` from the wire's arguments, each by its option's rule. */
function knobs<R extends AppRole>(role: R, value: unknown, prefix = ''): KnobsOf<R> {
  const args = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return Object.fromEntries(KNOBS[role].map((key) => [key, checkPointValue(key, args[key], `${prefix}${key}`)])) as KnobsOf<R>;
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

/** The point's topics: 1 to 10 000 names (the topics option's range). */
function topicList(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 10000) throw new ConfigError('topics', String(v), 'expected a list of 1-10000 topic names');
  return v.map((t, i) => {
    if (typeof t !== 'string' || t === '') throw new ConfigError(`topics[${i}]`, String(t), 'must be a non-empty string');
    return checkText(t, `topics[${i}]`);
  });
}

/** A payload (base64) of exactly msg_size bytes. */
function payloadOf(v: unknown, msgSize: unknown): string {
  if (typeof v !== 'string' || Buffer.byteLength(v, 'base64') !== msgSize || Buffer.from(v, 'base64').toString('base64') !== v)
    throw new ConfigError('payload', typeof v === 'string' ? `${v.slice(0, 20)}…` : String(v), 'expected the base64 of msg_size bytes');
  return v;
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

export function parsePubConfig(args: Record<string, unknown>): PubConfig {
  return checked(() => {
    const producer = knobs('producer', args.producer, 'producer.');
    checkBelow(producer, (key) => key);
    checkPointRules(producer, (key) => key);
    checkClientPoint(producer, (key) => key);
    return {
      ...knobs('pub', args),
      topics: topicList(args.topics),
      ...marks(args),
      pub_id: checkNumber(args.pub_id, { kind: 'int', min: 0, max: 0xffff }, 'pub_id'),
      partitions: partitionList(args.partitions),
      producer,
      ...(args.payload === undefined ? {} : { payload: payloadOf(args.payload, args.msg_size) }),
    };
  });
}

export function parseSubConfig(args: Record<string, unknown>): SubConfig {
  return checked(() => {
    const consumer = knobs('consumer', args);
    checkBelow(consumer, (key) => key);
    return parseSubFields(args, consumer);
  });
}

function parseSubFields(args: Record<string, unknown>, consumer: KnobsOf<'consumer'>): SubConfig {
  return {
    ...knobs('sub', args),
    ...consumer,
    topics: topicList(args.topics),
    first_client: checkNumber(args.first_client, { kind: 'int', min: 0, max: 10_000_000 }, 'first_client'),
    group_prefix: text(args, 'group_prefix'),
    start_at: startAt(args.start_at),
    pub_count: checkNumber(args.pub_count, { kind: 'int', min: 1, max: 0x10000 }, 'pub_count'),
    shared_group: args.shared_group === null ? null : text(args, 'shared_group'),
    ...marks(args),
    ...(args.latency_corrections_ms === undefined ? {} : { latency_corrections_ms: corrections(args.latency_corrections_ms) }),
  };
}
