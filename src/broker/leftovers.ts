/**
 * What hydra leaves on a cluster: its topics (`hydra-<run id>`, and `-p<N>` with
 * fresh_topic_per_point) and the consumer groups of its clients (named after the topic). A run
 * removes its own when it ends; `hydra clean` removes a crashed run's. Pure over a small admin
 * interface, which kafkajs's admin client satisfies and the tests fake.
 */

/** The admin calls cleanup needs (kafkajs Admin has them all). */
export interface LeftoverAdmin {
  listTopics(): Promise<string[]>;
  listGroups(): Promise<{ groups: { groupId: string }[] }>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  deleteGroups(groupIds: string[]): Promise<unknown>;
}

export interface Leftovers {
  topics: string[];
  groups: string[];
}

/** What `hydra clean` needs of a cluster (the runner's ClusterAdmin has it; tests fake it). */
export interface LeftoverCleaner {
  leftovers(prefix: string): Promise<Leftovers>;
  remove(leftovers: Leftovers): Promise<{ removed: Leftovers; failed: string[] }>;
  close(): Promise<void>;
}

/** Every hydra run's names start with this. */
export const HYDRA_NAME_PREFIX = 'hydra-';

/** The prefix of one run's topics and groups. */
export function runPrefix(runId: string): string {
  return `${HYDRA_NAME_PREFIX}${runId}`;
}

/** `name` belongs to `prefix`: equal to it, or it followed by a dash (`hydra-r1` is not `hydra-r10`'s). */
export function belongsTo(name: string, prefix: string): boolean {
  return prefix === HYDRA_NAME_PREFIX ? name.startsWith(prefix) : name === prefix || name.startsWith(`${prefix}-`);
}

/** Topics and groups under `prefix`, sorted. */
export async function findLeftovers(admin: LeftoverAdmin, prefix: string): Promise<Leftovers> {
  const [topics, { groups }] = await Promise.all([admin.listTopics(), admin.listGroups()]);
  return {
    topics: topics.filter((t) => belongsTo(t, prefix)).sort(),
    groups: groups
      .map((g) => g.groupId)
      .filter((g) => belongsTo(g, prefix))
      .sort(),
  };
}

/** A group kafkajs could not delete, with why (a group with live members cannot be deleted). */
interface GroupFailure {
  groupId: string;
  error?: { message?: string };
}

/**
 * Deletes the groups first (a topic's groups outlive it otherwise), then the topics. Never throws:
 * what could not be deleted is returned with the reason, for the caller to report.
 */
export async function removeLeftovers(admin: LeftoverAdmin, leftovers: Leftovers): Promise<{ removed: Leftovers; failed: string[] }> {
  const removed: Leftovers = { topics: [], groups: [] };
  const failed: string[] = [];
  if (leftovers.groups.length > 0) {
    try {
      await admin.deleteGroups(leftovers.groups);
      removed.groups.push(...leftovers.groups);
    } catch (err) {
      // kafkajs's KafkaJSDeleteGroupsError lists the groups that failed; the others were deleted.
      const failures = (err as { groups?: GroupFailure[] }).groups;
      if (Array.isArray(failures)) {
        const bad = new Set(failures.map((f) => f.groupId));
        removed.groups.push(...leftovers.groups.filter((g) => !bad.has(g)));
        failed.push(...failures.map((f) => `group ${f.groupId}: ${f.error?.message ?? 'not deleted'}`));
      } else failed.push(`groups (${leftovers.groups.length}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (leftovers.topics.length > 0) {
    try {
      await admin.deleteTopics({ topics: leftovers.topics });
      removed.topics.push(...leftovers.topics);
    } catch (err) {
      failed.push(`topics ${leftovers.topics.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { removed, failed };
}
