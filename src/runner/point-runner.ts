import type { HydraOptions, PointParams } from '../config/options';
import type { BrokerMetricsRecord } from '../broker-metrics/figures';
import type { FaultRecord } from '../faults/figures';
import type { PointResult } from '../stats/result';
import type { RunnerEventSink } from './events';

/** An app that served a point, and how it fared. */
export interface AppFate {
  name: string;
  kind: 'pub' | 'sub';
  pid: number | null;
  /** ok: served to the end; died: exited during the point; unresponsive: alive but did not answer (frozen or overloaded); killed: by a planned fault. */
  status: 'ok' | 'died' | 'unresponsive' | 'killed';
  /** The app's clock minus the runner's at the point's start, ms, and the bound of that estimate (± ms); absent when not measured. */
  clock_offset_ms?: number;
  clock_error_ms?: number;
}

/** What a measured point yields besides its figures. */
export interface PointRun {
  result: PointResult;
  topic: string;
  /** PIDs of the sub apps that served this point, for checking app reuse. */
  subPids: number[];
  /** Every app that served the point. */
  apps: AppFate[];
  /** Apps relaunched for this point because an earlier one died or stopped answering. */
  replaced: string[];
  /**
   * Harness faults during the point (a sub app died or froze, publisher send errors). Non-empty
   * means the figures are not a measurement of Kafka: the point is invalid.
   */
  faults: string[];
  /** What the point measured through its planned faults; absent when it had none. */
  fault?: FaultRecord;
  /** The brokers' own figures over the window (absent: no endpoint configured). */
  broker?: BrokerMetricsRecord;
  /** Why measuring the point again cannot help, when its faults say so (a planned fault's command that failed). */
  retryHopeless?: string;
}

/**
 * What a study needs from a live setup: run a point, start over with fresh apps, close, and say
 * which broker it measures. TestSession is the real one; tests drive studies through a fake so
 * retries, searches and interruption are checked in milliseconds.
 */
export interface PointRunner {
  readonly broker: { readonly brokers: readonly string[]; readonly embedded: boolean };
  readonly isClosed: boolean;
  readonly logDir: string;
  /** Measures one point; throws when it cannot be measured (HydraError.retriable says whether to try again). */
  runPoint(params: PointParams): Promise<PointRun>;
  /** Kills every app so the next point starts with fresh ones; the broker stays. */
  resetApps(): Promise<void>;
  /** Stops every app and, when this runner started it, the broker. Safe to call twice. */
  close(): Promise<void>;
  /** Which cluster it measures (id, broker count), for the study's record; null when unknown. */
  cluster?(): Promise<{ cluster_id: string; broker_count: number } | null>;
}

/** Opens a runner for a study's options (the real one: TestSession.open). */
export type OpenPointRunner = (options: HydraOptions, onEvent: RunnerEventSink) => Promise<PointRunner>;
