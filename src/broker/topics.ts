// Before kafkajs itself: see kafkajs/patches.ts.
import '../kafkajs/patches';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkajsSecurityConfig, type KafkaSecurity } from '../kafkajs/security';
import { findLeftovers, removeLeftovers, type Leftovers } from './leftovers';

/** Which cluster a study ran against. */
export interface ClusterInfo {
  cluster_id: string;
  broker_count: number;
}

/**
 * The runner's admin connection to the cluster, opened on first use and kept for the session:
 * creates the run's topic on a real cluster and reads where each partition's log ends, to tell
 * clients that are behind from lost messages.
 */
export class ClusterAdmin {
  private admin: Admin | null = null;

  constructor(
    private readonly brokers: readonly string[],
    private readonly clientId: string,
    private readonly security: KafkaSecurity | null = null,
  ) {}

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = new Kafka({
        brokers: [...this.brokers],
        clientId: `${this.clientId}-admin`,
        logLevel: logLevel.NOTHING,
        retry: { retries: 2 },
        ...kafkajsSecurityConfig(this.security),
      }).admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  /**
   * Creates `topic` with at least `partitions` partitions and the configured replication, so the
   * test does not depend on the broker's auto-create defaults. An existing topic is grown if needed.
   */
  async ensureTopic(topic: string, partitions: number, replication: number): Promise<void> {
    const admin = await this.connected();
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: replication }], waitForLeaders: true });
    if (created) return;
    // It existed (an earlier point made it with fewer partitions): grow it; partitions are never removed.
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    if (meta && meta.partitions.length < partitions) await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  }

  /** The cluster's id and broker count, for the study's record. */
  async describe(): Promise<ClusterInfo> {
    const cluster = await (await this.connected()).describeCluster();
    return { cluster_id: cluster.clusterId, broker_count: cluster.brokers.length };
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
    const offsets = await (await this.connected()).fetchTopicOffsets(topic);
    return Object.fromEntries(offsets.map((o) => [String(o.partition), Number(o.high ?? o.offset)]));
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}
