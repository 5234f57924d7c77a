import type { PointParams } from '../config/options';
import type { PointResult } from '../stats/result';

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
  /** Extra labels of the study (e.g. the kafkarate phase). */
  tags?: Record<string, string | number>;
}

/** A measured point: its figures. */
export interface OkPointRecord extends PointRecordBase {
  status: 'ok';
  result: PointResult;
  error: null;
}

/** A point that could not be measured: why. */
export interface FailedPointRecord extends PointRecordBase {
  status: 'failed';
  result: null;
  error: string;
}

/** One finished point as persisted (a line of points.jsonl). */
export type PointRecord = OkPointRecord | FailedPointRecord;
export type PointStatus = PointRecord['status'];

export function isOk(record: PointRecord): record is OkPointRecord {
  return record.status === 'ok';
}
