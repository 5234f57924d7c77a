import { CompressionTypes, type ConsumerConfig, type ProducerConfig } from 'kafkajs';
import type { Compression } from '../../config/options';
import type { ConsumerKnobs, ProducerSettings } from '../../control/wire';

/**
 * hydra's producer and consumer knobs as kafkajs options (the option table's `app: ['producer']`
 * and `app: ['consumer']` keys): one entry each, so a knob the table adds does not compile here
 * until it is placed. Passthrough options ([producer], [consumer] of hydra.ini) go under these;
 * config/passthrough.ts refuses the ones set here.
 */

const CODECS: Partial<Record<Compression, CompressionTypes>> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP };

/** Where kafkajs takes a producer knob: its client, its producer, its retry count, or each send. */
export interface ProducerPlaces {
  client: { requestTimeout?: number };
  producer: Partial<ProducerConfig>;
  retries?: number;
  send: { acks?: number; compression?: CompressionTypes; timeout?: number };
}

const PRODUCER_KNOBS: { [K in keyof ProducerSettings]: (value: ProducerSettings[K]) => Partial<ProducerPlaces> } = {
  // The registry chose this library already.
  client_library: () => ({}),
  acks: (acks) => ({ send: { acks } }),
  compression: (codec) => ({ send: { compression: CODECS[codec] ?? CompressionTypes.None } }),
  // kafkajs sends what it is given at once: the pacing loop lingers for it (registry: lingersItself).
  linger_ms: () => ({}),
  idempotent: (idempotent) => ({ producer: { idempotent } }),
  // One in flight is the pacing loop's own rule; kafkajs's queue limit is left off then, as it was
  // before the knob existed (set, it measured about 10 % fewer messages per CPU-second).
  max_in_flight: (n) => (n > 1 ? { producer: { maxInFlightRequests: n } } : {}),
  // The pacing loop composes requests of at most this many bytes of values (kafkajs has no batch.size).
  batch_bytes: () => ({}),
  retries: (retries) => ({ retries }),
  request_timeout_ms: (ms) => ({ client: { requestTimeout: ms }, send: { timeout: ms } }),
};

/** Every producer knob in its place. */
export function producerPlaces(s: ProducerSettings): ProducerPlaces {
  const out: ProducerPlaces = { client: {}, producer: {}, send: {} };
  for (const key of Object.keys(PRODUCER_KNOBS) as (keyof ProducerSettings)[]) {
    const place = (PRODUCER_KNOBS[key] as (v: unknown) => Partial<ProducerPlaces>)(s[key]);
    Object.assign(out.client, place.client);
    Object.assign(out.producer, place.producer);
    Object.assign(out.send, place.send);
    if (place.retries !== undefined) out.retries = place.retries;
  }
  return out;
}

const CONSUMER_KNOBS: { [K in keyof ConsumerKnobs]: (value: ConsumerKnobs[K]) => Partial<ConsumerConfig> } = {
  consumer_max_wait_ms: (ms) => ({ maxWaitTimeInMs: ms }),
  consumer_min_bytes: (bytes) => ({ minBytes: bytes }),
  consumer_session_timeout_ms: (ms) => ({ sessionTimeout: ms }),
  consumer_heartbeat_interval_ms: (ms) => ({ heartbeatInterval: ms }),
  // 0: unbounded (kafkajs's own defaults).
  consumer_max_buffer_size: (bytes) => (bytes === 0 ? {} : { maxBytes: bytes, maxBytesPerPartition: bytes }),
};

/** Every consumer knob as kafkajs consumer options. */
export function consumerOptions(s: ConsumerKnobs): Partial<ConsumerConfig> {
  return Object.assign(
    {},
    ...(Object.keys(CONSUMER_KNOBS) as (keyof ConsumerKnobs)[]).map((key) => (CONSUMER_KNOBS[key] as (v: unknown) => Partial<ConsumerConfig>)(s[key])),
  );
}
