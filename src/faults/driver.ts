import type { SubStats } from '../control/wire';
import type { FiredFault } from './figures';
import type { PlannedFault } from '../config/fault-schedule';
import { faultArgv, type FaultCommandValues } from './checks';
import type { AppHandle } from '../launch';
import type { CommandLedger } from '../supervise/command-ledger';
import { exitProblem, GroupCommand, runToEnd } from '../supervise/group-command';

/** A planned fault began, ended or could not be done as planned; `at_s` from the start of the measuring window. */
export interface FaultEvent {
  type: 'fault';
  fault: string;
  what: 'started' | 'ended' | 'failed';
  at_s: number;
  detail?: string;
}

/** How long a fault's undo may run before it is ended and named as failed, ms. */
const UNDO_TIMEOUT_MS = 60_000;

/** What the driver acts on: the point's apps by name, a process by signal, a sub app's statistics before it is killed. */
export interface FaultTargets {
  app(name: string): AppHandle | undefined;
  /** Signals a process of this machine (stop=/kill= are refused before start elsewhere). */
  signal(pid: number, signal: NodeJS.Signals): void;
  /** A sub app's statistics, taken just before it is killed: what its clients received until then. */
  snapshot(app: AppHandle): Promise<SubStats>;
  /** The embedded broker's process (broker=stop). */
  brokerPid: number | undefined;
  commandValues: FaultCommandValues;
  emit: (event: FaultEvent) => void;
  /** Where running commands are recorded, so a hydra that dies outright leaves none behind unnoticed. */
  ledger?: CommandLedger;
}

/**
 * Runs a point's planned faults on their schedule from the start of its measuring window: freezes
 * and lets go of apps or the embedded broker, kills sub apps (keeping what they had received),
 * runs commands and their undo. Records when each fault really began and ended. `abort` ends
 * every fault begun (an app frozen is let go, an undo is run) when the point fails midway.
 */
export class FaultDriver {
  readonly fired: FiredFault[] = [];
  /** Sub apps the schedule killed (by their launcher name), with their statistics just before. */
  readonly killed = new Map<string, SubStats | null>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** The undo of each fault begun and not yet ended. */
  private readonly pendingUndo = new Map<FiredFault, (aborting: boolean) => Promise<void>>();
  private readonly running: Promise<void>[] = [];
  private windowStartMs = 0;

  constructor(
    private readonly faults: readonly PlannedFault[],
    private readonly t: FaultTargets,
  ) {}

  /** Schedules every fault from `windowStartMs` (epoch ms). */
  start(windowStartMs: number): void {
    this.windowStartMs = windowStartMs;
    for (const f of this.faults) {
      const done = new Promise<void>((resolve) => {
        this.timers.push(
          setTimeout(
            () => {
              void this.begin(f).then(resolve, resolve);
            },
            Math.max(0, windowStartMs + f.at_ms - Date.now()),
          ),
        );
      });
      this.running.push(done);
    }
  }

  /** Resolves when every fault has begun and ended. */
  async done(): Promise<void> {
    await Promise.all(this.running);
  }

  /** Cancels faults not begun and ends those begun now. Safe to call twice. */
  async abort(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    const undos = [...this.pendingUndo.entries()];
    this.pendingUndo.clear();
    await Promise.all(undos.map(([, undo]) => undo(true).catch(() => undefined)));
  }

  /**
   * Starts a command fault's command in a process group of its own and returns what ends the
   * fault: the command must have finished by then (one still running is ended, and the fault was
   * not done as planned), anything left of its group is ended, then the undo runs — also when the
   * command failed, as it may have done part of its work.
   */
  private startCommand(f: PlannedFault, fail: (error: string) => void): (aborting: boolean) => Promise<void> {
    const a = f.action as Extract<PlannedFault['action'], { kind: 'command' }>;
    const argv = faultArgv(a.command, this.t.commandValues);
    const undoArgv = a.undo ? faultArgv(a.undo, this.t.commandValues) : null;
    const command = new GroupCommand(argv, this.t.ledger, { label: f.text, undo: undoArgv });
    let ending = false;
    // A command that fails says so when it fails, not at the fault's end.
    void command.exited.then((exit) => {
      const problem = ending ? null : exitProblem(argv, exit);
      if (problem !== null) fail(problem);
    });
    return async (aborting) => {
      try {
        ending = true;
        const stillRunning = command.isRunning;
        await command.end();
        // Ended early (the point failed, Ctrl-C): that it was still running is no fault of its own.
        if (stillRunning && !aborting)
          fail(
            `${argv.join(' ')} was still running at the fault's end (for=${f.for_ms / 1000}s): ended. A command must finish within for=; to hold a condition for the fault's length, set it with command= and clear it with undo=`,
          );
        if (undoArgv) await runToEnd(undoArgv, UNDO_TIMEOUT_MS, this.t.ledger, `undo of ${f.text}`);
      } finally {
        command.forget();
      }
    };
  }

  private atS(ms: number): number {
    return Math.round(ms - this.windowStartMs) / 1000;
  }

  private async begin(f: PlannedFault): Promise<void> {
    const record: FiredFault = { fault: f.text, started_ms: Date.now(), ended_ms: null, error: null };
    this.fired.push(record);
    this.t.emit({ type: 'fault', fault: f.text, what: 'started', at_s: this.atS(record.started_ms) });
    const fail = (error: string): void => {
      record.error ??= error;
      this.t.emit({ type: 'fault', fault: f.text, what: 'failed', at_s: this.atS(Date.now()), detail: error });
    };
    const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
    const a = f.action;
    if (a.kind === 'kill') {
      try {
        const app = this.t.app(a.app);
        if (app?.pid === undefined || !app.isAlive()) throw new Error(`${a.app} is not running`);
        // What its clients received until now is theirs: taken just before the kill (what arrives
        // in between is not committed yet, so the group's other members get it again).
        this.killed.set(app.name, await this.t.snapshot(app).catch(() => null));
        this.t.signal(app.pid, 'SIGKILL');
      } catch (err) {
        fail(message(err));
      }
      record.ended_ms = Date.now();
      this.t.emit({ type: 'fault', fault: f.text, what: 'ended', at_s: this.atS(record.ended_ms) });
      return;
    }
    let undo: ((aborting: boolean) => Promise<void>) | null = null;
    const end = async (aborting: boolean): Promise<void> => {
      this.pendingUndo.delete(record);
      try {
        await undo?.(aborting);
      } catch (err) {
        fail(`undo: ${message(err)}`);
      }
      record.ended_ms = Date.now();
      this.t.emit({ type: 'fault', fault: f.text, what: 'ended', at_s: this.atS(record.ended_ms) });
    };
    // Registered before acting: a point ending while the fault's command still runs ends it too.
    this.pendingUndo.set(record, end);
    try {
      if (a.kind === 'command') undo = this.startCommand(f, fail);
      else {
        const pid = a.kind === 'broker-stop' ? this.t.brokerPid : this.t.app(a.app)?.pid;
        if (pid === undefined) throw new Error(a.kind === 'broker-stop' ? 'no embedded broker process' : `${a.app} is not running`);
        this.t.signal(pid, 'SIGSTOP');
        undo = async () => {
          this.t.signal(pid, 'SIGCONT');
        };
      }
    } catch (err) {
      fail(message(err));
    }
    await new Promise<void>((resolve) => {
      const at = Math.max(0, this.windowStartMs + f.at_ms + f.for_ms - Date.now());
      this.timers.push(
        setTimeout(() => {
          // abort() may have ended it already.
          if (this.pendingUndo.has(record)) void end(false).then(resolve, resolve);
          else resolve();
        }, at),
      );
    });
  }
}
