/**
 * A bare consumer loop, the reference a sub app is held against: `count` consumers of one client
 * library in one process, each in a group of its own from the topic's end, counting what they
 * receive and nothing else. Prints "ready" once every one is assigned, and its total on SIGINT.
 * Usage: node bare-consumers.js <kafkajs|librdkafka> <brokers> <topic> <count> <fetch-wait-ms>
 */
// Before kafkajs itself: the loop runs with the same kafkajs fixes as hydra (src/client/kafkajs/patches.ts).
import '../src/client/kafkajs/patches';
import { Kafka, logLevel } from 'kafkajs';
import { loadLibrdkafka } from '../src/client/librdkafka/load';
import type { RdTopicPartition } from '../src/client/librdkafka/api';

const [library, brokers, topic, countText, waitText] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countText);
const fetchWaitMs = Number(waitText);
let received = 0;
let assigned = 0;
const ready = (): void => {
  if (++assigned === count) process.stdout.write('ready\n');
};
const stops: (() => Promise<void>)[] = [];

async function kafkajsLoop(i: number): Promise<void> {
  const consumer = new Kafka({ brokers: brokers.split(','), clientId: `bare-${i}`, logLevel: logLevel.NOTHING }).consumer({
    groupId: `${topic}-bare-${i}`,
    maxWaitTimeInMs: fetchWaitMs,
  });
  consumer.on(consumer.events.GROUP_JOIN, ready);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
    },
  });
  stops.push(() => consumer.disconnect());
}

function librdkafkaLoop(i: number): void {
  const rd = loadLibrdkafka();
  const consumer = new rd.KafkaConsumer(
    {
      'bootstrap.servers': brokers,
      'group.id': `${topic}-bare-${i}`,
      'fetch.wait.max.ms': fetchWaitMs,
      'auto.offset.reset': 'latest',
      rebalance_cb: (err: { code: number }, assignment: RdTopicPartition[]) => {
        if (err.code === -175) {
          consumer.assign(assignment);
          ready();
        } else consumer.unassign();
      },
    },
    {},
  );
  let running = true;
  consumer.connect({}, () => {
    consumer.subscribe([topic]);
    consumer.setDefaultConsumeTimeout(100);
    const next = (): void => {
      if (!running) return;
      consumer.consume(1000, (err, messages) => {
        if (!err) received += messages.length;
        setImmediate(next);
      });
    };
    next();
  });
  stops.push(
    () =>
      new Promise((resolve) => {
        running = false;
        consumer.disconnect(() => resolve());
      }),
  );
}

process.on('SIGINT', () => {
  process.stdout.write(`received ${received}\n`);
  void Promise.race([Promise.all(stops.map((s) => s())), new Promise((r) => setTimeout(r, 3000))]).then(() => process.exit(0));
});

for (let i = 0; i < count; i++) {
  if (library === 'kafkajs') void kafkajsLoop(i);
  else librdkafkaLoop(i);
}
