import type { PointParams } from '../config/options';
import type { PointRecord } from './types';

/**
 * Lifecycle events of the runner and of studies. The CLI's progress display and the notebook
 * subscribe to these; the core never prints.
 */
export type HydraEvent =
  | { type: 'broker'; brokers: string[]; embedded: boolean }
  | { type: 'phase'; phase: string; detail?: string }
  | { type: 'study-start'; studyId: string; dir: string; totalPoints: number; donePoints: number }
  | { type: 'point-start'; index: number; total: number; params: PointParams }
  | { type: 'point-retry'; attempt: number; maxAttempts: number; params: PointParams; error: string }
  | { type: 'point-done'; index: number; total: number; record: PointRecord }
  | { type: 'study-done'; studyId: string; dir: string; points: number; failed: number };

export type EventSink = (event: HydraEvent) => void;
