import type { ConsumerSettings, ProducerShape } from '../seam';
import type { AppSpec, KafkaSecurity } from '../../control/wire';
import { ConfigError } from '../../errors';
import type { RdConfig } from './api';

/**
 * hydra's knobs as librdkafka properties (names from librdkafka's CONFIGURATION.md). Passthrough
 * properties ([client], [producer], [consumer] of hydra.ini) go first; hydra's own win, and
 * config/passthrough.ts refuses the ones hydra sets anyway.
 */

/** How often librdkafka reports its statistics, ms: the source of the request telemetry (statistics.ts). */
export const STATISTICS_INTERVAL_MS = 1000;

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
 * A producer's properties. Order: with idempotence librdkafka keeps it with up to five requests in
 * flight; without, max_in_flight=1 keeps it across retries. A message is given up after its
 * request's timeout on every try (kafkajs's retries bound it the same way).
 */
export function producerProperties(spec: AppSpec, shape: ProducerShape): RdConfig {
  return {
    ...common(spec, 'producer'),
    acks: shape.acks,
    'linger.ms': shape.linger_ms,
    'compression.codec': shape.compression,
    'enable.idempotence': shape.idempotent,
    'max.in.flight.requests.per.connection': shape.max_in_flight,
    // librdkafka refuses a batch.size above message.max.bytes (1 MB by default): raise the latter with it.
    'batch.size': shape.batch_bytes,
    ...(shape.batch_bytes > 1000000 ? { 'message.max.bytes': Math.min(INT_MAX, shape.batch_bytes + 100000) } : {}),
    'message.send.max.retries': shape.retries,
    'request.timeout.ms': shape.request_timeout_ms,
    'message.timeout.ms': Math.min(INT_MAX, Math.ceil(shape.request_timeout_ms * (shape.retries + 1) + shape.linger_ms)),
    // One report per message: a send resolves when each of its messages has one.
    dr_cb: true,
  };
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

/** A consumer's properties (its rebalance handling is the consumer's own: library.ts). */
export function consumerProperties(spec: AppSpec, s: ConsumerSettings): RdConfig {
  return {
    ...common(spec, 'consumer'),
    'group.id': s.groupId,
    'session.timeout.ms': s.sessionTimeoutMs,
    // librdkafka asks max.poll.interval.ms ≥ session.timeout.ms (its default is 300 000).
    ...(s.sessionTimeoutMs > 300000 ? { 'max.poll.interval.ms': s.sessionTimeoutMs } : {}),
    'fetch.wait.max.ms': s.maxWaitMs,
    'fetch.min.bytes': s.minBytes,
    ...fetchBufferProperties(s.maxBufferBytes),
    'enable.auto.commit': true,
    'auto.commit.interval.ms': COMMIT_INTERVAL_MS,
    // Only where hydra could not name a start (library.ts assigns explicit offsets).
    'auto.offset.reset': s.startAt,
    // On the embedded broker the topic is made on first use, maybe by a consumer that joins before the publisher.
    'allow.auto.create.topics': true,
  };
}
