import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// Before kafkajs itself: the raw loop runs with the same kafkajs fixes as hydra (src/client/kafkajs/patches.ts).
import '../src/client/kafkajs/patches';
import { Kafka, logLevel } from 'kafkajs';
import { encodeMessage } from '../src/apps/message';
import { IN_FLIGHT } from './args';

/** What hydra is held against in the same run: kcat (librdkafka in C) and bare client loops. */

/** Raw kafkajs: the same 16-byte messages, as fast as possible with 16 requests in flight. */
export async function rawProduceRate(brokers: string[], topic: string, batch: number, seconds: number): Promise<number> {
  const producer = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let seq = 0;
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
  await producer.disconnect();
  return sent / elapsed;
}

/**
 * kcat -P (librdkafka) sending a file of 15-byte records (16-byte lines: 15 characters and the
 * newline that delimits them), acks=1: what a user would pick instead of a Node client. bash's `times` gives
 * its CPU without another package.
 */
export async function kcatRate(brokers: string[], topic: string, count: number): Promise<{ rate: number; cpuS: number }> {
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
