import type { HydraOptions } from '../config/options';
import type { RateSearchSettings } from '../config/search';
import type { ClusterInfo } from '../broker/cluster-info';
import type { Workload } from './workloads';

export { DEFAULT_RATE_SEARCH, type RateSearchSettings } from '../config/search';

export type StudyKind = 'sweep' | 'kafkafixed' | 'kafka-batch' | 'kafkarate';

/** The axes of a grid study; a point is one combination. */
export interface StudyGrid {
  /** Subscriber client counts (each a multiple of clients_per_app). */
  client_counts: number[];
  msg_rates: number[];
  msg_batches: number[];
  /**
   * Workloads crossed with the axes: each sets parameters over the study's options (message size,
   * compression, keys, producer and consumer settings...); absent: the options' one workload.
   */
  workloads?: Workload[];
}

/** Everything needed to reproduce or continue a study; stored as study.json. */
export interface StudySpec {
  id: string;
  kind: StudyKind;
  created_at: string;
  /** Resolved options of every point; the grid overrides rate, batch and sub app count. */
  options: HydraOptions;
  grid: StudyGrid;
  search: RateSearchSettings | null;
  versions: Record<string, string>;
  /** Broker addresses used by the latest run of the study. */
  brokers: string[];
  /**
   * The cluster of the last run (id, broker count, and the APIs its first broker serves with the
   * release they imply as a floor: the Kafka protocol carries no release string); absent when it
   * could not be read.
   */
  cluster?: ClusterInfo;
  /** create / rerun / resume, with when and what changed. */
  history: { at: string; action: 'create' | 'rerun' | 'resume'; detail?: string }[];
  /** 'running' until the plan is complete; an interrupted study stays 'running' until resumed. */
  status: 'running' | 'done';
}

/** Per client count, the rates kafkarate found. */
export interface RateFinding {
  client_count: number;
  /** Last rate whose received rate still grew by ≥ growth_pct when doubled, msg/s. */
  max_rate: number | null;
  /** Subscribers' mean received rate at max_rate, msg/s. */
  max_rx_rate: number | null;
  /** Highest rate measured with loss ≤ loss_bound_pct, msg/s. */
  no_drop_rate: number | null;
  /** Points this search measured or reused. */
  steps: number;
  /** Why the search ended. */
  note: string;
  /**
   * Set when the harness (publisher, subscribers, host) was the limit before Kafka was: the search
   * stopped there and the rates above are lower bounds of Kafka's, never boundaries.
   */
  limited_by: string | null;
  /**
   * Kafka held the publisher back below the rates asked for (slow acks, throttling): max_rate is the
   * most Kafka accepted — the cluster's boundary, a Kafka result (the note says what showed it).
   */
  kafka_limited: boolean;
}
