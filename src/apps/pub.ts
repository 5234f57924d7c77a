import type { Producer } from 'kafkajs';
import type { PubCommands } from '../control/protocol';
import { type ControlServer, StateError } from '../control/server';
import { emptyPubStats, type AppSpec, type PubConfig, type PubStats, type PubStatus, type TestState } from '../control/wire';
import { errorMessage } from '../errors';
import { parsePubConfig } from './config';
import { log, startApp, type AppInstance } from './bootstrap';
import { makeKafka } from './kafka';
import { encodeMessage, nowMs } from './message';
import { publishWindowS, runSchedule } from './pacing';
import { cpuTimes, netBytes } from './procstats';

interface Message {
  value: Buffer;
  partition: number;
}

/**
 * The publisher app: one kafkajs producer, paced by the schedule in pacing.ts. All messages go to
 * partition 0 so sequence numbers are ordered within one log and subscribers can tell reordering
 * from partition interleaving.
 */
export class PublisherApp implements AppInstance<PubCommands> {
  private producer: Producer;
  private connected: Promise<void>;
  private config: PubConfig | null = null;
  private state: TestState = 'idle';
  private stopRequested = false;
  private run: Promise<void> | null = null;
  private stats: PubStats = emptyPubStats();
  private error: string | null = null;

  constructor(private readonly spec: AppSpec) {
    this.producer = makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`).producer({ allowAutoTopicCreation: true });
    this.connected = this.producer.connect();
    // Surface a failed connect in teststart, not as an unhandled rejection.
    this.connected.catch((err: unknown) => log(spec, `producer connect failed: ${String(err)}`));
  }

  register(server: ControlServer<PubCommands>): void {
    server
      .on('ping', () => ({ pong: true, kind: 'pub', name: this.spec.name, pid: process.pid }))
      .on('updateconfig', (args) => {
        if (this.state === 'running') throw new StateError('cannot update config while a test is running');
        this.config = parsePubConfig(args);
        this.state = 'idle';
        return this.config;
      })
      .on('resetstats', () => {
        if (this.state === 'running') throw new StateError('cannot reset stats while a test is running');
        this.stats = emptyPubStats();
        this.state = 'idle';
        this.error = null;
        return null;
      })
      .on('teststart', async () => {
        if (!this.config) throw new StateError('no config: send updateconfig first');
        if (this.state === 'running') throw new StateError('test already running');
        await this.connected;
        this.stopRequested = false;
        this.state = 'running';
        this.run = this.publish(this.config).then(
          () => {
            this.state = 'done';
          },
          (err: unknown) => {
            this.error = errorMessage(err);
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
    const stats = emptyPubStats();
    this.stats = stats;
    stats['cpu:start'] = cpuTimes();
    stats['net:start'] = netBytes();
    const outcome = await runSchedule<Message>(cfg, {
      now: nowMs,
      sleep,
      message: (seq, sentMs) => ({ value: encodeMessage(seq, sentMs), partition: 0 }),
      send: (messages) =>
        this.producer.send({ topic: cfg.topic, acks: cfg.acks, messages }).then(
          () => {
            stats.msg_cnt += messages.length;
          },
          (err: unknown) => {
            stats.send_errors += messages.length;
            stats.last_error = errorMessage(err);
          },
        ),
      stopRequested: () => this.stopRequested,
    });
    stats['cpu:end'] = cpuTimes();
    stats['net:end'] = netBytes();
    stats.rss_bytes = process.memoryUsage().rss;
    const windowS = publishWindowS(outcome.startMs, outcome.endMs, stats.msg_cnt, cfg.msg_rate);
    stats['time:start'] = outcome.startMs / 1000;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) void startApp((spec) => new PublisherApp(spec));
