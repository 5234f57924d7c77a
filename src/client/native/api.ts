/**
 * The native core's addon (clients/native/src/addon.c) as TypeScript sees it. Its producers and
 * consumers run on threads of their own and tell JavaScript of events as (kind, JSON text); a
 * handle is an opaque value the addon made.
 */

/** A producer or consumer of the addon. */
export type NativeHandle = { readonly __native: unique symbol };

/** An event of a core's thread: its kind and a JSON text (see the kinds below). */
export type NativeEventListener = (kind: string, json: string) => void;

/** librdkafka properties as [name, value] text pairs. */
export type NativeProperties = [string, string][];

/** A window as pub.h's pub_plan_t takes it. */
export interface NativePlan {
  msg_rate: number;
  msg_batch: number;
  duration_s: number;
  warmup_s: number;
  max_in_flight: number;
  request_max_messages: number;
  linger_ms: number;
  msg_size: number;
  payload_random_pct: number;
  epoch: number;
  warmup_epoch: number;
  pub_id: number;
  t0_ms: number;
  /** A payload file's bytes (every value these, the header over the first 16); absent: built from msg_size. */
  payload?: Buffer;
  /** The point's topics: message k of a sequence space goes to topics[k mod n]. */
  topics: string[];
  partitions: number[];
  /** 0: none, 1: round robin, 2: random. */
  key_mode: 0 | 1 | 2;
  key_count: number;
  /** Per key index, the index into `partitions` its key hashes to; absent without keys. */
  key_partition?: Int32Array;
}

/** The books' settings as books.h takes them. */
export interface NativeBooksSettings {
  t0_ms: number;
  epoch: number;
  pub_count: number;
  latency_corrections_ms?: number[];
}

/** One read of one partition for replay(): a value is a Buffer, or null for a message without one. */
export interface NativeReplayBatch {
  partition: number;
  first_offset: number;
  at_ms: number;
  values: (Buffer | null)[];
}

export interface NativeModule {
  /** The cores' clock from now on reads as this JavaScript clock (apps/message.ts nowMs). */
  alignClock(nowMs: number): void;
  librdkafkaVersion(): string;
  /** Events: "connected" {error}, "measuring" {due_ms}, "done" (the window's outcome), "closed". */
  createProducer(properties: NativeProperties, onEvent: NativeEventListener): NativeHandle;
  publish(producer: NativeHandle, plan: NativePlan): void;
  stopPublishing(producer: NativeHandle): void;
  closeProducer(producer: NativeHandle): void;
  /** Events: "started" {error}, "joined" {partitions}, "rebalancing", "fetched", "failed" {error, permanent}, "closed". */
  createConsumer(properties: NativeProperties, topic: string, startAt: 'earliest' | 'latest', onEvent: NativeEventListener): NativeHandle;
  resetBooks(
    consumer: NativeHandle,
    settings: NativeBooksSettings,
    timeline: { start_ms: number; bucket_ms: number; from_ms: number; to_ms: number } | null,
  ): void;
  booksUnique(consumer: NativeHandle): number;
  /** The books as JSON: a BooksSnapshot (client/seam.ts). */
  booksSnapshot(consumer: NativeHandle): string;
  closeConsumer(consumer: NativeHandle): void;
  /** The request telemetry since the last drain: {windows: [[cnt, p50, p75, p90, p95, p99, p99_99, max, queue_max_ms]], timeouts, throttles}. */
  drainRequests(client: NativeHandle): string;
  /** The books fed a scripted stream: a BooksSnapshot as JSON. */
  replay(
    settings: NativeBooksSettings,
    timeline: { start_ms: number; bucket_ms: number; from_ms: number; to_ms: number } | null,
    batches: NativeReplayBatch[],
  ): string;
  /** librdkafka statistics documents read as a client reads them, then drained (as drainRequests). */
  replayStatistics(docs: string[]): string;
}
