import { Kafka, logLevel } from 'kafkajs';

/**
 * Creates a point's topic on a real cluster with the configured partitions/replication, so the
 * test does not depend on the broker's auto-create defaults. An existing topic is fine.
 */
export async function ensureTopic(brokers: string[], clientId: string, topic: string, partitions: number, replication: number): Promise<void> {
  const admin = new Kafka({ brokers, clientId: `${clientId}-admin`, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: replication }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
