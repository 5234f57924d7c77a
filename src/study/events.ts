import type { PointParams } from '../config/options';
import type { RunnerEvent } from '../runner/events';
import type { PointRecord } from './record';
import type { RateFinding } from './spec';

/** Lifecycle events of a study. */
export type StudyEvent =
  /** `varied`: the point keys its workloads set (--vary), which name a point next to its client count and rate. */
  | { type: 'study-start'; studyId: string; dir: string; totalPoints: number; donePoints: number; varied?: string[] }
  | { type: 'point-start'; index: number; total: number; params: PointParams }
  | { type: 'point-retry'; attempt: number; maxAttempts: number; params: PointParams; error: string }
  | { type: 'point-done'; index: number; total: number; record: PointRecord }
  /** A kafkarate search for one client count ended: what it found (present/findings.ts words it). */
  | { type: 'search-done'; finding: RateFinding }
  | { type: 'points-kept'; failed: number; invalid: number }
  /** `measured`: points this run measured (the rest were stored before); `harnessLimited`: points where hydra, not Kafka, was the limit. */
  | { type: 'study-done'; studyId: string; dir: string; points: number; failed: number; invalid: number; measured?: number; harnessLimited?: number };

/** Everything a study run reports: its own events and its runner's. */
export type HydraEvent = RunnerEvent | StudyEvent;
export type EventSink = (event: HydraEvent) => void;
