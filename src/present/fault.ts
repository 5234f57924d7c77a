import type { FaultRecord, PhaseLatency } from '../faults/figures';

/**
 * A faulted point's measurements in the words a person reads: one line for progress and tables,
 * the lines of a fault's section in `study show` and the report.
 */

function secs(ms: number | null): string {
  return ms === null ? '-' : ms >= 10000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function p99(l: PhaseLatency): string {
  return l.p99_ms === null ? '-' : `${l.p99_ms} ms`;
}

/** How the clients came out of it: their slowest recovery, or how many had not recovered. */
export function recoveryText(f: FaultRecord): string {
  const living = f.clients.filter((c) => !c.killed && !c.idle).length;
  if (f.not_recovered > 0) return `${f.not_recovered} of ${living} clients not back at the rate by the end of the point`;
  return `recovery ${secs(f.recovery_ms)} (slowest of ${living} clients)`;
}

/**
 * One line: "faulted (schedule): nothing lost, longest gap, recovery, rebalances, duplicates,
 * latency p99 before/during/after". `lost`: the point's lost messages, when known.
 */
export function faultLine(f: FaultRecord, lost?: number): string {
  const parts = [
    ...(lost === undefined ? [] : [lost === 0 ? 'nothing lost' : `${lost} messages lost`]),
    `longest gap ${secs(f.longest_gap_ms)}`,
    recoveryText(f),
  ];
  if (f.rebalances > 0) parts.push(`${f.rebalances} rebalance${f.rebalances > 1 ? 's' : ''} (longest ${secs(f.rebalance_max_ms)})`);
  if (f.partitions_taken_over === false) parts.push('the group does not hold every partition at the end');
  if (f.duplicated_across_members) parts.push(`${f.duplicated_across_members} messages received by two members`);
  if (f.send_errors > 0) parts.push(`${f.send_errors} send errors`);
  parts.push(`latency p99 of messages sent before ${p99(f.latency.before)}, during ${p99(f.latency.during)}, after ${p99(f.latency.after)}`);
  const failed = f.events.filter((e) => e.error !== null);
  for (const e of failed) parts.push(`NOT AS PLANNED: ${e.fault}: ${e.error ?? ''}`);
  return `faulted (${f.schedule.join('; ')}): ${parts.join(', ')}`;
}
