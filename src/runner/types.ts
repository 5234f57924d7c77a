import type { PointParams } from '../config/options';
import type { PointResult } from '../stats/result';

/** One finished point as persisted: its parameters, its figures (or error) and where it ran. */
export interface PointRecord {
  /** Stable key of the parameters; a rerun reuses a record with the same key. */
  key: string;
  params: PointParams;
  status: 'ok' | 'failed';
  result: PointResult | null;
  error: string | null;
  attempts: number;
  topic: string | null;
  started_at: string;
  elapsed_s: number;
  /** PIDs of the sub apps that served the point (shows app reuse between points). */
  sub_pids?: number[];
  /** Extra labels of the study (e.g. the kafkarate phase). */
  tags?: Record<string, string | number>;
}
