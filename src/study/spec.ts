import type { HydraOptions } from '../config/options';
import type { RateSearchSettings } from '../config/search';
import type { ClusterInfo } from '../broker/cluster-info';
import type { Workload } from './workloads';

export { DEFAULT_RATE_SEARCH, type RateSearchSettings } from '../config/search';

/** 'kafka': one point (`hydra kafka`), stored like a study so it can be shown, exported, plotted and compared later. */
export type StudyKind = 'kafka' | 'sweep' | 'kafkafixed' | 'kafka-batch' | 'kafkarate';

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
  /**
   * The commands the study executes (its planned faults', its launcher's), sealed with a key of the
   * user who created it (study/trusted-commands.ts): a resume runs them without asking only while
   * they are what that user allowed. Absent when it executes none.
   */
  commands_seal?: string;
  /** The OpenMessaging Benchmark workload the study ran (hydra omb run, --omb_workload); absent otherwise. */
  omb?: OmbOrigin;
}

/** Where an OMB workload study came from: the workload's file and name, and what hydra did differently. */
export interface OmbOrigin {
  file: string;
  workload: string;
  notes: string[];
}

/**
 * How a search for one client count ended: the bracket converged, no rate exceeded the loss
 * bound, the step budget ran out (while doubling or searching), or a point could not be measured.
 */
export type SearchEnd = 'converged' | 'no_loss_seen' | 'budget_doubling' | 'budget_searching' | 'unmeasured_doubling' | 'unmeasured_searching';

/**
 * Per client count, what kafkarate found: the rates and how the search ended, as data (present/
 * words it). Only a measurement of Kafka steers a search: where the harness was the limit first,
 * the rates are lower bounds of Kafka's; where Kafka held the publisher back, max_rate is the most
 * it accepted — the cluster's boundary.
 */
export interface RateFinding {
  client_count: number;
  /** Last rate whose received rate still grew by ≥ growth_pct when doubled (where Kafka held the publisher back: the most it accepted), msg/s. */
  max_rate: number | null;
  /** Subscribers' mean received rate at max_rate, msg/s. */
  max_rx_rate: number | null;
  /** Highest rate measured with loss ≤ loss_bound_pct (and accepted in full), msg/s. */
  no_drop_rate: number | null;
  /** Points this search measured or reused. */
  steps: number;
  /** How the search ended; null for a finding stored before it was recorded (see note_as_stored). */
  ended: SearchEnd | null;
  /** The harness limits that stopped the search ('+'-joined), null when none did. */
  limited_by: string | null;
  /** What showed them, and what the publisher sent there, msg/s. */
  harness_notes: string[];
  harness_sent_rate: number | null;
  /** Kafka held the publisher back below the rates asked for (slow acks, throttling). */
  kafka_limited: boolean;
  /** What showed it (the held-back point's Kafka notes); null when Kafka did not. */
  kafka_limit: string | null;
  /** The sentence an older hydra stored in place of the fields above; null for current findings. */
  note_as_stored: string | null;
}
