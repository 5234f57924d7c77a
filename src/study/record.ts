import { LATER_POINT_KEYS, type PointKey, type PointParams } from '../config/options';
import type { BrokerMetricsRecord } from '../broker-metrics/figures';
import type { AppFate } from '../runner/point-runner';
import type { PointResult } from '../stats/result';
import type { ThresholdCheck } from '../gate/thresholds';
import type { FaultRecord } from '../faults/figures';

interface PointRecordBase {
  /** Stable key of the parameters; a rerun reuses a record with the same key. */
  key: string;
  params: PointParams;
  attempts: number;
  topic: string | null;
  started_at: string;
  elapsed_s: number;
  /** PIDs of the sub apps that served the point (shows app reuse between points). */
  sub_pids?: number[];
  /** Which repetition of its point this is (0-based; absent for the first). */
  repeat?: number;
  /** Extra labels of the study (e.g. the kafkarate phase). */
  tags?: Record<string, string | number>;
  /** The apps that served the last attempt and how each fared. */
  apps?: AppFate[];
  /** Apps relaunched for the last attempt because an earlier one had died, frozen or failed (a retry replaces them all). */
  replaced?: string[];
  /** Why each earlier attempt was measured again, in order (absent when the first attempt counted). */
  retried_because?: string[];
  /** The study's thresholds against this point's figures, as judged when it was measured (absent: none set, or not a measurement of Kafka). */
  thresholds?: ThresholdCheck[];
  /**
   * The point ran planned faults (its `fault` parameter): what was measured through them. Such a
   * point keeps its verdict but is `faulted`: never drawn in the steady-state curves.
   */
  fault?: FaultRecord;
  /** The brokers' own figures over the point's window, from their Prometheus endpoints (absent: none configured). */
  broker?: BrokerMetricsRecord;
}

/** A measured point: its figures. */
export interface OkPointRecord extends PointRecordBase {
  status: 'ok';
  result: PointResult;
  error: null;
}

/**
 * A point that ran to the end, but a harness fault (a sub app died or froze, publisher send
 * errors) makes its figures not a measurement of Kafka. The figures are kept for diagnosis only:
 * plots leave the point out, tables mark it.
 */
export interface InvalidPointRecord extends PointRecordBase {
  status: 'invalid';
  result: PointResult;
  /** The harness faults, '; '-separated. */
  error: string;
}

/** A point that could not be measured: why. */
export interface FailedPointRecord extends PointRecordBase {
  status: 'failed';
  result: null;
  error: string;
}

/** One finished point as persisted (a line of points.jsonl). */
export type PointRecord = OkPointRecord | InvalidPointRecord | FailedPointRecord;
export type PointStatus = PointRecord['status'];

/** A measurement of Kafka: the only kind of point whose figures are plotted or searched on. */
export function isOk(record: PointRecord): record is OkPointRecord {
  return record.status === 'ok';
}

/** A point parameter's value, with the default of a key added after the point was stored (what every earlier point ran with). */
export function paramOf(record: Pick<PointRecord, 'params'>, key: PointKey): unknown {
  return record.params[key] ?? LATER_POINT_KEYS[key];
}

/** The point ran planned faults: a measurement through them, not of the steady state. */
export function isFaulted(record: Pick<PointRecord, 'fault' | 'params'>): boolean {
  // A schedule stored in a form a later hydra would refuse still says faults were planned.
  const planned = String(record.params.fault ?? '').trim();
  return record.fault !== undefined || (planned !== '' && planned !== 'none');
}
