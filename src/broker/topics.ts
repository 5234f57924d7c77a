// Before kafkajs itself: see client/kafkajs/patches.ts.
import '../client/kafkajs/patches';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { HydraOptions } from '../config/options';
import { kafkajsOptions } from '../config/passthrough';
import type { KafkajsValues } from '../control/wire';
import type { KafkaSecurity } from '../config/security';
import { kafkajsSecurityConfig } from '../client/kafkajs/security';
import { fetchBrokerApis } from './api-versions';
import type { ClusterInfo } from './cluster-info';

export type { ClusterInfo } from './cluster-info';
import { findLeftovers, removeLeftovers, type Leftovers } from './leftovers';

/** A topic config entry as CreateTopics takes it. */
export interface TopicConfigEntry {
  name: string;
  value: string;
}

/** The topics a point needs on a real cluster, and how each is made. */
export interface TopicsRequest {
  topics: readonly string[];
  /** At least this many partitions each (an existing topic with fewer is grown). */
  partitions: number;
  replication: number;
  configEntries?: readonly TopicConfigEntry[];
  /** Called after each answered request: from then on something of the run may be on the cluster. */
  made?: () => void;
}

/** Topics per CreateTopics or CreatePartitions request: a point of 10 000 topics makes ten of each, not 10 000. */
export const TOPICS_PER_REQUEST = 1000;

/**
 * Creates `topics` (at least `partitions` each) a request per TOPICS_PER_REQUEST of them. The
 * broker creates those that are new and refuses those that exist (kafkajs then answers false): those
 * are read back and the ones with fewer partitions grown — partitions are never removed.
 */
export async function ensureTopicsWith(
  admin: Pick<Admin, 'createTopics' | 'fetchTopicMetadata' | 'createPartitions'>,
  { topics, partitions, replication, configEntries = [], made = () => undefined }: TopicsRequest,
): Promise<void> {
  for (let i = 0; i < topics.length; i += TOPICS_PER_REQUEST) {
    const chunk = topics.slice(i, i + TOPICS_PER_REQUEST);
    const created = await admin.createTopics({
      topics: chunk.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: replication, configEntries: [...configEntries] })),
      waitForLeaders: true,
    });
    made();
    if (created) continue;
    const short = (await admin.fetchTopicMetadata({ topics: chunk })).topics.filter((t) => t.partitions.length < partitions);
    if (short.length > 0) await admin.createPartitions({ topicPartitions: short.map((t) => ({ topic: t.name, count: partitions })) });
  }
}

/** The run's topic configs: min.insync.replicas and retention.ms when set, then topic_configs as given. */
export function topicConfigEntries(o: Pick<HydraOptions, 'topic_min_insync_replicas' | 'topic_retention_ms' | 'topic_configs'>): TopicConfigEntry[] {
  return [
    ...(o.topic_min_insync_replicas > 0 ? [{ name: 'min.insync.replicas', value: String(o.topic_min_insync_replicas) }] : []),
    ...(o.topic_retention_ms !== 0 ? [{ name: 'retention.ms', value: String(o.topic_retention_ms) }] : []),
    ...o.topic_configs.map((entry) => {
      const eq = entry.indexOf('=');
      return { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }),
  ];
}

/** kafkajs passthrough for the runner's admin client: [client] and [admin] keys of hydra.ini. */
export interface AdminPassthrough {
  client?: KafkajsValues;
  admin?: KafkajsValues;
}

/**
 * The runner's admin connection to the cluster, opened on first use and kept for the session:
 * creates the run's topic on a real cluster and reads where each partition's log ends, to tell
 * clients that are behind from lost messages.
 */
export class ClusterAdmin {
  private admin: Admin | null = null;
  private described: Promise<ClusterInfo> | null = null;

  constructor(
    private readonly brokers: readonly string[],
    private readonly clientId: string,
    private readonly security: KafkaSecurity | null = null,
    private readonly passthrough: AdminPassthrough = {},
  ) {}

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const base = { retry: { retries: 2 } };
      const admin = new Kafka({
        ...base,
        ...kafkajsOptions(this.passthrough.client ?? {}, base),
        brokers: [...this.brokers],
        clientId: `${this.clientId}-admin`,
        logLevel: logLevel.NOTHING,
        ...kafkajsSecurityConfig(this.security),
      }).admin(kafkajsOptions(this.passthrough.admin ?? {}));
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  /**
   * Creates `topics` with at least `partitions` partitions each, the configured replication and
   * topic configs, so the test does not depend on the broker's auto-create defaults; existing
   * ones are grown if needed (ensureTopicsWith).
   */
  async ensureTopics(request: TopicsRequest): Promise<void> {
    await ensureTopicsWith(await this.connected(), request);
  }

  /** The cluster's id, broker count and the first broker's APIs, for the study's record; asked once per admin connection. */
  describe(): Promise<ClusterInfo> {
    this.described ??= this.describeNow();
    // A failed ask is not kept: the next call tries again.
    this.described.catch(() => (this.described = null));
    return this.described;
  }

  private async describeNow(): Promise<ClusterInfo> {
    const cluster = await (await this.connected()).describeCluster();
    const first = cluster.brokers[0];
    const apis = first ? await fetchBrokerApis(`${first.host}:${first.port}`, `${this.clientId}-admin`, this.security).catch(() => undefined) : undefined;
    return { cluster_id: cluster.clusterId, broker_count: cluster.brokers.length, ...(apis ? { broker_apis: apis } : {}) };
  }

  /** Topics and consumer groups under `prefix` (a run's, or every hydra run's). */
  async leftovers(prefix: string): Promise<Leftovers> {
    return findLeftovers(await this.connected(), prefix);
  }

  /** Deletes them; what could not be deleted comes back with the reason. */
  async remove(leftovers: Leftovers): Promise<{ removed: Leftovers; failed: string[] }> {
    return removeLeftovers(await this.connected(), leftovers);
  }

  /** Per partition, the log end offset (high watermark) of `topic`. */
  async logEnd(topic: string): Promise<Record<string, number>> {
    return (await this.logBounds(topic)).end;
  }

  /** Per partition, where `topic`'s log starts (what retention has not deleted yet) and ends. */
  async logBounds(topic: string): Promise<{ start: Record<string, number>; end: Record<string, number> }> {
    const offsets = await (await this.connected()).fetchTopicOffsets(topic);
    return {
      start: Object.fromEntries(offsets.map((o) => [String(o.partition), Number(o.low)])),
      end: Object.fromEntries(offsets.map((o) => [String(o.partition), Number(o.high ?? o.offset)])),
    };
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}
