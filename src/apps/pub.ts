import type { Producer } from 'kafkajs';
import type { ControlServer } from '../control/server';
import { runApp, log, readAppSpec, type AppInstance } from './bootstrap';
import { makeKafka } from './kafka';
import { encodeMessage, nowMs } from './message';
import { batchCount, batchDueMs, batchSizeAt, messagesForWindow } from './pacing';
import { cpuTimes, netBytes } from './procstats';
import type { AppSpec, PubConfig, PubStats, PubStatus, TestState } from './types';

/** Produce requests allowed in flight before the publisher waits: enough to hide the round trip. */
const MAX_IN_FLIGHT = 16;

interface Message {
  value: Buffer;
  partition: number;
}

/**
 * The publisher app: one kafkajs producer, paced by the schedule in pacing.ts. All messages go to
 * partition 0 so sequence numbers are ordered within one log and subscribers can tell reordering
 * from partition interleaving.
 */
export class PublisherApp implements AppInstance {
  private producer: Producer;
  private connected: Promise<void>;
  private config: PubConfig | null = null;
  private state: TestState = 'idle';
  private stopRequested = false;
  private run: Promise<void> | null = null;
  private stats: PubStats = emptyPubStats(0);
  private error: string | null = null;

  constructor(private readonly spec: AppSpec) {
    this.producer = makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`).producer({ allowAutoTopicCreation: true });
    this.connected = this.producer.connect();
    // Surface a failed connect in teststart, not as an unhandled rejection.
    this.connected.catch((err: unknown) => log(spec, `producer connect failed: ${String(err)}`));
  }

  register(server: ControlServer): void {
    server
      .on('ping', () => ({ pong: true, kind: 'pub', name: this.spec.name, pid: process.pid }))
      .on('updateconfig', (args) => {
        if (this.state === 'running') throw new Error('cannot update config while a test is running');
        this.config = parsePubConfig(args);
        this.state = 'idle';
        return this.config;
      })
      .on('resetstats', () => {
        if (this.state === 'running') throw new Error('cannot reset stats while a test is running');
        this.stats = emptyPubStats(this.config?.msg_rate ?? 0);
        this.state = 'idle';
        this.error = null;
        return null;
      })
      .on('teststart', async () => {
        if (!this.config) throw new Error('no config: send updateconfig first');
        if (this.state === 'running') throw new Error('test already running');
        await this.connected;
        this.stopRequested = false;
        this.state = 'running';
        this.run = this.publish(this.config).then(
          () => {
            this.state = 'done';
          },
          (err: unknown) => {
            this.error = err instanceof Error ? err.message : String(err);
            this.state = 'failed';
            log(this.spec, `publish failed: ${this.error}`);
          },
        );
        return { started: true };
      })
      .on('teststop', async () => {
        this.stopRequested = true;
        await this.run;
        return this.status();
      })
      .on('teststatus', () => this.status())
      .on('getstats', () => this.stats);
  }

  private status(): PubStatus {
    return { state: this.state, msg_cnt: this.stats.msg_cnt, error: this.error };
  }

  private async publish(cfg: PubConfig): Promise<void> {
    const total = messagesForWindow(cfg.msg_rate, cfg.test_duration);
    const batches = batchCount(total, cfg.msg_batch);
    const stats = emptyPubStats(cfg.msg_rate);
    this.stats = stats;
    stats['cpu:start'] = cpuTimes();
    stats['net:start'] = netBytes();
    const start = nowMs();
    stats['time:start'] = start / 1000;
    const deadline = start + cfg.test_duration * 1000;
    const inFlight = new Set<Promise<void>>();
    let pending: Message[] = [];
    let pendingSince = 0;
    let seq = 0;

    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const messages = pending;
      pending = [];
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const send = this.producer
        .send({ topic: cfg.topic, acks: cfg.acks, messages })
        .then(
          () => {
            stats.msg_cnt += messages.length;
          },
          (err: unknown) => {
            stats.send_errors += messages.length;
            stats.last_error = err instanceof Error ? err.message : String(err);
          },
        )
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
    };

    for (let k = 0; k < batches && !this.stopRequested; ) {
      const due = start + batchDueMs(k, cfg.msg_batch, cfg.msg_rate);
      const flushAt = pending.length > 0 ? pendingSince + cfg.linger_ms : Infinity;
      const wakeAt = Math.min(due, flushAt);
      const now = nowMs();
      if (now < wakeAt) {
        await sleep(wakeAt - now);
        continue;
      }
      // A publisher that fell behind stops at the end of its window instead of running long.
      if (now >= deadline && k > 0) break;
      if (now >= flushAt) {
        await flush();
        continue;
      }
      const size = batchSizeAt(k, total, cfg.msg_batch);
      const sentMs = nowMs();
      if (pending.length === 0) pendingSince = sentMs;
      for (let i = 0; i < size; i++) pending.push({ value: encodeMessage(seq++, sentMs), partition: 0 });
      k++;
      if (cfg.linger_ms <= 0) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    const end = nowMs();
    stats['cpu:end'] = cpuTimes();
    stats['net:end'] = netBytes();
    stats.rss_bytes = process.memoryUsage().rss;
    // N batches on schedule span only N-1 intervals; measuring over at least the window those
    // messages were scheduled to fill keeps an on-time publisher at 100 % instead of 101 %.
    const windowS = Math.max((end - start) / 1000, stats.msg_cnt / cfg.msg_rate, 1e-9);
    stats['time:end'] = stats['time:start'] + windowS;
    stats.rate = stats.msg_cnt / windowS;
    if (stats.msg_cnt === 0 && stats.send_errors > 0) throw new Error(`every send failed: ${stats.last_error ?? 'unknown error'}`);
  }

  async shutdown(): Promise<void> {
    this.stopRequested = true;
    await this.run;
    await this.producer.disconnect();
  }
}

export function emptyPubStats(requestedRate: number): PubStats {
  return {
    msg_cnt: 0,
    rate: 0,
    requested_rate: requestedRate,
    'time:start': 0,
    'time:end': 0,
    'cpu:start': [0, 0],
    'cpu:end': [0, 0],
    'net:start': [0, 0],
    'net:end': [0, 0],
    rss_bytes: 0,
    send_errors: 0,
    last_error: null,
  };
}

function parsePubConfig(args: Record<string, unknown>): PubConfig {
  const num = (key: string, min: number): number => {
    const v = args[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`updateconfig: ${key} must be a number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const topic = args.topic;
  if (typeof topic !== 'string' || topic === '') throw new Error('updateconfig: topic must be a non-empty string');
  const acks = args.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1) throw new Error(`updateconfig: acks must be 0, 1 or -1, got ${JSON.stringify(acks)}`);
  return {
    topic,
    msg_rate: num('msg_rate', 1e-9),
    msg_batch: Math.floor(num('msg_batch', 1)),
    test_duration: num('test_duration', 0),
    acks,
    linger_ms: num('linger_ms', 0),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) {
  const spec = readAppSpec();
  runApp(spec, new PublisherApp(spec)).catch((err: unknown) => {
    log(spec, `fatal: ${String(err)}`);
    process.exit(1);
  });
}
