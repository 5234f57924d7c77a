/**
 * The payloads that cross the control plane, typed once for both ends: the runner (client) and
 * the apps (servers). Apps report raw, mergeable data; the runner computes statistics once.
 */

import type { KafkaSecurity } from '../config/security';
import type { KnobsOf } from '../config/options';
import type { AppControlAuth } from './auth';

export type AppKind = 'pub' | 'sub';

export type { KafkaSecurity } from '../config/security';

/** What the launcher hands an app at start (first IPC message or stdin line, never argv or env). */
export interface AppSpec {
  kind: AppKind;
  /** Unique within a run, e.g. `sub-3`. */
  name: string;
  brokers: string[];
  client_id: string;
  control_host: string;
  /** Port of the control server (a pod's fixed port); absent: an ephemeral one. */
  control_port?: number;
  /** The run's control credentials: only signed commands of this run are served. */
  control: AppControlAuth;
  /** TLS/SASL for the Kafka clients; absent for plaintext. */
  kafka_security?: KafkaSecurity;
  /** kafkajs options from hydra.ini's [client], [producer] and [consumer] passthrough keys; absent when none. */
  kafkajs?: { client: KafkajsValues; producer: KafkajsValues; consumer: KafkajsValues };
  /** librdkafka properties from the same sections, for client_library=librdkafka; absent when none. */
  librdkafka?: { client: KafkajsValues; producer: KafkajsValues; consumer: KafkajsValues };
}

/** Passthrough client options (kafkajs options or librdkafka properties), checked by config/passthrough.ts. */
export type KafkajsValues = Record<string, number | boolean | string>;

/**
 * The producer's settings for a point: the option table's producer knobs (config/options.ts,
 * `app: ['producer']`). A change makes the publisher replace its producer (clients fix them at creation).
 */
export type ProducerSettings = KnobsOf<'producer'>;

/** The launcher's first message to an app. */
export interface LaunchMessage {
  type: 'spec';
  spec: AppSpec;
}

/** Message an app sends its launcher once its REP server is bound (IPC message, or first stdout line). */
export interface ReadyMessage {
  type: 'ready';
  endpoint: string;
  pid: number;
}

/**
 * Per-point settings of the publisher (`updateconfig`): the option table's publisher knobs
 * (`app: ['pub']`; msg_rate is this publisher's share of the point's rate), its producer's, and
 * what the runner gives each publisher.
 */
export type PubConfig = KnobsOf<'pub'> & {
  /**
   * The point's topics (at least one): message k of this publisher goes to topics[k mod n], and
   * each topic's messages are placed over `partitions` as below.
   */
  topics: string[];
  /** Epoch-ms base of the send times in messages (see apps/message.ts). */
  t0_ms: number;
  /** The point's epoch, carried in every message. */
  epoch: number;
  /** This publisher's id, carried in every message: its own sequence space. */
  pub_id: number;
  /**
   * The partitions this publisher writes in each topic, round-robin: a topic's message j goes to
   * partitions[j mod n] with sequence number floor(j / n) there, so each (publisher, topic,
   * partition) is one ordered sequence.
   */
  partitions: number[];
  producer: ProducerSettings;
  /** The point's payload file's bytes, base64 (payload_file): every value is these, the header over the first 16; absent: built from msg_size. */
  payload?: string;
};

/** teststart's arguments: publishers given one start time begin together, so their windows line up. */
export interface TestStartArgs {
  /** Epoch ms at which publishing begins; absent: at once. */
  start_at_ms?: number;
}

/** Where a new consumer starts: the start of a topic of its own, or the end of one shared by the session's points. */
export type StartAt = 'earliest' | 'latest';

/** A point's consumer settings: the option table's consumer knobs (`app: ['consumer']`), each mapped by every client library. */
export type ConsumerKnobs = KnobsOf<'consumer'>;

/**
 * Per-point settings of a sub app (`updateconfig`): the option table's sub app and consumer knobs,
 * and what the runner gives each sub app.
 */
export type SubConfig = KnobsOf<'sub'> &
  ConsumerKnobs & {
    /** The point's topics (at least one): this app's client i reads topics[(first_client + i) mod n]. */
    topics: string[];
    /** The point-wide index of this app's first client: clients spread over the topics by it. */
    first_client: number;
    start_at: StartAt;
    /** Publishers of the point: ids 0..pub_count-1; a message with another id is not hydra's (malformed). */
    pub_count: number;
    group_prefix: string;
    /**
     * The one consumer group every client of every sub app shares (queue semantics: each message
     * goes to one client); null: each client in a group of its own (HYDRA's fan-out).
     */
    shared_group: string | null;
    /** Epoch-ms base of the send times in messages. */
    t0_ms: number;
    /** Messages of another epoch are another point's: not counted. */
    epoch: number;
    /**
     * Per publisher id, ms to subtract from a latency measured on its messages: this app's clock
     * offset minus the publisher's (runner/clock.ts); absent: clocks taken as equal.
     */
    latency_corrections_ms?: number[];
  };

export type TestState = 'idle' | 'running' | 'done' | 'failed';

/** Publisher statistics (`getstats`), HYDRA's pub_data plus send errors. Times are epoch seconds. */
export interface PubStats {
  msg_cnt: number;
  /** Achieved rate, msg/s: msg_cnt over the publishing time. */
  rate: number;
  'time:start': number;
  'time:end': number;
  /** [user, system] CPU seconds. */
  'cpu:start': [number, number];
  'cpu:end': [number, number];
  /** [tx, rx] host network bytes. */
  'net:start': [number, number];
  'net:end': [number, number];
  rss_bytes: number;
  send_errors: number;
  last_error: string | null;
  /** Produce requests sent. */
  requests: number;
  /**
   * Per measured message, when it was generated − when the schedule said it was due, µs (OMB's
   * publish delay: how far the publisher fell behind its own schedule); absent: not measured (older apps).
   */
  publish_delay?: HistogramData;
  /** With several topics, msg_cnt per topic index (what each topic's readers can get); absent with one. */
  msg_cnt_by_topic?: number[];
  /** The app's resources over the publishing window; null before a test ran. */
  telemetry: AppTelemetry | null;
  /**
   * Send → acknowledgement of each produce request as the publisher saw it: the client's queue,
   * any throttle wait, the wire and the broker's answer.
   */
  send_rtt: HistogramData;
  /** The produce requests on the wire (round trip, client-queue wait, throttle); null before a test ran. */
  produce: BrokerRequestTelemetry | null;
  /**
   * ms of the measuring window in which messages were ready to send but every request slot
   * (max_in_flight) was taken by a request the broker had not answered: the publisher waiting on Kafka.
   */
  broker_wait_ms: number;
  /** Most messages generated and waiting to be handed to the client at once. */
  pending_max: number;
}

/**
 * How long the broker took to answer one kind of request of an app's clients over a window
 * (Produce for a publisher, Fetch for a sub app): raw and mergeable, judged by the runner.
 */
export interface BrokerRequestTelemetry {
  /** Requests answered. */
  requests: number;
  /** On the wire: from the request's write to its answer. */
  rtt: HistogramData;
  /** Longest wait of a request in the client's own queue before it was written (in-flight limit, throttle), ms. */
  queue_max_ms: number;
  /**
   * Throttle time brokers asked of this app's clients (Kafka's quotas; KIP-219 answers carry it and
   * the client waits it out before its next request on that connection), summed over answers, ms.
   */
  throttle_ms: number;
  throttle_max_ms: number;
  /** Answers that carried a throttle time. */
  throttled: number;
  /** Requests that timed out. */
  timeouts: number;
}

/** An empty record of broker answers. */
export function emptyBrokerRequests(): BrokerRequestTelemetry {
  return {
    requests: 0,
    rtt: noValues(),
    queue_max_ms: 0,
    throttle_ms: 0,
    throttle_max_ms: 0,
    throttled: 0,
    timeouts: 0,
  };
}

/** A histogram with nothing recorded (stats/histogram reads and merges these). */
function noValues(): HistogramData {
  return { buckets: {}, count: 0, sum_us: 0, min_us: null, max_us: null, negative: 0 };
}

/** Publisher statistics before anything was sent. */
export function emptyPubStats(): PubStats {
  return {
    msg_cnt: 0,
    rate: 0,
    'time:start': 0,
    'time:end': 0,
    'cpu:start': [0, 0],
    'cpu:end': [0, 0],
    'net:start': [0, 0],
    'net:end': [0, 0],
    rss_bytes: 0,
    send_errors: 0,
    last_error: null,
    requests: 0,
    telemetry: null,
    send_rtt: noValues(),
    produce: null,
    broker_wait_ms: 0,
    pending_max: 0,
  };
}

/** An app's resources over a measuring window (raw numbers; the runner judges them). */
export interface AppTelemetry {
  window_s: number;
  /** Process CPU (user + system) over the window, % of one core. */
  cpu_pct: number;
  /** Event-loop utilization over the window, 0..1: near 1, the app could not keep up with its work. */
  elu: number;
  /** 99th percentile of event-loop delay, ms. */
  loop_delay_p99_ms: number;
  /** Longest event-loop delay, ms. */
  loop_delay_max_ms: number;
  /** The longest stretches in which the event loop did not turn (at most a few, longest first), with what the scheduler saw then. */
  stalls: LoopStall[];
  /**
   * Time the app's main thread was runnable but waiting for a CPU, % of the window (the kernel's
   * schedstat); high means the host starved it. null where the kernel does not report it.
   */
  run_wait_pct: number | null;
  rss_bytes: number;
  /** The host's CPU busy over the window, % of all its cores; null where /proc is absent. */
  host_cpu_busy_pct: number | null;
  /** CPU the hypervisor gave to others while this host wanted it (steal), % of all its cores; null where /proc is absent. */
  host_steal_pct: number | null;
  /** Mean runnable tasks on the host over the window; null where /proc is absent. */
  host_runqueue: number | null;
  host_cpus: number;
  host: string;
}

/**
 * Why an app's event loop stood still, from what the kernel's scheduler saw during the gap:
 * `frozen` — the app was neither running nor waiting for a CPU (stopped, or its machine paused);
 * `starved` — runnable, but waiting for a CPU its host did not give it; `busy` — running its own
 * work (a long synchronous task, garbage collection).
 */
export type StallCause = 'frozen' | 'starved' | 'busy';

/** A stretch in which an app's event loop did not turn. */
export interface LoopStall {
  /** Epoch ms it began. */
  at_ms: number;
  /** How long beyond the sampler's own period, ms. */
  ms: number;
  cause: StallCause;
  /** ms of the gap the app ran on a CPU. */
  run_ms: number;
  /** ms of the gap it waited on a run queue; null where the kernel does not report it. */
  wait_ms: number | null;
}

export interface PubStatus {
  state: TestState;
  msg_cnt: number;
  error: string | null;
}

/** Latency histogram as shipped by apps: sparse log-linear buckets in µs (see stats/histogram). */
export interface HistogramData {
  /** bucket index → count, sparse. */
  buckets: Record<string, number>;
  count: number;
  /** Sum of recorded values, µs. */
  sum_us: number;
  min_us: number | null;
  max_us: number | null;
  /** Values below zero (clock skew between hosts) recorded as 0. */
  negative: number;
}

/** Sequence bookkeeping of one subscriber client. */
export interface SequenceSummary {
  /** Distinct sequence numbers seen. */
  unique: number;
  /** Messages whose sequence number had been seen before. */
  duplicates: number;
  /** Messages that arrived after a higher sequence number (reordered). */
  out_of_order: number;
  /** Highest sequence number seen, -1 when none. */
  max_seq: number;
  /** Sequence numbers below max_seq never seen (holes; tail losses are not visible here). */
  gaps: number;
}

/** One subscriber client's raw, mergeable statistics. */
export interface ClientStats extends SequenceSummary {
  client_id: string;
  /** With several topics, the index of the one it reads; absent with one. */
  topic?: number;
  /** Messages received, duplicates included (HYDRA's msg_cnt). */
  msg_cnt: number;
  /** Epoch ms of first and last receive, null when nothing arrived. */
  first_ms: number | null;
  last_ms: number | null;
  /** msg_cnt over the receive span, msg/s (HYDRA's per-client rate). */
  rate: number;
  /** End-to-end latency from the actual send time. */
  latency: HistogramData;
  /** End-to-end latency from the intended send time (includes the publisher's delay). */
  latency_intended: HistogramData;
  /** Per partition, the offset after the last message received (the client's position). */
  next_offsets: Record<string, number>;
  /** Messages of another point (epoch) seen and not counted. */
  stale: number;
  /** Messages whose value could not be decoded. */
  malformed: number;
  errors: number;
  /** Group joins since the point's counting began: a rebalance of this client's group inside the window. */
  rejoins?: number;
  /**
   * Offsets the client's position jumped over without receiving them (a fetch that continued past
   * its last position): retention deleted them before it read them and the consumer was reset.
   */
  skipped?: number;
  /** Receiving over time, for a point with planned faults. */
  timeline?: ClientTimeline;
}

/**
 * resetstats' arguments for a point with planned faults: record a receive timeline, with the
 * fault's span (epoch ms on the app's clock) splitting latency by send time into before, during and after.
 */
export interface ResetStatsArgs {
  timeline?: { bucket_ms: number; from_ms: number; to_ms: number };
}

/** One client's receiving through a planned fault (sent only when resetstats asked for a timeline). */
export interface ClientTimeline {
  /** Epoch ms (app clock) of bucket 0, and each bucket's length. */
  start_ms: number;
  bucket_ms: number;
  /** The fault's span it was told (epoch ms, app clock). */
  from_ms: number;
  to_ms: number;
  /** Messages received (of the point) per bucket. */
  counts: number[];
  /** Highest latency of a message received in each bucket, ms; null where none arrived. */
  max_latency_ms: (number | null)[];
  /** Longest time between two messages received, ms, and when it began (epoch ms, app clock). */
  longest_gap_ms: number;
  gap_from_ms: number | null;
  /** Latency of the messages sent before, during and after the fault's span. */
  latency_before: HistogramData;
  latency_during: HistogramData;
  latency_after: HistogramData;
  /** The client's group rebalances since the reset: [began, joined again] epoch ms, null while still rebalancing. */
  rebalances: [number, number | null][];
  /** The partitions of the topic it held at the end (its last group join); null while rebalancing. */
  assigned: number[] | null;
  /** The sequence numbers received per (publisher, partition), as runs [first, last]: what a shared group's members got between them. */
  received: { pub: number; partition: number; runs: [number, number][] }[];
}

export interface SubStats {
  app: string;
  pid: number;
  clients: ClientStats[];
  /** The app's resources since resetstats. */
  telemetry: AppTelemetry;
  /** Its consumers' fetch requests since resetstats (all clients of the app together). */
  fetch: BrokerRequestTelemetry;
}

/** `teststatus` of a sub app: is every consumer in its group and fetching? */
export interface SubStatus {
  topic: string | null;
  /** With several topics, per client the index of the topic it reads; absent with one. */
  client_topics?: number[];
  clients: number;
  joined: number;
  positioned: number;
  /** Consumers kafkajs stopped for good (a non-retriable error), with the error: they will never join. */
  dead?: string[];
  /** Per client, the topic's partitions it was assigned at its last group join; null while it rebalances. */
  assigned: (number[] | null)[];
  /** Unique messages received per client, for the drain wait. */
  unique: number[];
  errors: string[];
}

export interface PingReply {
  pong: true;
  kind: AppKind;
  name: string;
  pid: number;
}
