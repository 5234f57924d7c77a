import type { FaultEvent } from '../faults/driver';

/**
 * Lifecycle events of the runner. The CLI's progress display and the notebook subscribe to these
 * (and to the study's events, study/events.ts); the core never prints.
 */

/** The steps of one point, in order. */
export const POINT_PHASES = ['launch', 'scale', 'topic', 'configure', 'join', 'publish', 'drain', 'collect'] as const;
export type PointPhase = (typeof POINT_PHASES)[number];

export type RunnerEvent =
  /** `metricsEndpoints`: the brokers' Prometheus endpoints scraped through every point (0: none). */
  | { type: 'broker'; brokers: string[]; embedded: boolean; metricsEndpoints?: number }
  /** The apps' control servers bind beyond loopback: CURVE encryption is on. */
  | { type: 'control'; host: string; curve: boolean }
  | { type: 'phase'; phase: PointPhase; detail?: string }
  /** A planned fault began, ended or could not be done as planned (faults/driver.ts). */
  | FaultEvent
  /** The run's topics and consumer groups removed from a real cluster as it ended; `failed` says what is left and why. */
  | { type: 'cleanup'; run: string; topics: number; groups: number; failed: string[] };

export type RunnerEventSink = (event: RunnerEvent) => void;
