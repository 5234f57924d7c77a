import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBounded } from '../files';
import { groupMembers, isSameProcessAlive, processStart, signalGroup } from './process-group';

/**
 * The commands a hydra process has running (planned faults' commands and undos), written down in
 * the results directory while they run: `.hydra-commands/<pid>.json`. If hydra dies outright
 * (`kill -9`), what a command started in its group may live on; the next hydra command that opens
 * the results directory reads the record, checks that its writer is gone and that each process is
 * the one recorded (its start time), and ends them.
 */
export const LEDGER_DIR = '.hydra-commands';
const LEDGER_MAX_BYTES = 1024 * 1024;

/** A command's process group as recorded. */
export interface LedgerEntry {
  pgid: number;
  /** Its leader's start time (clock ticks since boot): a group id reused by another process is not it. */
  start: number;
  argv: string[];
  /** What it was for (a planned fault as written). */
  label: string;
  /** The undo that would follow it; null when none. */
  undo: string[] | null;
  since: string;
}

interface LedgerFile {
  runner: { pid: number; start: number; host: string };
  commands: LedgerEntry[];
}

/** Ledgers of this process with entries, so the exit hook can end their groups synchronously. */
const openLedgers = new Set<CommandLedger>();
process.on('exit', () => {
  for (const ledger of openLedgers) ledger.killAllNow();
});

export class CommandLedger {
  private readonly file: string;
  private readonly entries = new Set<LedgerEntry>();
  private readonly runnerStart = processStart(process.pid) ?? 0;

  constructor(resultsDir: string) {
    this.file = path.join(resultsDir, LEDGER_DIR, `${process.pid}.json`);
  }

  /** Records a running command; returns its release (when its group is gone). */
  add(entry: Omit<LedgerEntry, 'since'>): () => void {
    const recorded: LedgerEntry = { ...entry, since: new Date().toISOString() };
    this.entries.add(recorded);
    openLedgers.add(this);
    this.write();
    return () => {
      if (!this.entries.delete(recorded)) return;
      if (this.entries.size === 0) openLedgers.delete(this);
      this.write();
    };
  }

  /** Kills every recorded group at once (hydra is exiting); the record stays, so the next hydra says which undo did not run. */
  killAllNow(): void {
    for (const e of this.entries) signalGroup(e.pgid, e.start, 'SIGKILL');
  }

  private write(): void {
    try {
      if (this.entries.size === 0) {
        fs.rmSync(this.file, { force: true });
        return;
      }
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const content: LedgerFile = { runner: { pid: process.pid, start: this.runnerStart, host: os.hostname() }, commands: [...this.entries] };
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(content, null, 2) + '\n');
      fs.renameSync(tmp, this.file);
    } catch {
      // The record is a safety net: a results directory that cannot take it does not stop the fault.
    }
  }
}

/**
 * Ends what hydra processes that are gone left running in `resultsDir` (their fault commands'
 * groups), each process checked by its start time first; returns a line for each thing found. A
 * record written on another host, or by a hydra still running, is left alone.
 */
export function endLeftCommands(resultsDir: string): string[] {
  const dir = path.join(resultsDir, LEDGER_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let ledger: LedgerFile;
    try {
      ledger = JSON.parse(readBounded(file, LEDGER_MAX_BYTES, 'a command record')) as LedgerFile;
    } catch {
      continue;
    }
    if (ledger.runner?.host !== os.hostname() || isSameProcessAlive(ledger.runner.pid, ledger.runner.start)) continue;
    for (const e of ledger.commands ?? []) {
      const members = groupMembers(e.pgid, e.start);
      signalGroup(e.pgid, e.start, 'SIGKILL');
      // A SIGKILL takes effect a moment later: say "ended" once they are.
      for (let waited = 0; waited < 1000 && groupMembers(e.pgid, e.start).length > 0; waited += 20) sleepSync(20);
      const what = `'${e.argv.join(' ')}' (${e.label})`;
      if (members.length > 0)
        lines.push(
          `ended ${members.length} process${members.length > 1 ? 'es' : ''} of the planned-fault command ${what}, left running by hydra process ${ledger.runner.pid}, which ended without stopping ${members.length > 1 ? 'them' : 'it'}`,
        );
      if (e.undo)
        lines.push(
          `the undo of ${what} was not run when hydra process ${ledger.runner.pid} ended: run it by hand if the fault is still in effect: ${e.undo.join(' ')}`,
        );
    }
    fs.rmSync(file, { force: true });
  }
  return lines;
}

/** Blocks this thread for `ms` (the leftovers are ended before a command goes on). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
