import { spawn } from 'node:child_process';
import type { SubStats } from '../control/wire';
import type { FiredFault } from '../faults/figures';
import { faultArgv, type FaultCommandValues, type PlannedFault } from '../config/fault-schedule';
import type { AppHandle } from '../launch';
import type { RunnerEventSink } from './events';

/** How long a fault's command may run before it is killed and named as failed, ms (at least the fault's own length). */
const COMMAND_TIMEOUT_MS = 60_000;
/** The end of a command's error output kept in the point's record, characters. */
const ERROR_TAIL = 300;

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
  emit: RunnerEventSink;
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
  private readonly pendingUndo = new Map<FiredFault, () => Promise<void>>();
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
    await Promise.all(undos.map(([, undo]) => undo().catch(() => undefined)));
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
    let undo: (() => Promise<void>) | null = null;
    const end = async (): Promise<void> => {
      this.pendingUndo.delete(record);
      try {
        await undo?.();
      } catch (err) {
        fail(`undo: ${message(err)}`);
      }
      record.ended_ms = Date.now();
      this.t.emit({ type: 'fault', fault: f.text, what: 'ended', at_s: this.atS(record.ended_ms) });
    };
    // Registered before acting: a point ending while the fault's command still runs ends it too.
    this.pendingUndo.set(record, end);
    try {
      if (a.kind === 'command') {
        const undoArgv = a.undo;
        // The undo runs even when the command failed: it may have done part of its work.
        if (undoArgv) undo = () => runCommand(faultArgv(undoArgv, this.t.commandValues), COMMAND_TIMEOUT_MS);
        await runCommand(faultArgv(a.command, this.t.commandValues), Math.max(COMMAND_TIMEOUT_MS, f.for_ms));
      } else {
        const pid = a.kind === 'broker-stop' ? this.t.brokerPid : this.t.app(a.app)?.pid;
        if (pid === undefined) throw new Error(a.kind === 'broker-stop' ? 'no embedded broker process' : `${a.app} is not running`);
        this.t.signal(pid, 'SIGSTOP');
        undo = async () => this.t.signal(pid, 'SIGCONT');
      }
    } catch (err) {
      fail(message(err));
    }
    await new Promise<void>((resolve) => {
      const at = Math.max(0, this.windowStartMs + f.at_ms + f.for_ms - Date.now());
      this.timers.push(
        setTimeout(() => {
          // abort() may have ended it already.
          if (this.pendingUndo.has(record)) void end().then(resolve, resolve);
          else resolve();
        }, at),
      );
    });
  }
}

/** Runs a command without a shell; fails with its exit status and the end of its error output. */
function runCommand(argv: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (file === undefined) return reject(new Error('empty command'));
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-ERROR_TAIL);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${file}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${argv.join(' ')} ${signal ? `was killed (${signal})` : `exited ${code ?? '?'}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
