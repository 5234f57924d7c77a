import type { HistogramData } from '../stats/histogram';
import type { SequenceSummary } from '../stats/sequence';

export type AppKind = 'pub' | 'sub';

/** What the launcher hands an app at start (JSON in HYDRA_APP_SPEC). */
export interface AppSpec {
  kind: AppKind;
  /** Unique within a run, e.g. `sub-3`. */
  name: string;
  brokers: string[];
  client_id: string;
  control_host: string;
}

/** Per-point settings of the publisher (`updateconfig`). */
export interface PubConfig {
  topic: string;
  msg_rate: number;
  msg_batch: number;
  test_duration: number;
  acks: -1 | 0 | 1;
  linger_ms: number;
}

/** Per-point settings of a sub app (`updateconfig`): a new topic means new consumers and groups. */
export interface SubConfig {
  topic: string;
  clients_per_app: number;
  group_prefix: string;
  consumer_max_buffer_size: number;
  consumer_max_wait_ms: number;
}

export type TestState = 'idle' | 'running' | 'done' | 'failed';

/** Publisher statistics (`getstats`), HYDRA's pub_data plus send errors. Times are epoch seconds. */
export interface PubStats {
  msg_cnt: number;
  /** Achieved rate, msg/s: msg_cnt over the publishing time. */
  rate: number;
  requested_rate: number;
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
}

export interface PubStatus {
  state: TestState;
  msg_cnt: number;
  error: string | null;
}

/** One subscriber client's raw, mergeable statistics. */
export interface ClientStats extends SequenceSummary {
  client_id: string;
  /** Messages received, duplicates included (HYDRA's msg_cnt). */
  msg_cnt: number;
  /** Epoch ms of first and last receive, null when nothing arrived. */
  first_ms: number | null;
  last_ms: number | null;
  /** msg_cnt over the receive span, msg/s (HYDRA's per-client rate). */
  rate: number;
  latency: HistogramData;
  /** Messages whose value could not be decoded. */
  malformed: number;
  errors: number;
}

export interface SubStats {
  app: string;
  pid: number;
  clients: ClientStats[];
}

/** `teststatus` of a sub app: is every consumer in its group and fetching? */
export interface SubStatus {
  topic: string | null;
  clients: number;
  joined: number;
  positioned: number;
  /** Unique messages received per client, for the drain wait. */
  unique: number[];
  errors: string[];
}
