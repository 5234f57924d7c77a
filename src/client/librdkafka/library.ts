import type { RequestRecorder } from '../requests';
import {
  type ClientLibrary,
  type ConsumerClient,
  type ConsumerEvents,
  type ConsumerSettings,
  type ProduceRequest,
  type ProducerClient,
  type ProducerShape,
} from '../seam';
import type { AppSpec } from '../../control/wire';
import {
  RD_ERR_ASSIGN_PARTITIONS,
  RD_ERR_QUEUE_FULL,
  RD_ERR_REVOKE_PARTITIONS,
  RD_OFFSET_BEGINNING,
  type RdError,
  type RdKafkaConsumer,
  type RdMessage,
  type RdModule,
  type RdProducer,
  type RdTopicPartition,
} from './api';
import { CLIENT_LIBRARY_REGISTRY } from '../registry';
import { loadLibrdkafka } from './load';
import { consumerProperties, outstandingSends, producerProperties } from './settings';
import { StatisticsReader } from './statistics';

/** How often the producer serves delivery reports, ms: a send resolves at most this long after its last ack. */
const DELIVERY_POLL_MS = 5;

/** Most messages one consume() call takes. */
const CONSUME_MAX = 1000;

/**
 * A consumer reads when librdkafka says its queue has messages; after this much time without a
 * read it reads anyway, ms, which also serves its rebalance events. (Reading on a fixed beat
 * instead cost 10 % more CPU at 10 consumers per app × 1 000 msg/s.)
 */
const IDLE_READ_MS = 100;

/** How long a consumer waits for its committed offsets or a partition's end when it is assigned, ms. */
const OFFSET_QUERY_MS = 10_000;

function rdError(err: RdError | Error): Error {
  return err instanceof Error ? err : new Error(`${err.message} (librdkafka error ${err.code})`);
}

/** The messages of one send(): it settles when every one has its delivery report. */
export class Delivery {
  private remaining: number;
  private firstError: Error | null = null;
  readonly settled: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: Error) => void;

  constructor(count: number) {
    this.remaining = count;
    this.settled = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (count === 0) this.resolve();
  }

  report(err: Error | null, count = 1): void {
    if (err && !this.firstError) this.firstError = err;
    this.remaining -= count;
    if (this.remaining > 0) return;
    if (this.firstError) this.reject(this.firstError);
    else this.resolve();
  }
}

/**
 * The sends waiting for delivery reports on one partition, oldest first, as runs of messages.
 * librdkafka keeps a partition's messages in produce order through batching and retries (its
 * partition queue; idempotence enforces it on the wire) and reports them in that order, so the
 * next report of a partition is its oldest unreported message. Matching reports so, rather than
 * by an opaque per message, saves the binding a persistent reference per message: 1.5× the
 * messages per CPU-second (290 000 against 190 000 in a produce loop on the embedded broker).
 */
export class PartitionDeliveries {
  private runs: { delivery: Delivery; count: number }[] = [];
  private head = 0;

  add(delivery: Delivery): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.delivery === delivery && this.runs.length > this.head) last.count++;
    else this.runs.push({ delivery, count: 1 });
  }

  /** The report of the oldest unreported message; false when none is waiting. */
  report(err: Error | null): boolean {
    const run = this.runs[this.head];
    if (!run) return false;
    run.delivery.report(err);
    if (--run.count === 0) {
      this.head++;
      // Drop reported runs now and then rather than shifting the array on every report.
      if (this.head >= 1024 || this.head === this.runs.length) {
        this.runs = this.runs.slice(this.head);
        this.head = 0;
      }
    }
    return true;
  }
}

/**
 * A librdkafka producer (native API) behind the seam. Each message is produced to its partition
 * and counted in that partition's deliveries; one delivery report per message settles its send.
 * Request round trips, queue waits and timeouts come from librdkafka's statistics; throttles
 * from its throttle events.
 */
export class LibrdkafkaProducer implements ProducerClient {
  readonly outstanding: number;
  readonly lingers = CLIENT_LIBRARY_REGISTRY.librdkafka.lingersItself;
  private readonly producer: RdProducer;
  /** Sends waiting for room in librdkafka's queue (it was full): woken by the next delivery report. */
  private roomWaiters: (() => void)[] = [];
  /** By topic and partition (`<topic>/<partition>`): librdkafka reports a partition's messages in order. */
  private readonly deliveries = new Map<string, PartitionDeliveries>();
  private fatal: Error | null = null;
  /** The sends still handing their messages to librdkafka, chained: one at a time, in send order. */
  private handing: Promise<void> = Promise.resolve();

  constructor(rd: RdModule, spec: AppSpec, shape: ProducerShape, requests: RequestRecorder) {
    this.outstanding = outstandingSends(shape.linger_ms);
    // One report per message: a send resolves when each of its messages has one.
    this.producer = new rd.Producer({ ...producerProperties(spec, shape), dr_cb: true });
    const statistics = new StatisticsReader(requests);
    this.producer.on('delivery-report', (err, report) => {
      this.deliveries.get(`${report.topic}/${report.partition}`)?.report(err ? rdError(err) : null);
      this.wakeWaiters();
    });
    this.producer.on('event.stats', (s) => statistics.read(s.message));
    this.producer.on('event.throttle', (e) => requests.throttle(e.throttleTime));
    // A fatal error (the idempotent producer lost its sequence, say) ends this producer: later sends fail with it.
    this.producer.on('event.error', (err) => {
      if (err.isFatal) this.fatal = rdError(err);
    });
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.producer.connect({}, (err) => {
        if (err) return reject(rdError(err));
        this.producer.setPollInterval(DELIVERY_POLL_MS);
        resolve();
      });
    });
  }

  send(request: ProduceRequest): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    const delivery = new Delivery(request.messages.length);
    // A send waiting for room in a full queue must not be overtaken by a later one: that would
    // reorder the partition's messages. So sends hand over their messages one after another.
    this.handing = this.handing.then(() => this.handOver(request, delivery));
    return delivery.settled;
  }

  /** Produces each message of `request` into librdkafka's queue, waiting for room when it is full; never rejects. */
  private async handOver(request: ProduceRequest, delivery: Delivery): Promise<void> {
    for (let i = 0; i < request.messages.length; i++) {
      const m = request.messages[i] as ProduceRequest['messages'][number];
      for (;;) {
        try {
          const topic = request.topics[m.topic] as string;
          this.producer.produce(topic, m.partition, m.value, m.key, null);
          const place = `${topic}/${m.partition}`;
          let partition = this.deliveries.get(place);
          if (!partition) this.deliveries.set(place, (partition = new PartitionDeliveries()));
          partition.add(delivery);
          break;
        } catch (err) {
          if ((err as RdError).code !== RD_ERR_QUEUE_FULL) {
            // Not queued: this and the rest of the send fail with it.
            delivery.report(rdError(err as RdError), request.messages.length - i);
            return;
          }
          // librdkafka's queue is full: the broker has not acknowledged enough yet. Wait for a report.
          await new Promise<void>((wake) => {
            this.roomWaiters.push(wake);
            setTimeout(wake, DELIVERY_POLL_MS * 4);
          });
        }
      }
    }
  }

  disconnect(): Promise<void> {
    this.wakeWaiters();
    return new Promise((resolve) => {
      // Deliver what is queued (bounded), then leave; a broker that is gone does not hold the app up.
      this.producer.flush(5000, () => this.producer.disconnect(() => resolve()));
    });
  }
}

/**
 * A librdkafka consumer (native API) behind the seam. It reads when librdkafka reports messages
 * queued (and every IDLE_READ_MS), so no thread of Node's pool waits in it. On each assignment it
 * starts each partition explicitly: at the group's committed offset, else the partition's end
 * (`latest`, queried now: a message published after the join is not skipped) or its beginning.
 */
class LibrdkafkaConsumer implements ConsumerClient {
  private readonly consumer: RdKafkaConsumer;
  private running = false;
  private reading = false;
  private readAgain = false;
  private assigned = false;
  /** Bumped by every rebalance: an assignment still resolving its offsets when the next one comes is dropped. */
  private generation = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastReadMs = 0;

  constructor(
    rd: RdModule,
    spec: AppSpec,
    private readonly settings: ConsumerSettings,
    private readonly events: ConsumerEvents,
    fetches: RequestRecorder,
  ) {
    this.consumer = new rd.KafkaConsumer(
      {
        ...consumerProperties(spec, settings),
        rebalance_cb: (err: RdError, assignment: RdTopicPartition[]) => this.rebalance(err, assignment),
        // The binding's hook for "messages are queued" (what its own KafkaJS layer reads by).
        queue_non_empty_cb: () => this.read(),
      },
      {},
    );
    const statistics = new StatisticsReader(fetches);
    this.consumer.on('event.stats', (s) => statistics.read(s.message));
    this.consumer.on('event.throttle', (e) => fetches.throttle(e.throttleTime));
    this.consumer.on('event.error', (err) => this.events.failed(rdError(err).message, err.isFatal === true));
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.consumer.connect({}, (err) => {
        if (err) return reject(rdError(err));
        this.consumer.setDefaultConsumeTimeout(0);
        this.consumer.subscribe([this.settings.topic]);
        this.running = true;
        this.idleTimer = setInterval(() => {
          if (performance.now() - this.lastReadMs >= IDLE_READ_MS) this.read();
        }, IDLE_READ_MS / 2);
        this.read();
        resolve();
      });
    });
  }

  private rebalance(err: RdError, assignment: RdTopicPartition[]): void {
    const generation = ++this.generation;
    if (err.code === RD_ERR_ASSIGN_PARTITIONS) {
      void this.assign(assignment, generation);
    } else if (err.code === RD_ERR_REVOKE_PARTITIONS) {
      this.assigned = false;
      this.events.rebalancing();
      this.consumer.unassign();
    } else {
      this.events.failed(rdError(err).message, false);
    }
  }

  private async assign(assignment: RdTopicPartition[], generation: number): Promise<void> {
    let start: RdTopicPartition[];
    let fromEnd: RdTopicPartition[] = [];
    try {
      ({ start, fromEnd } = await this.startOffsets(assignment));
    } catch (err) {
      // Without explicit offsets librdkafka starts at the committed offset or auto.offset.reset.
      this.events.failed(`could not resolve start offsets: ${(err as Error).message}`, false);
      start = assignment;
    }
    if (generation !== this.generation || !this.running) return;
    // A start taken from the partition's end is the group's at once: a member that takes the
    // partition over before the first auto commit starts here too, not at a later end (no loss).
    if (fromEnd.length > 0) this.consumer.commit(fromEnd);
    this.consumer.assign(start);
    this.assigned = true;
    this.events.joined(assignment.filter((tp) => tp.topic === this.settings.topic).map((tp) => tp.partition));
    this.read();
  }

  /**
   * Each partition's start: the committed offset, else the end (latest) or the beginning (earliest);
   * `fromEnd` holds the starts taken from the end.
   */
  private async startOffsets(assignment: RdTopicPartition[]): Promise<{ start: RdTopicPartition[]; fromEnd: RdTopicPartition[] }> {
    if (assignment.length === 0) return { start: [], fromEnd: [] };
    const committed = await new Promise<RdTopicPartition[]>((resolve, reject) =>
      this.consumer.committed(assignment, OFFSET_QUERY_MS, (err, tps) => (err ? reject(rdError(err)) : resolve(tps))),
    );
    const fromEnd: RdTopicPartition[] = [];
    const start = await Promise.all(
      assignment.map(async ({ topic, partition }): Promise<RdTopicPartition> => {
        const offset = committed.find((c) => c.topic === topic && c.partition === partition)?.offset;
        if (offset !== undefined && offset >= 0) return { topic, partition, offset };
        if (this.settings.startAt === 'earliest') return { topic, partition, offset: RD_OFFSET_BEGINNING };
        const end = await new Promise<number>((resolve, reject) =>
          this.consumer.queryWatermarkOffsets(topic, partition, OFFSET_QUERY_MS, (err, w) => (err ? reject(rdError(err)) : resolve(w.highOffset))),
        );
        fromEnd.push({ topic, partition, offset: end });
        return { topic, partition, offset: end };
      }),
    );
    return { start, fromEnd };
  }

  /** Takes what is queued (one consume() at a time), hands it over by partition runs, and says it fetched. */
  private read(): void {
    if (!this.running) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    this.lastReadMs = performance.now();
    this.consumer.consume(CONSUME_MAX, (err, messages) => {
      this.reading = false;
      if (err) this.events.failed(rdError(err).message, err.isFatal === true);
      else this.deliver(messages);
      if (this.assigned) this.events.fetched();
      if (this.readAgain || messages?.length === CONSUME_MAX) {
        this.readAgain = false;
        setImmediate(() => this.read());
      }
    });
  }

  /** Consecutive messages of one partition go over as one batch, in log order. */
  private deliver(messages: readonly RdMessage[]): void {
    let from = 0;
    while (from < messages.length) {
      const first = messages[from] as RdMessage;
      let to = from + 1;
      while (to < messages.length && (messages[to] as RdMessage).partition === first.partition) to++;
      const run = messages.slice(from, to);
      this.events.batch(
        first.partition,
        run.map((m) => m.value),
        first.offset,
        (run[run.length - 1] as RdMessage).offset,
      );
      from = to;
    }
  }

  stop(): Promise<void> {
    this.running = false;
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    // Leaving commits the position (auto commit) and leaves the group.
    return new Promise((resolve) => this.consumer.disconnect(() => resolve()));
  }
}

/** librdkafka (through @confluentinc/kafka-javascript's native API) behind the seam: one client per producer or consumer. */
export class LibrdkafkaLibrary implements ClientLibrary {
  readonly name = 'librdkafka' as const;
  private readonly rd: RdModule = loadLibrdkafka();

  producer(spec: AppSpec, shape: ProducerShape, requests: RequestRecorder): ProducerClient {
    return new LibrdkafkaProducer(this.rd, spec, shape, requests);
  }

  consumer(spec: AppSpec, settings: ConsumerSettings, events: ConsumerEvents, fetches: RequestRecorder): ConsumerClient {
    return new LibrdkafkaConsumer(this.rd, spec, settings, events, fetches);
  }
}

/** The registry's way in (client/registry.ts): one library object per app process. */
export function createLibrary(): ClientLibrary {
  return new LibrdkafkaLibrary();
}
