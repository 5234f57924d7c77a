import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { SubCommands } from '../control/protocol';
import type { ControlServer } from '../control/server';
import type { AppSpec, ClientStats, SubConfig, SubStats, SubStatus } from '../control/wire';
import { LatencyHistogram } from '../stats/histogram';
import { SequenceTracker } from '../stats/sequence';
import { log, startApp, type AppInstance } from './bootstrap';
import { parseSubConfig } from './config';
import { makeKafka } from './kafka';
import { TelemetryWindow } from './telemetry';
import { decodeMessage, nowMs } from './message';

/** Accumulates one client's receive statistics; replaced wholesale by resetstats. */
class ClientAccumulator {
  msgCnt = 0;
  firstMs: number | null = null;
  lastMs: number | null = null;
  malformed = 0;
  /** Messages of another point (another epoch): not counted. */
  stale = 0;
  readonly sequence = new SequenceTracker();
  /** From the actual send time. */
  readonly latency = new LatencyHistogram();
  /** From the intended send time (no coordinated omission). */
  readonly latencyIntended = new LatencyHistogram();
  /** Per partition, the offset after the last message received: the client's position, for lag. */
  readonly nextOffsets: Record<string, number> = {};

  constructor(private readonly cfg: { t0_ms: number; epoch: number }) {}

  receive(value: Buffer | null, partition: number, offset: string, atMs: number): void {
    const next = Number(offset) + 1;
    if (next > (this.nextOffsets[partition] ?? 0)) this.nextOffsets[partition] = next;
    const decoded = value ? decodeMessage(value, this.cfg.t0_ms) : null;
    if (decoded && decoded.epoch !== this.cfg.epoch) {
      this.stale++;
      return;
    }
    this.msgCnt++;
    if (this.firstMs === null) this.firstMs = atMs;
    this.lastMs = atMs;
    if (!decoded) {
      this.malformed++;
      return;
    }
    this.sequence.record(decoded.seq);
    this.latency.record((atMs - decoded.sentMs) * 1000);
    this.latencyIntended.record((atMs - decoded.intendedMs) * 1000);
  }
}

interface Client {
  id: string;
  consumer: Consumer;
  acc: ClientAccumulator;
  joined: boolean;
  positioned: boolean;
  errors: string[];
}

/**
 * A sub app: `clients_per_app` kafkajs consumers, each in its own consumer group so each gets the
 * full stream (HYDRA's semantics). A new topic (updateconfig) replaces the consumers, because a
 * kafkajs consumer cannot change its subscription while running.
 */
export class SubscriberApp implements AppInstance<SubCommands> {
  private clients: Client[] = [];
  private config: SubConfig | null = null;
  private readonly kafka;
  private readonly telemetry = new TelemetryWindow();

  constructor(private readonly spec: AppSpec) {
    this.kafka = makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`);
  }

  register(server: ControlServer<SubCommands>): void {
    server
      .on('ping', () => ({ pong: true, kind: 'sub', name: this.spec.name, pid: process.pid }))
      .on('updateconfig', async (args) => {
        const cfg = parseSubConfig(args);
        await this.stopClients();
        this.config = cfg;
        // In parallel: starting a consumer waits for its group join (seconds on the embedded broker).
        this.clients = await Promise.all(Array.from({ length: cfg.clients_per_app }, (_, i) => this.startClient(cfg, i)));
        return { clients: this.clients.length };
      })
      .on('resetstats', () => {
        const cfg = this.config;
        if (cfg) for (const c of this.clients) c.acc = new ClientAccumulator(cfg);
        this.telemetry.start();
        return null;
      })
      .on('teststart', () => ({ started: true }))
      .on('teststop', () => this.status())
      .on('teststatus', () => this.status())
      .on('getstats', (): SubStats => ({ app: this.spec.name, pid: process.pid, clients: this.clients.map(clientStats), telemetry: this.telemetry.read() }));
  }

  private status(): SubStatus {
    return {
      topic: this.config?.topic ?? null,
      clients: this.clients.length,
      joined: this.clients.filter((c) => c.joined).length,
      positioned: this.clients.filter((c) => c.positioned).length,
      unique: this.clients.map((c) => c.acc.sequence.summary().unique),
      errors: this.clients.flatMap((c) => c.errors.map((e) => `${c.id}: ${e}`)),
    };
  }

  private async startClient(cfg: SubConfig, index: number): Promise<Client> {
    const id = `${this.spec.name}-c${index}`;
    const unbounded = cfg.consumer_max_buffer_size === 0;
    const consumer = this.kafka.consumer({
      groupId: `${cfg.group_prefix}-${id}`,
      maxWaitTimeInMs: cfg.consumer_max_wait_ms,
      ...(unbounded ? {} : { maxBytes: cfg.consumer_max_buffer_size, maxBytesPerPartition: cfg.consumer_max_buffer_size }),
      allowAutoTopicCreation: true,
    });
    const client: Client = { id, consumer, acc: new ClientAccumulator(cfg), joined: false, positioned: false, errors: [] };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      client.joined = true;
    });
    // Joined is not enough: the first completed fetch after the join means offsets are resolved.
    consumer.on(consumer.events.FETCH, () => {
      if (client.joined) client.positioned = true;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      client.errors.push(String(e.payload.error));
      log(this.spec, `${id} crashed: ${String(e.payload.error)}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }: EachBatchPayload) => {
        const at = nowMs();
        // Read through client.acc each time: resetstats swaps the accumulator.
        const acc = client.acc;
        for (const message of batch.messages) acc.receive(message.value, batch.partition, message.offset, at);
      },
    });
    return client;
  }

  private async stopClients(): Promise<void> {
    const old = this.clients;
    this.clients = [];
    await Promise.all(old.map((c) => c.consumer.disconnect().catch((err: unknown) => log(this.spec, `${c.id} disconnect: ${String(err)}`))));
  }

  async shutdown(): Promise<void> {
    await this.stopClients();
  }
}

export function clientStats(c: { id: string; acc: ClientAccumulator; errors: string[] }): ClientStats {
  const { acc } = c;
  const spanS = acc.firstMs !== null && acc.lastMs !== null ? (acc.lastMs - acc.firstMs) / 1000 : 0;
  return {
    client_id: c.id,
    msg_cnt: acc.msgCnt,
    first_ms: acc.firstMs,
    last_ms: acc.lastMs,
    rate: spanS > 0 ? acc.msgCnt / spanS : 0,
    ...acc.sequence.summary(),
    latency: acc.latency.toJSON(),
    latency_intended: acc.latencyIntended.toJSON(),
    next_offsets: { ...acc.nextOffsets },
    stale: acc.stale,
    malformed: acc.malformed,
    errors: c.errors.length,
  };
}

if (require.main === module) void startApp((spec) => new SubscriberApp(spec));
