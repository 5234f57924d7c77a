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

/** Host CPU time counters from /proc/stat's first line, in clock ticks: [busy, total]. [0, 0] where /proc is absent. */
export function hostCpuTicks(): [number, number] {
  try {
    return parseProcStatCpu(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return [0, 0];
  }
}

export function parseProcStatCpu(text: string): [number, number] {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return [0, 0];
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return [total - idle, total];
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
