import type { HydraOptions, PointParams } from '../config/options';
import type { PointResult } from '../stats/result';
import type { RunnerEventSink } from './events';

/** What a measured point yields besides its figures. */
export interface PointRun {
  result: PointResult;
  topic: string;
  /** PIDs of the sub apps that served this point, for checking app reuse. */
  subPids: number[];
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
}

/** Opens a runner for a study's options (the real one: TestSession.open). */
export type OpenPointRunner = (options: HydraOptions, onEvent: RunnerEventSink) => Promise<PointRunner>;
