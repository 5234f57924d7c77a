import type { PointParams } from '../config/options';
import type { RunnerEvent } from '../runner/events';
import type { PointRecord } from './record';

/** Lifecycle events of a study. */
export type StudyEvent =
  | { type: 'study-start'; studyId: string; dir: string; totalPoints: number; donePoints: number }
  | { type: 'point-start'; index: number; total: number; params: PointParams }
  | { type: 'point-retry'; attempt: number; maxAttempts: number; params: PointParams; error: string }
  | { type: 'point-done'; index: number; total: number; record: PointRecord }
  | {
      type: 'search-done';
      clientCount: number;
      maxRate: number | null;
      noDropRate: number | null;
      /** Why the search ended. */
      note: string;
      /** The harness limits that stopped it (Kafka's limit not reached); null when none did. */
      limitedBy: string[] | null;
      /** Where Kafka held the publisher back: what showed it (max rate is then what Kafka accepted). */
      kafkaLimit: string | null;
    }
  | { type: 'points-kept'; failed: number; invalid: number }
  | { type: 'study-done'; studyId: string; dir: string; points: number; failed: number; invalid: number };

/** Everything a study run reports: its own events and its runner's. */
export type HydraEvent = RunnerEvent | StudyEvent;
export type EventSink = (event: HydraEvent) => void;
