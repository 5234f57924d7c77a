import type { HarnessLimit, KafkaLimit } from './verdict';
import type { TopicFigures } from './topic-figures';

/**
 * The figures of one test point. The first block keeps HYDRA's keys and meaning (RES dict);
 * the second is what hydra adds.
 */
export interface PointResult {
  /** Subscriber clients expected in this point (answering or not). */
  client_count: number;
  /** Messages the publisher got acknowledged. */
  packet_tx: number;
  /** Mean messages received per client (duplicates included, as HYDRA counted). */
  average_packets: number;
  /**
   * Mean per-client receive rate, msg/s: messages received over the publisher's window, or over
   * the time from the publisher's start to the client's last receive when that is longer.
   * (HYDRA divided by the client's own first-to-last span, which shows Rx above Tx at zero loss
   * because the first fetch arrives in a burst.)
   */
  average_rate: number;
  /** Publisher's achieved rate, msg/s. */
  average_tx_rate: number;
  /** Reporting clients whose received count differs from packet_tx (a Kafka-side figure: an unresponsive app's clients are not counted). */
  failing_clients: number;
  /** Mean receive rate of the failing clients, msg/s; null when none failed. */
  failing_clients_rate: number | null;
  /** (packet_tx − average_packets) / packet_tx, %. */
  average_packet_loss: number;
  /** Publisher CPU over its publishing time, % of one core (with several publishers, their sum). */
  pub_cpu: number;
  /** Host network bytes/s sent and received while publishing (all interfaces, as HYDRA). */
  pub_net_txrate: number;
  pub_net_rxrate: number;

  /** Publisher apps that shared the rate. */
  pub_apps: number;
  /** The busiest publisher's CPU, % of one core (= pub_cpu with one publisher). */
  pub_cpu_max_pct: number;
  /** Rate the publisher was asked for, msg/s. */
  requested_rate: number;
  /** average_tx_rate / requested_rate; below pub_achieved_min (0.95) the verdict says whether the harness or Kafka held the publisher back. */
  pub_achieved_ratio: number;
  /** True when the publisher itself (a harness limit) kept the point short of the requested rate; false when Kafka held it back (kafka_limits). */
  pub_limited: boolean;
  /** Produce errors (messages) seen by the publisher. */
  pub_send_errors: number;
  /**
   * Σ over clients of acknowledged messages no client position can still reach: packet_tx −
   * unique − behind − expired. (Without the log end, packet_tx − unique − expired.)
   */
  lost_total: number;
  /**
   * Σ over clients of messages deleted by retention before the client read them (its position was
   * reset past them). On a real cluster that is the topic's retention at work; on the embedded
   * broker its bounded in-memory log, which makes the point harness-limited. null: not measured
   * (points stored before expiry was told apart).
   */
  expired_total: number | null;
  /**
   * Σ over clients of messages the broker holds (below the partition's log end) that the client
   * had not received at collection: lag, not loss. null when the log end could not be read.
   */
  behind_total: number | null;
  /** Σ over clients of messages received more than once. */
  duplicated_total: number;
  /**
   * Σ over clients of messages that arrived after a higher sequence number; null when the point's
   * publisher could reorder its own requests (max_in_flight > 1: see figure_notes).
   */
  reordered_total: number | null;
  /** When reordered_total is left out: the messages that arrived out of order, the client's doing, not Kafka's. */
  reordered_by_client: number | null;
  /** Figures left out and why. */
  figure_notes: string[];
  /** End-to-end latency percentiles over all received messages, ms; null when nothing arrived. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  latency_max_ms: number | null;
  /** Latency from the intended send time (includes the publisher's own delay: no coordinated omission), ms. */
  latency_intended_p50_ms: number | null;
  latency_intended_p99_ms: number | null;
  latency_intended_max_ms: number | null;
  /** Mean end-to-end latency over all received messages, ms; null when nothing arrived, absent on points stored before it. */
  latency_mean_ms?: number | null;
  /** Mean send → acknowledgement of the publishers' produce requests, ms (absent on older points). */
  produce_rtt_mean_ms?: number | null;
  /**
   * How far behind its own schedule the publisher generated its measured messages (generated −
   * due, OMB's publish delay), ms: p50, p99, max; absent on older points, null where not measured.
   */
  publish_delay_p50_ms?: number | null;
  publish_delay_p99_ms?: number | null;
  publish_delay_max_ms?: number | null;
  /** Sub apps that did not answer getstats: their clients are left out of every figure (the point is invalid). */
  unresponsive_apps: string[];
  /**
   * With several topics, each topic's own figures (its clients read it alone, so loss, lag and
   * duplicates are exact per topic); absent with one topic (the point's figures are the topic's).
   */
  topic_figures?: TopicFigures[];

  /**
   * 'kafka': a measurement of Kafka (Kafka may still have held it back: kafka_limits);
   * 'rehearsal': no harness limit, on hydra's embedded broker (a rehearsal, not a measurement of
   * Kafka); 'harness_limited': hydra (publisher, subscribers, host, its embedded broker, a stalled
   * app) was the limit; 'unjudged': stored by a hydra that did not judge points yet.
   */
  verdict: 'kafka' | 'rehearsal' | 'harness_limited' | 'unjudged';
  /** Which harness limits were hit. */
  harness_limits: HarnessLimit[];
  /** Each limit with what was seen (the remedy is printed once per study: verdict.remedyFor). */
  harness_notes: string[];
  /**
   * Where Kafka held the point back — 'produce': the publisher waited on slow or throttled acks or
   * a stalled broker; 'fetch': subscribers with idle apps fell behind. A Kafka result, often the
   * boundary a study looks for. Empty for points stored before Kafka's limits were told apart.
   */
  kafka_limits: KafkaLimit[];
  /** Each Kafka limit with the figures that show it. */
  kafka_notes: string[];
  /** Apps whose event loop stood still inside the window without being scheduled: a harness fault (the point is invalid). */
  stalled_apps: string[];
  /** The point ran on hydra's embedded broker (librdkafka's mock cluster), whose limits are hydra's; null: not recorded. */
  embedded_broker: boolean | null;
  /**
   * Send → acknowledgement of the publishers' produce requests, ms: p50, p99, max. This and the
   * telemetry figures below are null where not measured (points stored before them, no requests).
   */
  produce_rtt_p50_ms: number | null;
  produce_rtt_p99_ms: number | null;
  produce_rtt_max_ms: number | null;
  /** Throttle time brokers asked of the publishers (quotas), summed, ms. */
  produce_throttle_ms: number | null;
  /** Share of the window the publisher's ready messages waited for the broker's answers (every request slot taken), %. */
  pub_broker_wait_pct: number | null;
  /** Most messages waiting to be sent at once. */
  pub_pending_max: number | null;
  /** The consumers' fetch round trips (including the long-poll), ms, and the throttle brokers asked of them. */
  fetch_rtt_p99_ms: number | null;
  fetch_rtt_max_ms: number | null;
  fetch_throttle_ms: number | null;
  /** Longest stretch any app's event loop stood still, ms. */
  loop_stall_max_ms: number | null;
  /** Most any app's main thread waited for a CPU, % of its window; null where the kernel does not say. */
  app_run_wait_max_pct: number | null;
  /** Most CPU the hypervisor took from any app's host (steal), % of its cores. */
  host_steal_max_pct: number | null;
  /** Highest sub app CPU, % of one core; highest event-loop utilization (0..1) and delay p99 (ms). */
  sub_cpu_max_pct: number | null;
  /** Σ of the sub apps' CPU, % of one core (deliveries per sub CPU-second = client_count × average_rate / (this / 100)). */
  sub_cpu_total_pct: number | null;
  sub_elu_max: number | null;
  sub_loop_delay_p99_max_ms: number | null;
  /** Publisher event-loop utilization over its window (0..1). */
  pub_elu: number | null;
  /** Highest host CPU busy seen by any app, % of the host's cores; highest mean run queue. */
  host_cpu_busy_max_pct: number | null;
  host_runqueue_max: number | null;
}

/** HYDRA's RES keys, in HYDRA's order, for printing the classic dict. */
export const HYDRA_RESULT_KEYS = [
  'average_packet_loss',
  'average_packets',
  'average_rate',
  'average_tx_rate',
  'client_count',
  'failing_clients',
  'failing_clients_rate',
  'packet_tx',
  'pub_cpu',
  'pub_net_rxrate',
  'pub_net_txrate',
] as const satisfies readonly (keyof PointResult)[];

/** hydra's figures beyond HYDRA's, in the order tables and exports show them. */
export const EXTRA_RESULT_KEYS = [
  'requested_rate',
  'pub_achieved_ratio',
  'pub_limited',
  'pub_send_errors',
  'lost_total',
  'duplicated_total',
  'reordered_total',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_max_ms',
  'produce_rtt_p50_ms',
  'produce_rtt_p99_ms',
  'produce_rtt_max_ms',
  'produce_throttle_ms',
  'pub_broker_wait_pct',
  'fetch_rtt_p99_ms',
  'fetch_throttle_ms',
  'loop_stall_max_ms',
  'app_run_wait_max_pct',
  'host_cpu_busy_max_pct',
  'host_runqueue_max',
  'host_steal_max_pct',
] as const satisfies readonly (keyof PointResult)[];
