import * as fs from 'node:fs';

/**
 * Processes by their process group, checked by start time before any signal: a pid or a group id
 * that has since been given to another process is never signalled. Linux's /proc only; elsewhere
 * nothing is found and nothing is signalled.
 */

/** A process's state line from /proc: its group and its start time (clock ticks since boot). */
interface ProcStat {
  pgrp: number;
  start: number;
  /** Ended, not yet reaped by its parent: nothing left to signal. */
  zombie: boolean;
}

function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: the fields after it are counted from its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) pgrp(5) ... starttime(22), numbered as in proc(5).
  const pgrp = Number(fields[2]);
  const start = Number(fields[19]);
  return Number.isFinite(pgrp) && Number.isFinite(start) ? { pgrp, start, zombie: fields[0] === 'Z' } : null;
}

/** When a process started (clock ticks since boot), or null when it is gone. */
export function processStart(pid: number): number | null {
  return procStat(pid)?.start ?? null;
}

/**
 * The live processes of the group whose leader was `pgid`, started at `leaderStart`. A group id
 * is never given to a new process while its group has members, so a live process holding that pid
 * with another start time means the recorded group is gone: nothing is found. Otherwise the
 * members are the processes in group `pgid` started no earlier than the leader.
 */
export function groupMembers(pgid: number, leaderStart: number): number[] {
  const holder = procStat(pgid);
  if (holder !== null && holder.start !== leaderStart) return [];
  const notBefore = leaderStart;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = procStat(pid);
    if (stat && !stat.zombie && stat.pgrp === pgid && stat.start >= notBefore) members.push(pid);
  }
  return members;
}

/** Signals every member of the group (found as groupMembers finds them); returns how many were signalled. */
export function signalGroup(pgid: number, leaderStart: number, signal: NodeJS.Signals): number {
  let signalled = 0;
  for (const pid of groupMembers(pgid, leaderStart)) {
    try {
      process.kill(pid, signal);
      signalled++;
    } catch {
      // Gone meanwhile.
    }
  }
  return signalled;
}

/** True while a process with this pid and start time lives (a reused pid is another process). */
export function isSameProcessAlive(pid: number, start: number): boolean {
  return processStart(pid) === start;
}
