/**
 * Exercises every path of the native core in one process, for the test that runs it under
 * AddressSanitizer (test/integration/native-core.test.ts): a producer publishing a warm-up and a
 * keyed, padded window to two partitions; a consumer reading it with foreign messages mixed in
 * (no value, too short, another publisher's id, another point's epoch); a second window stopped
 * early; request telemetry drained; the books replayed with a timeline; everything closed.
 * Prints what it counted as JSON on stdout. Usage: node native-exercise.js <broker> <topic>
 */
import { Kafka, logLevel } from 'kafkajs';
import { encodeMessage } from '../src/apps/message';
import { keyPartitioner } from '../src/apps/partitioner';
import { keyPartitionTable } from '../src/apps/payload';
import type { BooksSnapshot } from '../src/client';
import type { NativeHandle, NativePlan } from '../src/client/native/api';
import { loadNative, nativeAddonPath } from '../src/client/native/load';

const [broker, topic] = process.argv.slice(2) as [string, string];
const native = loadNative();
const T0 = Date.now();
const EPOCH = 12;

function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() > until) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

async function main(): Promise<void> {
  const events: string[] = [];
  const done: unknown[] = [];
  const closed = new Set<string>();
  const consumer: NativeHandle = native.createConsumer(
    [
      ['bootstrap.servers', broker],
      ['group.id', `${topic}-g`],
      ['statistics.interval.ms', '200'],
      ['allow.auto.create.topics', 'true'],
    ],
    topic,
    'earliest',
    (kind) => {
      events.push(kind);
      if (kind === 'closed') closed.add('consumer');
    },
  );
  native.resetBooks(consumer, { t0_ms: T0, epoch: EPOCH, pub_count: 1, latency_corrections_ms: [0.5] }, null);
  const producer: NativeHandle = native.createProducer(
    [
      ['bootstrap.servers', broker],
      ['statistics.interval.ms', '200'],
      ['linger.ms', '2'],
    ],
    (kind, json) => {
      events.push(kind);
      if (kind === 'done') done.push(JSON.parse(json));
      if (kind === 'closed') closed.add('producer');
    },
  );
  await waitFor('the producer to connect', () => events.includes('connected'), 15000);
  const plan: NativePlan = {
    msg_rate: 4000,
    msg_batch: 50,
    duration_s: 2,
    warmup_s: 0.5,
    max_in_flight: 4,
    request_max_messages: 300,
    linger_ms: 0,
    msg_size: 300,
    payload_random_pct: 40,
    epoch: EPOCH,
    warmup_epoch: (EPOCH + 0x8000) & 0xffff,
    pub_id: 0,
    t0_ms: T0,
    topics: [topic],
    partitions: [0, 1],
    key_mode: 1,
    key_count: 10,
    key_partition: keyPartitionTable(2, 10, keyPartitioner(2)),
  };
  native.publish(producer, plan);
  await waitFor('the first window', () => done.length === 1, 30000);
  // Foreign messages on the same topic: a tombstone, a short one, another publisher's, another point's.
  const kafka = new Kafka({ brokers: [broker], clientId: 'foreign', logLevel: logLevel.NOTHING });
  const foreign = kafka.producer();
  await foreign.connect();
  await foreign.send({
    topic,
    messages: [
      { value: null, partition: 0 },
      { value: Buffer.from('abc'), partition: 1 },
      { value: encodeMessage({ seq: 0, pubId: 9, epoch: EPOCH, intendedMs: T0, sentMs: T0 }, T0), partition: 0 },
      { value: encodeMessage({ seq: 0, pubId: 0, epoch: EPOCH + 1, intendedMs: T0, sentMs: T0 }, T0), partition: 1 },
    ],
  });
  await foreign.disconnect();
  const first = done[0] as { msg_cnt: number; generated: number };
  const books = (): BooksSnapshot => JSON.parse(native.booksSnapshot(consumer)) as BooksSnapshot;
  await waitFor('the consumer to read everything', () => books().msg_cnt >= first.msg_cnt + 3 && books().stale >= first.generated - first.msg_cnt + 1, 30000);
  const snapshot = books();
  // A second window, stopped early: generating ends, every send still settles. Over two topics, its
  // values from a payload (the topic axis and payload_file's path through the C).
  native.publish(producer, { ...plan, duration_s: 30, warmup_s: 0, key_mode: 2, topics: [topic, `${topic}-b`], payload: Buffer.alloc(300, 7) });
  await new Promise((resolve) => setTimeout(resolve, 300));
  native.stopPublishing(producer);
  await waitFor('the stopped window', () => done.length === 2, 30000);
  const producerRequests = JSON.parse(native.drainRequests(producer)) as { windows: unknown[] };
  const consumerRequests = JSON.parse(native.drainRequests(consumer)) as { windows: unknown[] };
  native.resetBooks(consumer, { t0_ms: T0, epoch: EPOCH + 1, pub_count: 1 }, { start_ms: T0, bucket_ms: 100, from_ms: T0 + 100, to_ms: T0 + 200 });
  const replayed = JSON.parse(
    native.replay({ t0_ms: T0, epoch: EPOCH, pub_count: 1 }, { start_ms: T0, bucket_ms: 50, from_ms: T0 + 10, to_ms: T0 + 90 }, [
      {
        partition: 3,
        first_offset: 5,
        at_ms: T0 + 20,
        values: [encodeMessage({ seq: 4, pubId: 0, epoch: EPOCH, intendedMs: T0, sentMs: T0 + 1 }, T0), null, Buffer.alloc(2)],
      },
      { partition: 3, first_offset: 40, at_ms: T0 + 900000, values: [encodeMessage({ seq: 1, pubId: 0, epoch: EPOCH, intendedMs: T0, sentMs: T0 + 1 }, T0)] },
    ]),
  ) as BooksSnapshot;
  const statistics = JSON.parse(
    native.replayStatistics(['{"brokers":{"a/1":{"source":"learned","rtt":{"cnt":2,"max":5}}}}', '{"brokers":', 'not json', '']),
  ) as {
    windows: unknown[];
  };
  native.closeProducer(producer);
  native.closeConsumer(consumer);
  await waitFor('both to close', () => closed.size === 2, 30000);
  process.stdout.write(
    `${JSON.stringify({
      addon: nativeAddonPath(),
      windows: done,
      books: snapshot,
      replayed,
      statistics_windows: statistics.windows.length,
      producer_windows: producerRequests.windows.length,
      consumer_windows: consumerRequests.windows.length,
      events: [...new Set(events)].sort(),
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`native-exercise: ${String(err)}\n`);
    process.exit(1);
  },
);
