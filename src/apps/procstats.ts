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
