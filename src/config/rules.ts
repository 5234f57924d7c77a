import { ConfigError } from '../errors';
import { FaultSchedule } from './fault-schedule';
import { OPTION_SPECS, optionSpec, POINT_KEYS, type HydraOptions, type PointKey, type OptionKind, type OptionName, type PointParams } from './options';

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

/**
 * The longest text option, characters: a schedule of a dozen faults with their commands is under
 * 2 000. A value longer than this is not one a person wrote: it would be copied into every point's
 * key, record and line.
 */
export const MAX_TEXT_LENGTH = 4096;

/** The one rule for a text option: text, at most MAX_TEXT_LENGTH characters, no control characters but tabs. */
export function checkText(value: unknown, source: string): string {
  if (typeof value !== 'string') throw new ConfigError(source, String(value), 'expected text');
  if (value.length > MAX_TEXT_LENGTH)
    throw new ConfigError(source, `${value.slice(0, 40)}…`, `${value.length} characters: longer than any value of hydra's (at most ${MAX_TEXT_LENGTH})`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new ConfigError(source, value, 'holds a control character (a line break, NUL, ...)');
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
  for (const key of POINT_KEYS) checkPointValue(key, params[key], sourceOf(key));
  checkBelow(params, (key) => sourceOf(key as keyof PointParams));
  checkPointRules(params, sourceOf);
  checkPublisherShare(params, sourceOf);
  checkTopicShare(params, sourceOf);
  // A schedule against its point (window, app names, commands) is faults/checks.ts's, per point of a study.
}

/**
 * Every option the table says must stay below another (`below`: a consumer's heartbeat below its
 * session timeout), among those `values` holds; names both settings.
 */
export function checkBelow(values: Partial<Record<OptionName, unknown>>, sourceOf: (name: OptionName) => string): void {
  for (const spec of OPTION_SPECS) {
    if (!spec.below) continue;
    const value = values[spec.name];
    const other = spec.below.option as OptionName;
    const limit = values[other];
    if (typeof value === 'number' && typeof limit === 'number' && value >= limit)
      throw new ConfigError(sourceOf(spec.name), String(value), `must be below ${other} (${limit}, ${sourceOf(other)}): ${spec.below.why}`);
  }
}

/** One point value by its option's rule, whatever its kind; returns it typed. */
export function checkPointValue<K extends PointKey>(key: K, value: unknown, source: string): PointParams[K] {
  const spec = optionSpec(key);
  switch (spec.kind) {
    case 'acks':
      return checkAcks(value, source) as PointParams[K];
    case 'choice':
      return checkChoice(value, spec.choices ?? [], source) as PointParams[K];
    case 'bool':
      return checkBool(value, source) as PointParams[K];
    case 'string':
      return checkText(value, source) as PointParams[K];
    case 'fault':
      if (!(value instanceof FaultSchedule)) throw new ConfigError(source, String(value), 'expected a planned-fault schedule');
      checkText(value.text, source);
      return value as PointParams[K];
    default:
      return checkNumber(value, spec, source) as PointParams[K];
  }
}

export function checkBool(value: unknown, source: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(source, String(value), 'expected true or false');
  return value;
}

/** Most requests in flight an idempotent producer may have: Kafka keeps ordering state for five batches per partition. */
export const IDEMPOTENT_MAX_IN_FLIGHT = 5;

/**
 * Rules between a point's parameters, whatever its client library (what a library can do is
 * client/rules.ts's). Kafka's idempotent producer needs acks=all (clients refuse the send
 * otherwise) and at most five requests in flight (the broker keeps the sequence state of five
 * batches per partition; more would reject batches as out of order).
 */
export function checkPointRules(params: Pick<PointParams, 'idempotent' | 'acks' | 'max_in_flight'>, sourceOf: SourceOf = flagSource): void {
  if (!params.idempotent) return;
  if (params.acks !== -1)
    throw new ConfigError(sourceOf('idempotent'), 'true', `the idempotent producer needs acks=-1 (all), but acks is ${params.acks} (${sourceOf('acks')})`);
  if (params.max_in_flight > IDEMPOTENT_MAX_IN_FLIGHT)
    throw new ConfigError(
      sourceOf('idempotent'),
      'true',
      `the idempotent producer allows at most ${IDEMPOTENT_MAX_IN_FLIGHT} requests in flight, but max_in_flight is ${params.max_in_flight} (${sourceOf('max_in_flight')})`,
    );
}

/** The rate is split over the publishers: each needs at least 1 msg/s of it. */
export function checkPublisherShare(params: Pick<PointParams, 'msg_rate' | 'total_pub_apps'>, sourceOf: SourceOf = flagSource): void {
  if (params.msg_rate < params.total_pub_apps)
    throw new ConfigError(
      sourceOf('total_pub_apps'),
      String(params.total_pub_apps),
      `each publisher needs at least 1 msg/s of the rate; msg_rate is ${params.msg_rate} (${sourceOf('msg_rate')})`,
    );
}

/**
 * Topics of a point: each needs a reader (client i reads topic i mod topics), and a point with
 * planned faults keeps one topic (its delivery figures follow one stream of messages per client).
 */
export function checkTopicShare(params: Pick<PointParams, 'topics' | 'total_sub_apps' | 'clients_per_app' | 'fault'>, sourceOf: SourceOf = flagSource): void {
  if (params.topics === 1) return;
  const clients = params.total_sub_apps * params.clients_per_app;
  if (clients < params.topics)
    throw new ConfigError(
      sourceOf('topics'),
      String(params.topics),
      `every topic needs a client to read it, but the point has ${clients} clients (total_sub_apps × clients_per_app); use at most ${clients} topics or more clients`,
    );
  if (params.fault.text !== '')
    throw new ConfigError(sourceOf('topics'), String(params.topics), `planned faults (${sourceOf('fault')}) run on points of one topic`);
}

/** Partitions of a topic the embedded broker (librdkafka's mock cluster) creates on first use. */
export const EMBEDDED_TOPIC_PARTITIONS = 4;

/**
 * What a point asks of a cluster that speaks like librdkafka's mock (the embedded broker, or one
 * at --brokers): at most the 4 partitions its topics have (what its client library cannot do
 * there is client/rules.ts's).
 */
export function checkPointOnMockCluster(params: Pick<PointParams, 'partitions'>, sourceOf: SourceOf = flagSource): void {
  if (params.partitions > EMBEDDED_TOPIC_PARTITIONS)
    throw new ConfigError(
      sourceOf('partitions'),
      String(params.partitions),
      `the embedded broker's topics have ${EMBEDDED_TOPIC_PARTITIONS} partitions; use a real cluster for more`,
    );
}

/**
 * Settings only a real cluster can honour, refused on the embedded broker rather than ignored:
 * topic configs (it cannot create topics: they are auto-created with its defaults). The typed
 * topic keys are not to be repeated in topic_configs.
 */
export function checkClusterNeeds(
  o: Pick<HydraOptions, 'brokers' | 'topic_min_insync_replicas' | 'topic_retention_ms' | 'topic_configs' | 'topic_replication'>,
  sourceOf: (name: keyof HydraOptions) => string,
): void {
  const set = (['topic_min_insync_replicas', 'topic_retention_ms', 'topic_configs'] as const).find((k) =>
    k === 'topic_configs' ? o.topic_configs.length > 0 : o[k] !== 0,
  );
  if (set && o.brokers.length === 0)
    throw new ConfigError(
      sourceOf(set),
      String(o[set]),
      "needs a real cluster ([broker] brokers): the embedded broker's topics are auto-created with its defaults",
    );
  if (o.topic_min_insync_replicas > o.topic_replication)
    throw new ConfigError(
      sourceOf('topic_min_insync_replicas'),
      String(o.topic_min_insync_replicas),
      `must not exceed topic_replication (${o.topic_replication}): every produce with acks=-1 would fail`,
    );
  for (const entry of o.topic_configs) {
    const name = entry.slice(0, entry.indexOf('='));
    const typed = { 'min.insync.replicas': 'topic_min_insync_replicas', 'retention.ms': 'topic_retention_ms' }[name];
    if (typed) throw new ConfigError(sourceOf('topic_configs'), entry, `use ${typed} for ${name}`);
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
export function checkPointParam(key: OptionName, value: unknown, source: string): number {
  const spec = optionSpec(key);
  return spec.kind === 'acks' ? checkAcks(value, source) : checkNumber(value, spec, source);
}
