import { spawn, type ChildProcess } from 'node:child_process';
import { parentDeathWrapper } from './process';
import { groupMembers, processStart, signalGroup } from './process-group';
import type { CommandLedger } from './command-ledger';

/** The end of a command's error output kept, characters. */
const ERROR_TAIL = 300;
/** How long a command's group has after SIGTERM before SIGKILL, ms. */
const TERM_GRACE_MS = 2000;

/** How a command ended. */
export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of its error output. */
  stderr: string;
  /** It could not be started at all (not found, not executable). */
  spawnError?: string;
}

/**
 * A command hydra runs on this machine (a planned fault's command or undo): without a shell, in a
 * process group of its own, so that it and everything it starts can be ended together; killed by
 * the kernel if hydra dies outright (its direct process; what it started is found by the next
 * hydra through the ledger). Recorded in the ledger while anything of its group may be alive.
 */
export class GroupCommand {
  readonly exited: Promise<CommandExit>;
  private readonly child: ChildProcess;
  private readonly start: number | null;
  private running = true;
  private released: (() => void) | undefined;

  constructor(
    readonly argv: readonly string[],
    ledger: CommandLedger | undefined,
    /** What the ledger says of it if hydra dies first: the fault, and the undo that would have followed. */
    record: { label: string; undo: readonly string[] | null },
  ) {
    const [file, ...args] = argv;
    const wrapper = parentDeathWrapper();
    const child = wrapper
      ? spawn(wrapper.command, [...wrapper.args, file ?? '', ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
      : spawn(file ?? '', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.child = child;
    this.start = child.pid === undefined ? null : processStart(child.pid);
    if (child.pid !== undefined && this.start !== null)
      this.released = ledger?.add({ pgid: child.pid, start: this.start, argv: [...argv], label: record.label, undo: record.undo ? [...record.undo] : null });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-ERROR_TAIL);
    });
    this.exited = new Promise<CommandExit>((resolve) => {
      child.once('error', (err) => {
        this.running = false;
        resolve({ code: null, signal: null, stderr, spawnError: err.message });
      });
      child.once('close', (code, signal) => {
        this.running = false;
        resolve({ code, signal, stderr: stderr.trim() });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Its own process has not ended yet. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Ends the command and everything left of its group: SIGTERM, then SIGKILL after a grace;
   * returns how many processes were still there. The ledger keeps it until `forget` (a fault's
   * command is forgotten once its undo has run).
   */
  async end(): Promise<number> {
    const pgid = this.child.pid;
    if (pgid === undefined || this.start === null) return 0;
    const found = signalGroup(pgid, this.start, 'SIGTERM');
    if (found > 0) {
      const deadline = Date.now() + TERM_GRACE_MS;
      while (groupMembers(pgid, this.start).length > 0 && Date.now() < deadline) await sleep(50);
      signalGroup(pgid, this.start, 'SIGKILL');
      while (groupMembers(pgid, this.start).length > 0 && Date.now() < deadline + TERM_GRACE_MS) await sleep(20);
    }
    if (this.running) await this.exited;
    return found;
  }

  /** Takes it out of the ledger: its group is gone and nothing of it is pending. */
  forget(): void {
    this.released?.();
    this.released = undefined;
  }

  /** Kills its group at once, synchronously (hydra is exiting). */
  killNow(): void {
    if (this.child.pid !== undefined && this.start !== null) signalGroup(this.child.pid, this.start, 'SIGKILL');
  }
}

/** How a command failed, in one line; null when it succeeded. */
export function exitProblem(argv: readonly string[], exit: CommandExit): string | null {
  if (exit.spawnError !== undefined) return `${argv[0] ?? ''}: ${exit.spawnError}`;
  if (exit.code === 0) return null;
  const how = exit.signal ? `was killed (${exit.signal})` : `exited ${exit.code ?? '?'}`;
  return `${argv.join(' ')} ${how}${exit.stderr ? `: ${exit.stderr}` : ''}`;
}

/**
 * Runs a command to its end (an undo), in its group; past `timeoutMs` the group is ended and the
 * run fails. Whatever the command leaves running in its group is ended when it returns.
 */
export async function runToEnd(argv: readonly string[], timeoutMs: number, ledger: CommandLedger | undefined, label: string): Promise<void> {
  const command = new GroupCommand(argv, ledger, { label, undo: null });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([command.exited, timedOut]);
  clearTimeout(timer);
  await command.end();
  command.forget();
  if (outcome === 'timeout') throw new Error(`${argv.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)} s: ended`);
  const problem = exitProblem(argv, outcome);
  if (problem !== null) throw new Error(problem);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
