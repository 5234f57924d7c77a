// Before kafkajs itself: see patches.ts.
import './patches';
import { Partitioners } from 'kafkajs';

/**
 * The partition (an index into `count` partitions) Kafka's default partitioner gives a key:
 * murmur2 of the key, made positive, modulo the partition count — what the Java client and
 * kafkajs's DefaultPartitioner do, so a key lands where any other producer would put it. hydra
 * picks the partition itself (and sends it with the message) to keep one sequence per partition.
 */
export function keyPartitioner(count: number): (key: Buffer) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return (key) => partitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
