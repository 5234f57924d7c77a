import {
  clientLibrary,
  RequestRecorder,
  type ProducerClient,
  type ProducerShape,
  type WindowOutcome,
  type WindowPacing,
  type WindowPlacement,
} from '../client';
import type { PubCommands } from '../control/protocol';
import type { ControlServer } from '../control/server';
import { emptyPubStats, type AppSpec, type PubConfig, type PubStats, type PubStatus, type TestState } from '../control/wire';
import { ArgsError, errorMessage, StateError } from '../errors';
import { parsePubConfig, parseTestStart } from './config';
import { log, startApp, type AppInstance } from './bootstrap';
import { keyPartitioner } from './partitioner';
import { nowMs } from './message';
import { keyPartitionTable, MessageBuilder, PartitionPicker, TopicPicker } from './payload';
import { publishWindowS, requestMaxMessages, runSchedule } from './pacing';
import { cpuTimes, netBytes } from './procstats';
import { TelemetryWindow } from './telemetry';
import { LatencyHistogram } from '../stats/histogram';

interface Message {
  value: Buffer;
  key: Buffer | null;
  topic: number;
  partition: number;
  /** false for warm-up messages, which are not counted. */
  measured: boolean;
}

/** Longest wait for a start time: beyond it the runner's clock and this host's disagree. */
const MAX_START_DELAY_MS = 10_000;

/**
 * The publisher app: one producer of the point's client library (src/client/seam.ts), paced by
 * the schedule in pacing.ts (by default one request in flight, so the log keeps send order). It
 * numbers its messages per partition it writes, so subscribers can tell reordering within a
 * partition's log from partitions interleaving. Several publishers each have their own id and
 * sequence spaces. The producer is replaced when a point changes what it was made with.
 */
export class PublisherApp implements AppInstance<PubCommands> {
  private producer: ProducerClient | null = null;
  private producerShape: ProducerShape | null = null;
  private connected: Promise<void> = Promise.resolve();
  private config: PubConfig | null = null;
  private state: TestState = 'idle';
  private stopRequested = false;
  /** Stops a window the producer publishes itself (WindowPublisher); null when none runs. */
  private stopWindow: (() => void) | null = null;
  private run: Promise<void> | null = null;
  private stats: PubStats = emptyPubStats();
  private error: string | null = null;
  /** Every producer this app makes is timed into it: the produce requests' round trips and throttles. */
  private readonly produceRequests = new RequestRecorder();

  constructor(private readonly spec: AppSpec) {}

  /** A producer made with `shape`, connecting; the current one is kept when it was made the same. */
  private async useProducer(cfg: PubConfig): Promise<void> {
    const shape: ProducerShape = cfg.producer;
    const same = this.producerShape !== null && JSON.stringify(this.producerShape) === JSON.stringify(shape);
    if (same && this.producer) return;
    const old = this.producer;
    this.producer = null;
    if (old) await old.disconnect().catch((err: unknown) => log(this.spec, `producer disconnect: ${String(err)}`));
    const producer = clientLibrary(shape.client_library).producer(this.spec, shape, this.produceRequests);
    this.producer = producer;
    this.producerShape = shape;
    this.connected = producer.connect();
    // Surface a failed connect in teststart, not as an unhandled rejection.
    this.connected.catch((err: unknown) => log(this.spec, `producer connect failed: ${String(err)}`));
  }

  register(server: ControlServer<PubCommands>): void {
    server
      .on('ping', () => ({ pong: true, kind: 'pub', name: this.spec.name, pid: process.pid }))
      .on('updateconfig', async (args) => {
        if (this.state === 'running') throw new StateError('cannot update config while a test is running');
        const config = parsePubConfig(args);
        await this.useProducer(config);
        this.config = config;
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
      .on('teststart', async (args) => {
        const { start_at_ms: startAt } = parseTestStart(args);
        if (!this.config) throw new StateError('no config: send updateconfig first');
        if (this.state === 'running') throw new StateError('test already running');
        const delay = startAt === undefined ? 0 : startAt - nowMs();
        if (delay > MAX_START_DELAY_MS)
          throw new ArgsError(`start_at_ms is ${Math.round(delay)} ms ahead of this host's clock (at most ${MAX_START_DELAY_MS})`);
        await this.connected;
        this.stopRequested = false;
        this.state = 'running';
        const cfg = this.config;
        // Publishers given one start time begin together, so their windows line up.
        this.run = sleep(Math.max(0, startAt === undefined ? 0 : startAt - nowMs()))
          .then(() => this.publish(cfg))
          .then(
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
        this.stopWindow?.();
        await this.run;
        return this.status();
      })
      .on('teststatus', () => this.status())
      .on('getstats', () => this.stats);
  }

  private status(): PubStatus {
    return { state: this.state, msg_cnt: this.stats.msg_cnt, error: this.error };
  }

  /**
   * Publishes the warm-up (if any) and then the measured window. Warm-up messages carry another
   * epoch, so subscribers do not count them, and a sequence space of their own; the measured
   * window's CPU, network and telemetry start when its first message is due. The pacing loop runs
   * here, or in the producer when it publishes whole windows itself (the native client).
   */
  private async publish(cfg: PubConfig): Promise<void> {
    const stats = emptyPubStats();
    this.stats = stats;
    const telemetry = new TelemetryWindow();
    const startMeasuring = (): void => {
      stats['cpu:start'] = cpuTimes();
      stats['net:start'] = netBytes();
      telemetry.start();
      this.produceRequests.reset();
    };
    if (cfg.warmup <= 0) startMeasuring();
    const producer = this.producer;
    if (!producer) throw new Error('no producer: send updateconfig first');
    const pacing: WindowPacing = {
      msg_rate: cfg.msg_rate,
      msg_batch: cfg.msg_batch,
      test_duration: cfg.warmup + cfg.test_duration,
      // The client says how many sends it takes at once (kafkajs: requests in flight; librdkafka queues them).
      max_in_flight: producer.outstanding,
      linger_ms: producer.lingers ? 0 : cfg.producer.linger_ms,
      request_max_messages: requestMaxMessages(cfg.producer.batch_bytes, cfg.msg_size),
    };
    let outcome: WindowOutcome;
    if (producer.window) {
      const window = producer.window;
      this.stopWindow = () => window.stop();
      // teststop may have come while the publisher waited for its start time.
      if (this.stopRequested) window.stop();
      try {
        const placement: WindowPlacement = {
          warmupEpoch: warmupEpochOf(cfg.epoch),
          keyPartitions: cfg.keys === 'none' ? null : keyPartitionTable(cfg.partitions.length, cfg.key_count, keyPartitioner(cfg.partitions.length)),
        };
        outcome = await window.publish(cfg, pacing, placement, () => {
          if (cfg.warmup > 0) startMeasuring();
        });
      } finally {
        this.stopWindow = null;
      }
    } else {
      outcome = await this.paceHere(cfg, pacing, producer, () => {
        if (cfg.warmup > 0) startMeasuring();
      });
    }
    stats['cpu:end'] = cpuTimes();
    stats['net:end'] = netBytes();
    stats.rss_bytes = process.memoryUsage().rss;
    stats.msg_cnt = outcome.msgCnt;
    stats.send_errors = outcome.sendErrors;
    stats.last_error = outcome.lastError;
    stats.broker_wait_ms = outcome.brokerWaitMs;
    stats.requests = outcome.requests;
    if (outcome.msgCntByTopic) stats.msg_cnt_by_topic = outcome.msgCntByTopic;
    if (outcome.publishDelay) stats.publish_delay = outcome.publishDelay;
    stats.telemetry = telemetry.read();
    telemetry.close();
    stats.send_rtt = outcome.sendRtt;
    stats.produce = this.produceRequests.read();
    stats.pending_max = outcome.pendingMax;
    const windowStart = outcome.measuredFromMs ?? outcome.endMs;
    const windowS = publishWindowS(windowStart, outcome.endMs, stats.msg_cnt, cfg.msg_rate);
    stats['time:start'] = windowStart / 1000;
    stats['time:end'] = stats['time:start'] + windowS;
    stats.rate = stats.msg_cnt / windowS;
    if (stats.msg_cnt === 0 && stats.send_errors > 0) throw new Error(`every send failed: ${stats.last_error ?? 'unknown error'}`);
  }

  /** The pacing loop run here: each batch built in JavaScript and sent through the producer's send(). */
  private async paceHere(cfg: PubConfig, pacing: WindowPacing, producer: ProducerClient, measuring: () => void): Promise<WindowOutcome> {
    const warmupEpoch = warmupEpochOf(cfg.epoch);
    let measuredFrom: number | null = null;
    let msgCnt = 0;
    let sendErrors = 0;
    let lastError: string | null = null;
    let brokerWaitMs = 0;
    const sendRtt = new LatencyHistogram();
    const publishDelay = new LatencyHistogram();
    const builder = new MessageBuilder(cfg.msg_size, cfg.payload_random_pct, cfg.payload === undefined ? null : Buffer.from(cfg.payload, 'base64'));
    // Warm-up messages and measured ones number their partitions' messages separately.
    const keys = { mode: cfg.keys, count: cfg.key_count };
    const partitionOfKey = keyPartitioner(cfg.partitions.length);
    const picker = (): PartitionPicker => new PartitionPicker(cfg.partitions, keys, partitionOfKey);
    const topicCount = cfg.topics.length;
    const measuredSlots = new TopicPicker(topicCount, picker);
    const warmupSlots = new TopicPicker(topicCount, picker);
    // With several topics, what each topic's readers can get: its acknowledged messages.
    const byTopic = topicCount > 1 ? new Array<number>(topicCount).fill(0) : null;
    const outcome = await runSchedule<Message>(pacing, {
      now: nowMs,
      sleep,
      message: (_seq, dueMs, sentMs, sinceStartMs) => {
        const measured = sinceStartMs >= cfg.warmup * 1000;
        if (measured && measuredFrom === null) {
          measuredFrom = dueMs;
          measuring();
        }
        if (measured) publishDelay.record((sentMs - dueMs) * 1000);
        // Each (publisher, partition) numbers its messages 0, 1, 2, ...: the sequence subscribers track.
        const slot = (measured ? measuredSlots : warmupSlots).pick();
        const m = { seq: slot.seq, pubId: cfg.pub_id, epoch: measured ? cfg.epoch : warmupEpoch, intendedMs: dueMs, sentMs };
        return { value: builder.build(m, cfg.t0_ms), key: slot.key, topic: slot.topic, partition: slot.partition, measured };
      },
      send: (messages) => {
        const measured = messages.filter((m) => m.measured).length;
        const sentAt = performance.now();
        return producer.send({ topics: cfg.topics, messages }).then(
          () => {
            msgCnt += measured;
            if (byTopic) for (const m of messages) if (m.measured) byTopic[m.topic] = (byTopic[m.topic] as number) + 1;
            if (measured > 0) sendRtt.record((performance.now() - sentAt) * 1000);
          },
          (err: unknown) => {
            sendErrors += messages.length;
            lastError = errorMessage(err);
          },
        );
      },
      stopRequested: () => this.stopRequested,
      // Only the measuring window's waits count: the warm-up is not judged.
      brokerWait: (fromMs, toMs) => {
        if (measuredFrom !== null) brokerWaitMs += Math.max(0, toMs - Math.max(fromMs, measuredFrom));
      },
    });
    return {
      startMs: outcome.startMs,
      endMs: outcome.endMs,
      measuredFromMs: measuredFrom,
      generated: outcome.generated,
      requests: outcome.requests,
      pendingMax: outcome.pendingMax,
      msgCnt,
      sendErrors,
      lastError,
      brokerWaitMs,
      sendRtt: sendRtt.toJSON(),
      publishDelay: publishDelay.toJSON(),
      ...(byTopic ? { msgCntByTopic: byTopic } : {}),
    };
  }

  async shutdown(): Promise<void> {
    this.stopRequested = true;
    await this.run;
    await this.producer?.disconnect();
  }
}

/** Warm-up messages carry this epoch: another point's to the subscribers, so not counted. */
export function warmupEpochOf(epoch: number): number {
  return (epoch + 0x8000) & 0xffff;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) void startApp((spec) => new PublisherApp(spec));
