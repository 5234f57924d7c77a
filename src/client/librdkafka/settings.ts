import type { ConsumerSettings, ProducerShape } from '../seam';
import type { AppSpec, ConsumerKnobs, KafkaSecurity } from '../../control/wire';
import { ConfigError } from '../../errors';
import type { RdConfig } from './api';

/**
 * hydra's knobs as librdkafka properties (names from librdkafka's CONFIGURATION.md). Passthrough
 * properties ([client], [producer], [consumer] of hydra.ini) go first; hydra's own win, and
 * config/passthrough.ts refuses the ones hydra sets anyway.
 */

/**
 * How often librdkafka reports its statistics, ms: the source of the request telemetry
 * (statistics.ts). Each report costs its client's main thread: in a native sub app of 10 consumers
 * at 1 000 msg/s librdkafka's main threads ran 15.3 ms per second with a report every 1 000 ms,
 * 11.7 at 2 000 and 10.7 at 60 000, of about 37 ms per second for the whole app (thread CPU from
 * /proc/<pid>/task/<tid>/schedstat over 10 s of `hydra kafka --client_library=native
 * --total_sub_apps=1 --clients_per_app=10 --msg_rate=1000 --test_duration=30`).
 */
export const STATISTICS_INTERVAL_MS = 2000;

/** How often a consumer commits its position, ms (as kafkajs's consumers do). */
const COMMIT_INTERVAL_MS = 5000;

/** librdkafka's largest value for an int property. */
const INT_MAX = 2147483647;

/** The TLS and SASL properties of a security setting (certificates verified: librdkafka checks each broker's host name). */
export function securityProperties(security: KafkaSecurity | null | undefined): RdConfig {
  if (!security) return {};
  const { tls, sasl } = security;
  if (tls?.servername)
    // kafkajs's servername sets the name TLS sends and verifies; librdkafka always uses the broker's own host name.
    throw new ConfigError(
      '[security] ssl_servername',
      tls.servername,
      'the librdkafka client has no equivalent (it verifies each broker by its own host name); leave it empty',
    );
  const out: RdConfig = { 'security.protocol': tls ? (sasl ? 'sasl_ssl' : 'ssl') : 'sasl_plaintext' };
  if (tls?.ca) out['ssl.ca.pem'] = tls.ca;
  if (tls?.cert) out['ssl.certificate.pem'] = tls.cert;
  if (tls?.key) out['ssl.key.pem'] = tls.key;
  if (sasl) {
    out['sasl.mechanisms'] = sasl.mechanism.toUpperCase();
    out['sasl.username'] = sasl.username;
    out['sasl.password'] = sasl.password;
  }
  return out;
}

function common(spec: AppSpec, section: 'producer' | 'consumer'): RdConfig {
  return {
    ...spec.librdkafka?.client,
    ...spec.librdkafka?.[section],
    'bootstrap.servers': spec.brokers.join(','),
    'client.id': `${spec.client_id}-${spec.name}`,
    ...securityProperties(spec.kafka_security),
    'statistics.interval.ms': STATISTICS_INTERVAL_MS,
  };
}

/**
 * Each producer knob as librdkafka properties (the option table's `app: ['producer']` keys): a knob
 * the table adds does not compile here until it is mapped. Order: with idempotence librdkafka keeps
 * it with up to five requests in flight; without, max_in_flight=1 keeps it across retries. A
 * message is given up after its request's timeout on every try (kafkajs's retries bound it the same way).
 */
const PRODUCER_KNOBS: { [K in keyof ProducerShape]: (value: ProducerShape[K], all: ProducerShape) => RdConfig } = {
  // The registry chose this library already.
  client_library: () => ({}),
  acks: (acks) => ({ acks }),
  linger_ms: (ms) => ({ 'linger.ms': ms }),
  compression: (codec) => ({ 'compression.codec': codec }),
  idempotent: (on) => ({ 'enable.idempotence': on }),
  max_in_flight: (n) => ({ 'max.in.flight.requests.per.connection': n }),
  // librdkafka refuses a batch.size above message.max.bytes (1 MB by default): raise the latter with it.
  batch_bytes: (bytes) => ({ 'batch.size': bytes, ...(bytes > 1000000 ? { 'message.max.bytes': Math.min(INT_MAX, bytes + 100000) } : {}) }),
  retries: (n) => ({ 'message.send.max.retries': n }),
  request_timeout_ms: (ms, s) => ({
    'request.timeout.ms': ms,
    'message.timeout.ms': Math.min(INT_MAX, Math.ceil(ms * (s.retries + 1) + s.linger_ms)),
  }),
};

/**
 * Sends the pacing loop may have outstanding with no linger: librdkafka queues every message and
 * composes its own requests in queue order (max_in_flight bounds those on the wire), so this bounds
 * only how much the publisher hands over before the broker answers. A publisher held back by Kafka
 * fills it.
 */
const OUTSTANDING_SENDS = 32;

/**
 * How long OUTSTANDING_SENDS cover, ms: 32 sends of the pacing loop's largest requests (1 000
 * messages) in 80 ms are 400 000 msg/s, twice the publisher's measured ceiling, so only a broker
 * answering slower than that fills them.
 */
const OUTSTANDING_COVER_MS = 80;

/**
 * Sends outstanding for a producer lingering `lingerMs`: a send is out for its linger plus the
 * round trip, and the linger is the client's own wait, so the sends grow with it. Otherwise a long
 * linger would fill them and the pacing loop would count the client's own wait as the broker's.
 */
export function outstandingSends(lingerMs: number): number {
  return Math.ceil((OUTSTANDING_SENDS * (lingerMs + OUTSTANDING_COVER_MS)) / OUTSTANDING_COVER_MS);
}

/** A producer's properties: passthrough first, then every producer knob. */
export function producerProperties(spec: AppSpec, shape: ProducerShape): RdConfig {
  const knobs = (Object.keys(PRODUCER_KNOBS) as (keyof ProducerShape)[]).map((key) =>
    (PRODUCER_KNOBS[key] as (v: unknown, all: ProducerShape) => RdConfig)(shape[key], shape),
  );
  return { ...common(spec, 'producer'), ...Object.assign({}, ...knobs) };
}

/**
 * A bounded fetch buffer: librdkafka asks fetch.max.bytes ≥ message.max.bytes (at least 1000) and
 * receive.message.max.bytes ≥ fetch.max.bytes + 512, so those follow it.
 */
function fetchBufferProperties(bytes: number): RdConfig {
  if (bytes === 0) return {};
  const fetchMax = Math.max(1000, bytes);
  return {
    'fetch.max.bytes': fetchMax,
    // Its largest allowed value.
    'max.partition.fetch.bytes': Math.min(bytes, 1000000000),
    'message.max.bytes': Math.min(fetchMax, 1000000),
    ...(fetchMax + 512 > 100000000 ? { 'receive.message.max.bytes': Math.min(INT_MAX, fetchMax + 512) } : {}),
  };
}

/** Each consumer knob as librdkafka properties: a knob the table adds does not compile here until it is mapped. */
const CONSUMER_KNOBS: { [K in keyof ConsumerKnobs]: (value: ConsumerKnobs[K]) => RdConfig } = {
  consumer_session_timeout_ms: (ms) => ({
    'session.timeout.ms': ms,
    // librdkafka asks max.poll.interval.ms ≥ session.timeout.ms (its default is 300 000).
    ...(ms > 300000 ? { 'max.poll.interval.ms': ms } : {}),
  }),
  consumer_heartbeat_interval_ms: (ms) => ({ 'heartbeat.interval.ms': ms }),
  consumer_max_wait_ms: (ms) => ({ 'fetch.wait.max.ms': ms }),
  consumer_min_bytes: (bytes) => ({ 'fetch.min.bytes': bytes }),
  consumer_max_buffer_size: (bytes) => fetchBufferProperties(bytes),
};

/** A consumer's properties (its rebalance handling is the consumer's own: library.ts). */
export function consumerProperties(spec: AppSpec, s: ConsumerSettings): RdConfig {
  const knobs = (Object.keys(CONSUMER_KNOBS) as (keyof ConsumerKnobs)[]).map((key) => (CONSUMER_KNOBS[key] as (v: unknown) => RdConfig)(s[key]));
  return {
    ...common(spec, 'consumer'),
    'group.id': s.groupId,
    ...Object.assign({}, ...knobs),
    'enable.auto.commit': true,
    'auto.commit.interval.ms': COMMIT_INTERVAL_MS,
    // Only where hydra could not name a start (library.ts assigns explicit offsets).
    'auto.offset.reset': s.startAt,
    // On the embedded broker the topic is made on first use, maybe by a consumer that joins before the publisher.
    'allow.auto.create.topics': true,
  };
}
