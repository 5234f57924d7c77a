import type { ClientLibraryName } from '../config/options';
import type { AppSpec, ConsumerKnobs, ProducerSettings } from '../control/wire';
import type { RequestRecorder } from './requests';

/**
 * The Kafka client behind one seam: the apps' pacing, message format, bookkeeping and telemetry
 * are one code, and a client library (kafkajs, librdkafka) only produces and consumes. Each
 * library maps hydra's knobs to its own settings and refuses, in one line, a knob it has no
 * equivalent for.
 */

/** One message of a produce request: hydra computes its partition itself (keys too: Kafka's default partitioner). */
export interface OutgoingMessage {
  value: Buffer;
  key: Buffer | null;
  partition: number;
}

export interface ProduceRequest {
  topic: string;
  messages: OutgoingMessage[];
}

/**
 * Everything a producer is made with: the point's producer knobs (the option table's, `app:
 * ['producer']`), including those kafkajs takes per request but librdkafka fixes when a producer
 * is made. A change makes the publisher replace it.
 */
export type ProducerShape = ProducerSettings;

/** A Kafka producer as the publisher needs it. */
export interface ProducerClient {
  connect(): Promise<void>;
  /** Sends one request's messages; resolves when every one is acknowledged, rejects with the first error. */
  send(request: ProduceRequest): Promise<void>;
  /**
   * How many send() calls the pacing loop may have outstanding: kafkajs's are its requests on the
   * wire (max_in_flight); librdkafka queues them and composes its own requests, keeping order.
   */
  readonly outstanding: number;
  /** It holds messages back for linger_ms itself (its registry entry's lingersItself), so the pacing loop sends each batch when due. */
  readonly lingers: boolean;
  disconnect(): Promise<void>;
}

/**
 * How one consumer reads: its group, where it starts, and the point's consumer knobs (the option
 * table's, `app: ['consumer']`: fetch wait, fetch bytes and buffer, session timeout...), which each
 * library maps to its own settings.
 */
export type ConsumerSettings = ConsumerKnobs & {
  groupId: string;
  topic: string;
  /** A topic of its own per point is read from its start, the session's shared topic from its end. */
  startAt: 'earliest' | 'latest';
};

/** What a consumer tells its sub app. */
export interface ConsumerEvents {
  /** It joined its group: the topic's partitions now assigned to it. */
  joined(partitions: number[]): void;
  /** Its group is rebalancing: its assignment is unknown until it joins again. */
  rebalancing(): void;
  /** A fetch completed: after a join, its position is resolved (publishing may start). */
  fetched(): void;
  /** Messages of one partition, in log order, from `firstOffset` to `lastOffset`. */
  batch(partition: number, values: readonly (Buffer | null)[], firstOffset: number, lastOffset: number): void;
  /** It failed; `permanent`: it stopped for good and will not join again. */
  failed(error: string, permanent: boolean): void;
}

/** A Kafka consumer as a sub app needs it. */
export interface ConsumerClient {
  /** Connects, subscribes and starts fetching; joining goes on after it resolves. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A Kafka client library behind the seam. */
export interface ClientLibrary {
  readonly name: ClientLibraryName;
  /** A producer with the point's settings; its produce requests are timed into `requests`. */
  producer(spec: AppSpec, shape: ProducerShape, requests: RequestRecorder): ProducerClient;
  /** A consumer; its fetches are timed into `fetches`. */
  consumer(spec: AppSpec, settings: ConsumerSettings, events: ConsumerEvents, fetches: RequestRecorder): ConsumerClient;
}
