import * as fs from 'node:fs';
import type { RunnerEvent } from '../src/runner/events';

/** What the benchmark prints and measures with: aligned lines, whole numbers, targets met or missed, CPU and memory of processes. */

export function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(72)} ${value}\n`);
}

export const int = (v: number): string => Math.round(v).toLocaleString('en-US').replace(/,/g, ' ');

/** A target of issue-level weight: met, or missed and by how much. */
export function target(name: string, value: number, goal: number, unit = ''): void {
  const met = value >= goal;
  line(
    `  target: ${name}`,
    `${met ? 'met' : 'MISSED'}: ${unit === '×' ? value.toFixed(2) : int(value)}${unit} against ≥ ${unit === '×' ? goal.toFixed(2) : int(goal)}${unit}${met ? '' : ` (${((value / goal) * 100).toFixed(0)} % of it)`}`,
  );
}

/** CPU seconds a process has used (user + system), from /proc. */
export function processCpuS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The embedded broker's CPU between the publish and collect phases of the last point (its measuring window). */
export class BrokerCpuMeter {
  private from: { cpu: number | null; at: number } | null = null;
  lastPct: number | null = null;

  constructor(private readonly pid: number | undefined) {}

  onEvent = (e: RunnerEvent): void => {
    if (e.type !== 'phase') return;
    if (e.phase === 'publish') this.from = { cpu: processCpuS(this.pid), at: performance.now() };
    if (e.phase === 'collect' && this.from) {
      const cpu = processCpuS(this.pid);
      const seconds = (performance.now() - this.from.at) / 1000;
      this.lastPct = cpu === null || this.from.cpu === null || seconds <= 0 ? null : ((cpu - this.from.cpu) / seconds) * 100;
      this.from = null;
    }
  };
}

/**
 * CPU seconds a process's threads have run, to the nanosecond (/proc/<pid>/task/<tid>/schedstat):
 * /proc's user and system ticks are 10 ms, too coarse for a process that runs 30 ms in a window.
 * Threads that already ended are not counted (librdkafka's live as long as their client).
 */
export function processRunS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e9;
  } catch {
    return null;
  }
}

/** Resident memory of a process, bytes (0 when it is gone). */
export function rssBytes(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}
