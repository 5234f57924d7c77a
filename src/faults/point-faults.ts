import type { FaultSchedule, PlannedFault } from '../config/fault-schedule';
import type { AppTelemetry, PubStats, SubStats } from '../control/wire';
import type { AppHandle } from '../launch';
import { emptyHistogram } from '../stats/histogram';
import type { CommandLedger } from '../supervise/command-ledger';
import { faultSpan, plannedEffects } from './checks';
import { FaultDriver, type FaultEvent } from './driver';
import { faultFigures, type ClientInput, type FaultRecord } from './figures';
import { withoutPlannedStalls } from './planned';

/**
 * A point's planned faults, from its reset to its judgement: what a point calls at its few named
 * places — when its window starts, what its sub apps record, the driver that runs the faults, how
 * long it drains, what its faults excuse in the judgement, and what was measured through them.
 */

/** How far ahead a point with planned faults fixes its publishers' start, ms: the sub apps learn the fault's span in the reset before it. */
const START_LEAD_MS = 1000;
/** And more per app, ms: resetting hundreds of apps takes longer than a few. */
const START_LEAD_PER_APP_MS = 5;
/** The bucket of a faulted point's receive timelines, ms. */
const TIMELINE_BUCKET_MS = 100;
/** After a faulted point's clients have every message, how long nothing more must arrive before collecting, ms. */
export const FAULT_QUIET_MS = 1500;
/** The least drain a faulted point gets, s: a group taking over a dead member's partitions catches up after the window. */
const MIN_DRAIN_S = 20;

/** What the driver acts on beyond the point's apps: the embedded broker, the command placeholders, the record of running commands. */
export interface FaultPlace {
  brokerPid?: number;
  brokers: readonly string[];
  runId: string;
  topic: string;
  ledger?: CommandLedger;
}

/** The app a fault names: `pub`, `pub-K` (the K+1-th publisher) or `sub-K` (the K+1-th sub app, in launch order). */
export function appByRole(name: string, pubs: readonly AppHandle[], subs: readonly AppHandle[]): AppHandle | undefined {
  if (name === 'pub') return pubs[0];
  const m = /^(pub|sub)-(\d+)$/.exec(name);
  if (!m) return undefined;
  return (m[1] === 'pub' ? pubs : subs)[Number(m[2])];
}

export class PointFaults {
  readonly faults: readonly PlannedFault[];
  /** Epoch ms (runner's clock) publishing starts: fixed when the point is reset, as its faults are timed from it. */
  readonly startAt: number;
  /** Epoch ms the measuring window starts (after any warm-up). */
  readonly windowStart: number;
  private driver: FaultDriver | null = null;

  /** The faults of a point with a schedule, its window fixed from now; null for a point without planned faults. */
  static of(schedule: FaultSchedule, apps: number, warmupS: number, now = Date.now()): PointFaults | null {
    return schedule.planned ? new PointFaults(schedule.faults, now + START_LEAD_MS + START_LEAD_PER_APP_MS * apps, warmupS) : null;
  }

  private constructor(faults: readonly PlannedFault[], startAt: number, warmupS: number) {
    this.faults = faults;
    this.startAt = startAt;
    this.windowStart = startAt + warmupS * 1000;
  }

  /** What a sub app whose clock is `offsetMs` ahead records through the faults: its receive timeline over their span. */
  timeline(offsetMs: number): { timeline: { bucket_ms: number; from_ms: number; to_ms: number } } | undefined {
    const span = faultSpan(this.faults);
    if (span === null) return undefined;
    return {
      timeline: { bucket_ms: TIMELINE_BUCKET_MS, from_ms: this.windowStart + span.from_ms + offsetMs, to_ms: this.windowStart + span.to_ms + offsetMs },
    };
  }

  /** The driver, acting on the point's apps (by their role) and the place; made once. */
  drive(
    pubs: readonly AppHandle[],
    subs: readonly AppHandle[],
    place: FaultPlace,
    snapshot: (app: AppHandle) => Promise<SubStats>,
    emit: (event: FaultEvent) => void,
  ): FaultDriver {
    this.driver ??= new FaultDriver(this.faults, {
      // `sub-2` is the point's third sub app and `pub-1` its second publisher, whatever a relaunch named them.
      app: (name) => appByRole(name, pubs, subs),
      signal: (pid, signal) => process.kill(pid, signal),
      snapshot,
      brokerPid: place.brokerPid,
      commandValues: { node: process.execPath, brokers: place.brokers.join(','), topic: place.topic, run: place.runId },
      emit,
      ...(place.ledger ? { ledger: place.ledger } : {}),
    });
    return this.driver;
  }

  /** The sub apps the schedule killed (by launcher name), with their statistics just before; empty before the driver ran. */
  get killed(): ReadonlyMap<string, SubStats | null> {
    return this.driver?.killed ?? new Map();
  }

  /** A faulted point's clients may still be catching up when publishing ends: they get a longer drain. */
  drainS(drainTimeoutS: number): number {
    return Math.max(drainTimeoutS, MIN_DRAIN_S);
  }

  /** What the schedule may cause on purpose: publisher send errors and a group's rebalance (not harness faults then). */
  get effects(): { sendErrors: boolean; rebalance: boolean } {
    return plannedEffects(this.faults);
  }

  /** The longest planned freeze of the embedded broker, ms: answers held that long are the fault's doing. */
  get brokerPauseMs(): number {
    return Math.max(0, ...this.faults.filter((f) => f.action.kind === 'broker-stop').map((f) => f.for_ms));
  }

  /**
   * An app the schedule froze stood still on purpose: that stall is the experiment, and its broker
   * answers, timed across the freeze, are the freeze's too. The reports and publisher statistics
   * with what the freezes caused left out.
   */
  withoutFreezes<R extends { app: string; telemetry?: AppTelemetry | null | undefined; fetch?: unknown }>(
    reports: readonly R[],
    pubStats: readonly PubStats[],
    pubs: readonly AppHandle[],
    subs: readonly AppHandle[],
  ): { reports: R[]; pubStats: PubStats[] } {
    const frozen = this.freezes(pubs, subs);
    return {
      reports: reports.map((r) => {
        const freezes = frozen.get(r.app);
        return freezes ? { ...r, fetch: undefined, telemetry: withoutPlannedStalls(r.telemetry, freezes) } : r;
      }),
      pubStats: pubStats.map((st, i) => {
        const freezes = frozen.get(pubs[i]?.name ?? '');
        return freezes ? { ...st, telemetry: withoutPlannedStalls(st.telemetry, freezes), send_rtt: emptyHistogram(), produce: null } : st;
      }),
    };
  }

  /** The apps each stop= fault froze (by their launcher names), and when (epoch ms, runner's clock). */
  private freezes(pubs: readonly AppHandle[], subs: readonly AppHandle[]): Map<string, [number, number][]> {
    const out = new Map<string, [number, number][]>();
    for (const f of this.faults) {
      if (f.action.kind !== 'stop') continue;
      const fired = this.driver?.fired.find((x) => x.fault === f.text);
      const app = appByRole(f.action.app, pubs, subs);
      if (!fired || !app) continue;
      out.set(app.name, [...(out.get(app.name) ?? []), [fired.started_ms, fired.ended_ms ?? Date.now()]]);
    }
    return out;
  }

  /** A fault that did not happen as planned leaves figures of another experiment: a harness fault each, in one line. */
  notAsPlanned(): string[] {
    return (this.driver?.fired ?? []).filter((f) => f.error !== null).map((f) => `the planned fault '${f.fault}' was not done as planned: ${f.error ?? ''}`);
  }

  /** Why measuring the point again cannot help: a fault command that failed fails the same way on a fresh attempt. */
  retryHopeless(): string | undefined {
    const failed = (this.driver?.fired ?? []).filter(
      (fired) => fired.error !== null && this.faults.some((f) => f.text === fired.fault && f.action.kind === 'command'),
    );
    return failed.length
      ? `the planned fault's command failed (${failed.map((f) => f.fault).join('; ')}): a fresh attempt would run it the same way — check it by hand, then measure the point again (hydra study resume --retry_failed)`
      : undefined;
  }

  /** What the point measured through its faults. */
  record(windowStartMs: number, clients: readonly ClientInput[], pubStats: readonly PubStats[], sharedPartitions: number | null): FaultRecord {
    return faultFigures({
      schedule: this.faults.map((f) => f.text),
      fired: this.driver?.fired ?? [],
      windowStartMs,
      clients,
      pubStats,
      sharedPartitions,
    });
  }

  /** Cancels faults not begun and ends those begun (lets go of what was frozen, runs the undo of its commands). */
  async abort(): Promise<void> {
    await this.driver?.abort();
  }
}
