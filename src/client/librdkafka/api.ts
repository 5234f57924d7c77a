/**
 * The part of @confluentinc/kafka-javascript's native API (its node-rdkafka layer) hydra uses,
 * typed here so that hydra compiles and its kafkajs users run without the native module
 * installed. Names and shapes follow the package's types/rdkafka.d.ts (1.10.1).
 */

/** Property values as librdkafka takes them; callbacks are the binding's own keys (dr_cb, rebalance_cb). */
export type RdConfig = Record<string, string | number | boolean | ((...args: never[]) => void)>;

export interface RdError {
  message: string;
  code: number;
  isFatal?: boolean;
  isRetriable?: boolean;
}

export interface RdTopicPartition {
  topic: string;
  partition: number;
  offset?: number;
}

export interface RdDeliveryReport {
  topic: string;
  partition: number;
  offset: number;
  /** The `opaque` handed to produce(). */
  opaque?: unknown;
}

export interface RdMessage {
  value: Buffer | null;
  topic: string;
  partition: number;
  offset: number;
}

export interface RdWatermarks {
  highOffset: number;
  lowOffset: number;
}

interface RdClient {
  connect(options: Record<string, never>, cb: (err: RdError | null) => void): unknown;
  disconnect(cb: (err: unknown) => void): unknown;
  isConnected(): boolean;
  on(event: 'event.error', listener: (err: RdError) => void): this;
  /** `message` is librdkafka's statistics JSON (statistics.interval.ms). */
  on(event: 'event.stats', listener: (stats: { message: string }) => void): this;
  /** A broker throttled this client for `throttleTime` ms (a quota). */
  on(event: 'event.throttle', listener: (event: { throttleTime: number }) => void): this;
}

export interface RdProducer extends RdClient {
  /** Throws an RdError (ERR__QUEUE_FULL when the client's queue is full). */
  produce(topic: string, partition: number, value: Buffer, key: Buffer | null, timestamp: number | null, opaque?: unknown): unknown;
  setPollInterval(ms: number): unknown;
  flush(timeoutMs: number, cb: (err: RdError | null) => void): unknown;
  on(event: 'delivery-report', listener: (err: RdError | null, report: RdDeliveryReport) => void): this;
  on(event: 'event.error', listener: (err: RdError) => void): this;
  on(event: 'event.stats', listener: (stats: { message: string }) => void): this;
  on(event: 'event.throttle', listener: (event: { throttleTime: number }) => void): this;
}

export interface RdKafkaConsumer extends RdClient {
  subscribe(topics: string[]): unknown;
  assign(partitions: RdTopicPartition[]): unknown;
  unassign(): unknown;
  consume(count: number, cb: (err: RdError | null, messages: RdMessage[]) => void): void;
  /** Commits these offsets asynchronously (an error comes as event.error). */
  commit(partitions: RdTopicPartition[]): unknown;
  committed(partitions: RdTopicPartition[], timeoutMs: number, cb: (err: RdError | null, partitions: RdTopicPartition[]) => void): unknown;
  queryWatermarkOffsets(topic: string, partition: number, timeoutMs: number, cb: (err: RdError | null, offsets: RdWatermarks) => void): unknown;
  setDefaultConsumeTimeout(ms: number): void;
  /** Documented on the class, marked private: wait `timeout` for the first message only, then take what is ready. */
  setDefaultIsTimeoutOnlyForFirstMessage(firstOnly: boolean): void;
}

/** The module's exports hydra uses. */
export interface RdModule {
  Producer: new (config: RdConfig, topicConfig?: RdConfig) => RdProducer;
  KafkaConsumer: new (config: RdConfig, topicConfig?: RdConfig) => RdKafkaConsumer;
  librdkafkaVersion: string;
}

/** librdkafka's error codes hydra tells apart (rdkafka.h). */
export const RD_ERR_QUEUE_FULL = -184;
export const RD_ERR_ASSIGN_PARTITIONS = -175;
export const RD_ERR_REVOKE_PARTITIONS = -174;
/** Start offsets (rdkafka.h): the partition's beginning, and "no committed offset". */
export const RD_OFFSET_BEGINNING = -2;
