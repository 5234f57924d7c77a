import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// Before kafkajs itself: the raw loop runs with the same kafkajs fixes as hydra (src/client/kafkajs/patches.ts).
import '../src/client/kafkajs/patches';
import { Kafka, logLevel } from 'kafkajs';
import { encodeMessage } from '../src/apps/message';
import { loadLibrdkafka } from '../src/client/librdkafka/load';
import { IN_FLIGHT } from './args';
import { processRunS } from './measure';

/** What hydra is held against in the same run: kcat (librdkafka in C) and bare client loops. */

/**
 * Makes a reference's topic on a real cluster (one partition; hydra's points make their own). The
 * embedded broker makes topics on first use and may refuse the request: that is not an error here.
 */
export async function ensureTopic(brokers: string[], topic: string, partitions = 1): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'bench-admin', logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } catch {
    // Made on first use (the embedded broker), or already there.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A bare produce loop's figures: messages acknowledged per second and per CPU-second of this process. */
export interface ProduceReference {
  rate: number;
  perCpu: number;
}

/** CPU seconds this process used since `before`. */
function cpuSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** Raw kafkajs: the same 16-byte messages, as fast as possible with 16 requests in flight. */
export async function rawProduceRate(brokers: string[], topic: string, batch: number, seconds: number): Promise<ProduceReference> {
  const producer = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let seq = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const now = Date.now();
    const messages = Array.from({ length: batch }, () => ({
      value: encodeMessage({ seq: seq++, pubId: 0, epoch: 0, intendedMs: now, sentMs: now }, now),
      partition: 0,
    }));
    const p: Promise<void> = producer.send({ topic, acks: 1, messages }).then(() => {
      sent += batch;
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  const cpuS = cpuSince(cpu);
  await producer.disconnect();
  return { rate: sent / elapsed, perCpu: sent / Math.max(cpuS, 1e-9) };
}

/**
 * A bare produce loop through the librdkafka client's binding: 16-byte messages to partition 0 as
 * fast as it acknowledges them, one delivery report each (what hydra needs to count
 * acknowledgements), for `seconds`. At most BARE_OUTSTANDING unacknowledged, as hydra's publisher
 * bounds them: with librdkafka's whole queue (100 000) outstanding the binding's delivery reports
 * cost three times the CPU per message (93 000 against 280 000-300 000 per CPU-s here).
 */
const BARE_OUTSTANDING = 32000;

export async function rawLibrdkafkaRate(brokers: string[], topic: string, seconds: number): Promise<ProduceReference> {
  await ensureTopic(brokers, topic);
  const rd = loadLibrdkafka();
  const producer = new rd.Producer({ 'bootstrap.servers': brokers.join(','), acks: 1, 'linger.ms': 5, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(new Error(err.message)) : resolve())));
  producer.setPollInterval(5);
  let acked = 0;
  let reported = 0;
  let sent = 0;
  producer.on('delivery-report', (err) => {
    reported++;
    if (!err) acked++;
  });
  const value = Buffer.alloc(16);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    if (sent - reported >= BARE_OUTSTANDING) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    try {
      for (let i = 0; i < 1000; i++) {
        producer.produce(topic, 0, value, null, null);
        sent++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    } catch {
      // The queue is full: wait for delivery reports to make room.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  await new Promise<void>((resolve) => producer.flush(10000, () => resolve()));
  const elapsed = (performance.now() - start) / 1000;
  const cpuS = cpuSince(cpu);
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return { rate: acked / elapsed, perCpu: acked / Math.max(cpuS, 1e-9) };
}

/**
 * kcat -P (librdkafka) sending a file of 15-byte records (16-byte lines: 15 characters and the
 * newline that delimits them), acks=1: what a user would pick instead of a Node client. bash's `times` gives
 * its CPU without another package.
 */
export async function kcatRate(brokers: string[], topic: string, count: number): Promise<{ rate: number; cpuS: number }> {
  await ensureTopic(brokers, topic);
  const file = path.join(os.tmpdir(), `hydra-bench-kcat-${process.pid}.txt`);
  fs.writeFileSync(file, '0123456789abcde\n'.repeat(count));
  try {
    const script = `kcat -P -b ${brokers.join(',')} -t ${topic} -p 0 -X acks=1 -X linger.ms=5 -l ${file} && times`;
    const start = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`kcat exited ${String(code)}: ${err.trim()}`))));
    });
    const seconds = (performance.now() - start) / 1000;
    // `times` prints the shell's times, then its children's: "0m1.234s 0m0.567s".
    const children = out.trim().split('\n').at(-1) ?? '';
    const cpuS = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
    return { rate: count / seconds, cpuS };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Feeds `topic`'s partition 0 at `rate` msg/s in sends of `batch` (hydra's 16-byte messages), on schedule, for `seconds`; returns what it sent. */
export async function feed(brokers: string[], topic: string, rate: number, batch: number, seconds: number): Promise<number> {
  const producer = new Kafka({ brokers, clientId: 'bench-feed', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const start = performance.now();
  const batches = Math.round((rate * seconds) / batch);
  let sent = 0;
  for (let k = 0; k < batches; k++) {
    const due = start + (k * batch * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = Date.now();
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: batch }, () => ({
        value: encodeMessage({ seq: sent++, pubId: 0, epoch: 0, intendedMs: now, sentMs: now }, now),
        partition: 0,
      })),
    });
  }
  await producer.disconnect();
  return sent;
}

/** What a set of consumers took in and at what CPU over a fed window. */
export interface ConsumerReference {
  deliveries: number;
  cpuS: number;
  perCpu: number;
}

/**
 * Consumers that only consume — ten `kcat -C` (librdkafka in C, what the native client is held
 * against) or a bare loop of one client library in one Node process (bare-consumers.ts) — fed at
 * `rate` msg/s in sends of `batch` for `seconds`: their deliveries per CPU-second over the fed
 * window and its drain, with the same fetch wait as hydra's consumers.
 */
export async function consumerReference(
  kind: 'kcat' | 'kafkajs' | 'librdkafka',
  brokers: string[],
  topic: string,
  count: number,
  rate: number,
  batch: number,
  seconds: number,
  fetchWaitMs: number,
): Promise<ConsumerReference> {
  // The topic exists before the consumers start from its end: one message, not counted.
  await ensureTopic(brokers, topic);
  await feed(brokers, topic, 1, 1, 1);
  const children =
    kind === 'kcat'
      ? Array.from({ length: count }, () =>
          spawn('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'end', '-q', '-f', '%o\n', '-X', `fetch.wait.max.ms=${fetchWaitMs}`], {
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        )
      : [
          spawn(process.execPath, [path.join(__dirname, 'bare-consumers.js'), kind, brokers.join(','), topic, String(count), String(fetchWaitMs)], {
            stdio: ['ignore', 'pipe', 'ignore'],
            // librdkafka's consume() waits on Node's thread pool: one thread per consumer.
            env: { ...process.env, UV_THREADPOOL_SIZE: String(count + 4) },
          }),
        ];
  const outputs = children.map(() => '');
  const closed = children.map(
    (child, i) =>
      new Promise<void>((resolve) => {
        child.stdout?.on('data', (d: Buffer) => (outputs[i] += d.toString()));
        child.on('close', () => resolve());
      }),
  );
  try {
    // kcat says nothing when it is ready: it is given the time a join takes; the bare loops say "ready".
    const readyBy = Date.now() + 30000;
    if (kind === 'kcat') await new Promise((resolve) => setTimeout(resolve, 3000));
    else
      while (!outputs[0]?.includes('ready')) {
        if (Date.now() > readyBy) throw new Error(`bare ${kind} consumers not ready within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    const cpuAt = (): number => children.reduce((s, c) => s + (processRunS(c.pid) ?? 0), 0);
    const cpuStart = cpuAt();
    await feed(brokers, topic, rate, batch, seconds);
    // The last fetch's wait and the last messages' delivery.
    await new Promise((resolve) => setTimeout(resolve, fetchWaitMs + 1000));
    const cpuS = cpuAt() - cpuStart;
    for (const child of children) child.kill('SIGINT');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 10000))]);
    const deliveries =
      kind === 'kcat'
        ? outputs.reduce((s, o) => s + o.split('\n').filter((l) => l !== '').length, 0)
        : Number(/received (\d+)/.exec(outputs[0] ?? '')?.[1] ?? 0);
    return { deliveries, cpuS, perCpu: deliveries / Math.max(cpuS, 1e-9) };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
