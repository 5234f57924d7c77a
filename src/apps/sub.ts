import { KNOBS } from '../config/options';
import { clientLibrary, RequestRecorder, type ClientBooks, type ConsumerClient } from '../client';
import type { SubCommands } from '../control/protocol';
import type { ControlServer } from '../control/server';
import type { AppSpec, ClientStats, ConsumerKnobs, ResetStatsArgs, SubConfig, SubStats, SubStatus } from '../control/wire';
import { ArgsError } from '../errors';
import { log, startApp, type AppInstance } from './bootstrap';
import { parseSubConfig } from './config';
import { TelemetryWindow } from './telemetry';
import { nowMs } from './message';
import { JsBooks } from './books';
import { sharedGroupOfTopic, topicOfClient } from './topics';

interface Client {
  id: string;
  /** The index of the topic it reads (in the config's topics). */
  topic: number;
  consumer: ConsumerClient;
  /** Its receive bookkeeping: the consumer's own (native), or kept here from its batches. */
  books: ClientBooks;
  joined: boolean;
  positioned: boolean;
  /** Why the consumer stopped for good (its client will not restart it); null while it runs. */
  dead: string | null;
  /** Partitions of the topic assigned at the last group join; null while rebalancing (or before the first join). */
  assigned: number[] | null;
  /** Group joins so far, and at the start of the point's counting: a join inside the window is a rebalance. */
  joins: number;
  joinsAtReset: number;
  /** Rebalances since the reset: [began, joined again] epoch ms; recorded for a point's timeline. */
  rebalances: [number, number | null][];
  errors: string[];
}

/** The point's consumer knobs, as the sub app's config carries them. */
function knobsOfConfig(cfg: SubConfig): ConsumerKnobs {
  return Object.fromEntries(KNOBS.consumer.map((key) => [key, cfg[key]])) as ConsumerKnobs;
}

/** Settings a running consumer cannot change (its library, every consumer knob, its topic and group): a difference means new consumers. */
const CONSUMER_FIXED = ['client_library', ...KNOBS.consumer, 'group_prefix', 'start_at', 'shared_group'] as const satisfies readonly (keyof SubConfig)[];

function sameConsumers(a: SubConfig, b: SubConfig): boolean {
  // The topics (and, with several, which one each client reads) too: a consumer cannot change its subscription.
  const topicsOf = (c: SubConfig): string => JSON.stringify(c.topics.length === 1 ? c.topics : [c.topics, c.first_client]);
  return CONSUMER_FIXED.every((key) => a[key] === b[key]) && topicsOf(a) === topicsOf(b);
}

/**
 * A sub app: `clients_per_app` kafkajs consumers, each in its own consumer group so each gets the
 * full stream (HYDRA's semantics), or all in the point's one shared group (a queue: each message
 * goes to the one client that owns its partition). Consumers stay joined from point to point while the topic and
 * their settings stay the same (a point's epoch tells its messages apart); only the clients the
 * point adds join. Another topic or consumer setting replaces them, because a kafkajs consumer
 * cannot change its subscription or fetch settings while running.
 */
export class SubscriberApp implements AppInstance<SubCommands> {
  private clients: Client[] = [];
  private config: SubConfig | null = null;
  private readonly telemetry = new TelemetryWindow();
  /** Every consumer's fetches: how long the broker took to answer them, and any throttle. */
  private readonly fetches = new RequestRecorder();
  /** Consumers created by this app: part of each group id, so a group is never reused (its committed offsets would be stale). */
  private created = 0;

  constructor(private readonly spec: AppSpec) {}

  register(server: ControlServer<SubCommands>): void {
    server
      .on('ping', () => ({ pong: true, kind: 'sub', name: this.spec.name, pid: process.pid }))
      .on('updateconfig', async (args) => {
        const cfg = parseSubConfig(args);
        const keep = this.config !== null && sameConsumers(this.config, cfg);
        if (!keep) await this.stopClients(this.clients);
        else if (this.clients.length > cfg.clients_per_app) await this.stopClients(this.clients.slice(cfg.clients_per_app));
        this.config = cfg;
        // From here messages of an earlier point are stale, including those still in flight to kept consumers.
        // A kept consumer counts as positioned again only after its next fetch: one that died between
        // points then holds the join wait up (a harness fault, named) instead of showing as Kafka loss.
        for (const c of this.clients) {
          c.books.reset(cfg, null);
          c.positioned = false;
          c.joinsAtReset = c.joins;
        }
        // In parallel: starting a consumer waits for its group join (seconds on the embedded broker).
        const added = await Promise.all(
          Array.from({ length: cfg.clients_per_app - this.clients.length }, (_, i) => this.startClient(cfg, this.clients.length + i)),
        );
        this.clients.push(...added);
        return { clients: this.clients.length, joined_now: added.length };
      })
      .on('resetstats', (args) => {
        const cfg = this.config;
        const window = parseResetStats(args).timeline;
        if (cfg)
          for (const c of this.clients) {
            c.books.reset(cfg, window ? { start_ms: nowMs(), ...window } : null);
            c.joinsAtReset = c.joins;
            c.rebalances = [];
          }
        this.telemetry.start();
        this.fetches.reset();
        return null;
      })
      .on('teststart', () => ({ started: true }))
      .on('teststop', () => this.status())
      .on('teststatus', () => this.status())
      .on('getstats', (): SubStats => ({
        app: this.spec.name,
        pid: process.pid,
        // With several topics each client says which one it read: its figures are that topic's.
        clients: this.clients.map((c) => (this.config && this.config.topics.length > 1 ? { ...clientStats(c), topic: c.topic } : clientStats(c))),
        telemetry: this.telemetry.read(),
        fetch: this.fetches.read(),
      }));
  }

  private status(): SubStatus {
    return {
      topic: this.config?.topics[0] ?? null,
      ...(this.config && this.config.topics.length > 1 ? { client_topics: this.clients.map((c) => c.topic) } : {}),
      clients: this.clients.length,
      joined: this.clients.filter((c) => c.joined).length,
      positioned: this.clients.filter((c) => c.positioned).length,
      dead: this.clients.flatMap((c) => (c.dead === null ? [] : [`${c.id}: ${c.dead}`])),
      assigned: this.clients.map((c) => c.assigned),
      unique: this.clients.map((c) => c.books.unique()),
      errors: this.clients.flatMap((c) => c.errors.map((e) => `${c.id}: ${e}`)),
    };
  }

  private async startClient(cfg: SubConfig, index: number): Promise<Client> {
    const id = `${this.spec.name}-c${index}`;
    const serial = this.created++;
    // The consumer is made before the client record it reports into: its events find it through this.
    const record: { client?: Client } = {};
    // Kept here unless the consumer keeps its own (then it hands over no batches).
    const jsBooks = new JsBooks(cfg);
    const topic = topicOfClient(cfg.first_client + index, cfg.topics.length);
    const consumer = clientLibrary(cfg.client_library).consumer(
      this.spec,
      {
        ...knobsOfConfig(cfg),
        groupId: cfg.shared_group !== null ? sharedGroupOfTopic(cfg.shared_group, topic, cfg.topics.length) : `${cfg.group_prefix}-${id}-${serial}`,
        topic: cfg.topics[topic] as string,
        startAt: cfg.start_at,
      },
      {
        joined: (partitions) => {
          const client = record.client as Client;
          client.joined = true;
          client.joins++;
          client.assigned = partitions;
          const open = client.rebalances[client.rebalances.length - 1];
          if (open && open[1] === null) open[1] = nowMs();
        },
        // A member of a shared group being reassigned: its partitions are unknown until it has joined again.
        rebalancing: () => {
          const client = record.client as Client;
          client.assigned = null;
          const last = client.rebalances[client.rebalances.length - 1];
          if (!last || last[1] !== null) client.rebalances.push([nowMs(), null]);
        },
        // Joined is not enough: the first completed fetch after the join means offsets are resolved.
        fetched: () => {
          const client = record.client as Client;
          if (client.joined) client.positioned = true;
        },
        batch: (partition, values, firstOffset, lastOffset) => jsBooks.batch(partition, values, firstOffset, lastOffset, nowMs()),
        failed: (error, permanent) => {
          const client = record.client as Client;
          client.errors.push(error);
          if (permanent) client.dead = error;
          log(this.spec, `${id} failed${permanent ? ' for good' : ''}: ${error}`);
        },
      },
      this.fetches,
    );
    const books = consumer.books ?? jsBooks;
    books.reset(cfg, null);
    const client: Client = {
      id,
      topic,
      consumer,
      books,
      joined: false,
      positioned: false,
      dead: null,
      assigned: null,
      joins: 0,
      joinsAtReset: 0,
      rebalances: [],
      errors: [],
    };
    record.client = client;
    await consumer.start();
    return client;
  }

  private async stopClients(which: readonly Client[]): Promise<void> {
    const leaving = new Set(which);
    this.clients = this.clients.filter((c) => !leaving.has(c));
    await Promise.all(which.map((c) => c.consumer.stop().catch((err: unknown) => log(this.spec, `${c.id} disconnect: ${String(err)}`))));
  }

  async shutdown(): Promise<void> {
    await this.stopClients(this.clients);
    this.telemetry.close();
  }
}

/** resetstats' arguments: a timeline's bucket and the fault's span, when the point has planned faults. */
function parseResetStats(args: unknown): ResetStatsArgs {
  const t = (args as ResetStatsArgs | undefined)?.timeline;
  if (t === undefined) return {};
  const ok = [t.bucket_ms, t.from_ms, t.to_ms].every((v) => typeof v === 'number' && Number.isFinite(v)) && t.bucket_ms >= 10;
  if (!ok) throw new ArgsError('resetstats: timeline needs bucket_ms (at least 10), from_ms and to_ms');
  return { timeline: { bucket_ms: t.bucket_ms, from_ms: t.from_ms, to_ms: t.to_ms } };
}

/** A client's statistics: its books' snapshot, and what the sub app knows of its group. */
export function clientStats(c: Pick<Client, 'id' | 'books' | 'errors' | 'joins' | 'joinsAtReset' | 'rebalances' | 'assigned'>): ClientStats {
  const books = c.books.snapshot();
  const spanS = books.first_ms !== null && books.last_ms !== null ? (books.last_ms - books.first_ms) / 1000 : 0;
  return {
    client_id: c.id,
    msg_cnt: books.msg_cnt,
    first_ms: books.first_ms,
    last_ms: books.last_ms,
    rate: spanS > 0 ? books.msg_cnt / spanS : 0,
    ...books.sequences,
    latency: books.latency,
    latency_intended: books.latency_intended,
    next_offsets: books.next_offsets,
    stale: books.stale,
    skipped: books.skipped,
    malformed: books.malformed,
    errors: c.errors.length,
    rejoins: c.joins - c.joinsAtReset,
    ...(books.timeline ? { timeline: { ...books.timeline, rebalances: c.rebalances.map(([a, b]) => [a, b]), assigned: c.assigned } } : {}),
  };
}

if (require.main === module) void startApp((spec) => new SubscriberApp(spec));
