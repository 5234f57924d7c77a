import * as fs from 'node:fs';

/** CPU seconds [user, system] of this process (HYDRA's psutil cpu_times). */
export function cpuTimes(): [number, number] {
  const u = process.cpuUsage();
  return [u.user / 1e6, u.system / 1e6];
}

/**
 * Host network bytes [tx, rx] summed over all interfaces, from /proc/net/dev, as HYDRA's
 * psutil.net_io_counters(). [0, 0] where /proc is absent.
 */
export function netBytes(): [number, number] {
  let text: string;
  try {
    text = fs.readFileSync('/proc/net/dev', 'utf8');
  } catch {
    return [0, 0];
  }
  return parseNetDev(text);
}

export function parseNetDev(text: string): [number, number] {
  let tx = 0;
  let rx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return [tx, rx];
}

/** Host CPU time counters from /proc/stat's first line, in clock ticks. */
export interface HostCpuTicks {
  /** Everything but idle and iowait. */
  busy: number;
  total: number;
  /** Time the hypervisor ran something else while this machine wanted a CPU (inside busy). */
  steal: number;
}

/** Host CPU time counters; zeros where /proc is absent. */
export function hostCpuTicks(): HostCpuTicks {
  try {
    return parseProcStatCpu(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return { busy: 0, total: 0, steal: 0 };
  }
}

export function parseProcStatCpu(text: string): HostCpuTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return { busy: 0, total: 0, steal: 0 };
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const f = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map((v) => (Number.isFinite(Number(v)) ? Number(v) : 0));
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total, steal: f[7] ?? 0 };
}

/**
 * This process's main thread as the kernel's scheduler saw it (/proc/self/schedstat): ns it ran
 * on a CPU and ns it was runnable but waiting on a run queue. The second is what tells an app
 * starved of CPU by its host from one busy with its own work, or one that was not scheduled at
 * all (stopped, or the machine paused). null where the kernel does not report it.
 */
export function schedTimes(): { run_ns: number; wait_ns: number } | null {
  try {
    return parseSchedstat(fs.readFileSync('/proc/self/schedstat', 'utf8'));
  } catch {
    return null;
  }
}

export function parseSchedstat(text: string): { run_ns: number; wait_ns: number } | null {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  return run !== undefined && wait !== undefined && Number.isFinite(run) && Number.isFinite(wait) ? { run_ns: run, wait_ns: wait } : null;
}

/** Runnable tasks on the host right now (procs_running in /proc/stat); null where /proc is absent. */
export function hostRunQueue(): number | null {
  try {
    const m = /^procs_running (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
