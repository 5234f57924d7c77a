import type { ClientLibraryName } from '../config/options';
import type { AppSpec, ClientTimeline, ConsumerKnobs, HistogramData, ProducerSettings, PubConfig, SequenceSummary, SubConfig } from '../control/wire';
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
  /** The index of its topic in the request's `topics`. */
  topic: number;
  partition: number;
}

/** One send: messages of the point's topics (one request per broker can carry several topics). */
export interface ProduceRequest {
  topics: readonly string[];
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
  /**
   * A producer that publishes a whole window itself (the native core: its own thread paces,
   * builds and counts every message as the pacing loop would), so nothing per message crosses
   * into JavaScript; absent: the publisher runs the pacing loop and calls send().
   */
  readonly window?: WindowPublisher;
  disconnect(): Promise<void>;
}

/** The pacing of one window: the schedule src/apps/pacing.ts runs, with the producer's share of it. */
export interface WindowPacing {
  msg_rate: number;
  msg_batch: number;
  /** Warm-up and measured window together, s. */
  test_duration: number;
  linger_ms: number;
  max_in_flight: number;
  request_max_messages: number;
}

/** What a window published, counted per message. */
export interface WindowOutcome {
  startMs: number;
  endMs: number;
  /** When the first measured message was due; null when none was. */
  measuredFromMs: number | null;
  generated: number;
  /** Sends handed to the client. */
  requests: number;
  pendingMax: number;
  /** Measured messages acknowledged. */
  msgCnt: number;
  /** Messages that failed. */
  sendErrors: number;
  /** Per measured message, generated − due, µs (PubStats.publish_delay). */
  publishDelay?: HistogramData;
  /** With several topics, measured messages acknowledged per topic index; absent with one. */
  msgCntByTopic?: number[];
  lastError: string | null;
  /** ms of the measuring window the publisher waited on the broker. */
  brokerWaitMs: number;
  /** Each send's hand-over → last acknowledgement, µs, for sends with measured messages. */
  sendRtt: HistogramData;
}

/** How the publisher tells a window's messages apart and places them (apps/pub.ts, apps/payload.ts decide it). */
export interface WindowPlacement {
  /** The warm-up messages' epoch: another point's to the subscribers. */
  warmupEpoch: number;
  /** Per key index, the index into the config's partitions its key hashes to; null without keys. */
  keyPartitions: Int32Array | null;
}

/** A window published by the producer itself. */
export interface WindowPublisher {
  /**
   * Publishes `cfg`'s warm-up and window with `pacing`; `measuring` is called when a warm-up ends
   * (the first measured message is due), when the window's CPU, network and telemetry start.
   */
  publish(cfg: PubConfig, pacing: WindowPacing, placement: WindowPlacement, measuring: () => void): Promise<WindowOutcome>;
  /** Stops generating now (teststop); the promise resolves once every send has its reports. */
  stop(): void;
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
  /**
   * A consumer that keeps its own books (the native core reads every message in C): the sub app
   * reads them and gets no `batch` events; absent: the sub app keeps the books from its batches.
   */
  readonly books?: ClientBooks;
}

/** What a client's books count by: the point's epoch and publishers, and the clock corrections. */
export type BooksSettings = Pick<SubConfig, 't0_ms' | 'epoch' | 'pub_count' | 'latency_corrections_ms'>;

/** A receive timeline's bucket and the fault's span, from when it starts (epoch ms, the app's clock). */
export interface TimelineSettings {
  start_ms: number;
  bucket_ms: number;
  from_ms: number;
  to_ms: number;
}

/** A client's receive bookkeeping at one moment: what its statistics are made of. */
export interface BooksSnapshot {
  msg_cnt: number;
  first_ms: number | null;
  last_ms: number | null;
  sequences: SequenceSummary;
  latency: HistogramData;
  latency_intended: HistogramData;
  stale: number;
  skipped: number;
  malformed: number;
  /** Per partition, the offset after the last message received: kept across points. */
  next_offsets: Record<string, number>;
  /** The timeline but what the sub app adds (its group's rebalances and assignment). */
  timeline: Omit<ClientTimeline, 'rebalances' | 'assigned'> | null;
}

/** One client's receive bookkeeping: src/apps/books.ts in TypeScript, the native core's in C. */
export interface ClientBooks {
  /** A new point, or its statistics reset: counting starts again (the positions stay). */
  reset(settings: BooksSettings, timeline: TimelineSettings | null): void;
  /** Unique messages of the point so far. */
  unique(): number;
  snapshot(): BooksSnapshot;
}

/** A Kafka client library behind the seam. */
export interface ClientLibrary {
  readonly name: ClientLibraryName;
  /** A producer with the point's settings; its produce requests are timed into `requests`. */
  producer(spec: AppSpec, shape: ProducerShape, requests: RequestRecorder): ProducerClient;
  /** A consumer; its fetches are timed into `fetches`. */
  consumer(spec: AppSpec, settings: ConsumerSettings, events: ConsumerEvents, fetches: RequestRecorder): ConsumerClient;
}
