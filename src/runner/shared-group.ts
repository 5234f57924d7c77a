import type { SubConfig } from '../control/wire';

/**
 * consumer_group=shared: every client of every sub app joins one consumer group, so each message
 * goes to the one member that owns its partition (queue semantics). This names that group and
 * tells when it has settled.
 */

/**
 * Names the run's shared groups: a new name whenever the consumers' settings change (the sub
 * apps then replace their consumers; a fresh group has no stale committed offsets), the same
 * name while they stay, so kept consumers stay members.
 */
export class SharedGroupNamer {
  private serial = 0;
  private signature: string | null = null;

  nameFor(cfg: Omit<SubConfig, 'shared_group'>): string {
    // What a sub app compares to keep its consumers (sub.ts sameConsumers), without the group itself.
    const signature = JSON.stringify([
      cfg.topics,
      cfg.group_prefix,
      cfg.start_at,
      cfg.consumer_max_buffer_size,
      cfg.consumer_max_wait_ms,
      cfg.consumer_min_bytes,
      cfg.consumer_session_timeout_ms,
    ]);
    if (signature !== this.signature) {
      this.serial++;
      this.signature = signature;
    }
    return `${cfg.topics[0] ?? ''}-shared-${this.serial}`;
  }
}

/**
 * Whether the group's assignment is settled: every member has joined (a member that is
 * rebalancing reports null) and the members own each of the topic's `partitionCount` partitions
 * exactly once. While members are still being added, some hold an old assignment and some a new
 * one, which overlap or leave partitions out: publishing then would measure hydra's own
 * rebalance. Returns true, or what is not settled yet.
 */
export function sharedGroupSettled(assigned: readonly (readonly number[] | null)[], partitionCount: number): true | string {
  const waiting = assigned.filter((a) => a === null).length;
  if (waiting > 0) return `${waiting} of ${assigned.length} members rebalancing`;
  const owners = new Map<number, number>();
  for (const a of assigned) for (const p of a ?? []) owners.set(p, (owners.get(p) ?? 0) + 1);
  const twice = [...owners].filter(([, n]) => n > 1).map(([p]) => p);
  if (twice.length > 0) return `partitions ${twice.join(',')} held by two members (assignment changing)`;
  const missing = Array.from({ length: partitionCount }, (_, p) => p).filter((p) => !owners.has(p));
  if (missing.length > 0) return `partitions ${missing.join(',')} not assigned yet`;
  return true;
}
