import type { AppSpec, PubConfig } from '../../control/wire';
import { CLIENT_LIBRARY_REGISTRY } from '../registry';
import type { RequestRecorder } from '../requests';
import type {
  BooksSnapshot,
  ClientBooks,
  ClientLibrary,
  ConsumerClient,
  ConsumerEvents,
  ConsumerSettings,
  ProduceRequest,
  ProducerClient,
  ProducerShape,
  WindowOutcome,
  WindowPacing,
  WindowPlacement,
  WindowPublisher,
} from '../seam';
import { consumerProperties, outstandingSends, producerProperties } from '../librdkafka/settings';
import type { RdConfig } from '../librdkafka/api';
import type { HistogramData } from '../../control/wire';
import type { NativeHandle, NativeModule, NativeProperties } from './api';
import { loadNative } from './load';

/**
 * hydra's native core behind the seam (clients/native): librdkafka driven from C threads. Its
 * producer publishes whole windows (the pacing loop, message building and per-message counting
 * are C's); its consumers keep their own books. JavaScript configures, starts, stops and reads
 * snapshots; the librdkafka properties are the librdkafka client's (librdkafka/settings.ts).
 */

/** librdkafka properties as the addon takes them: text. */
function textProperties(config: RdConfig): NativeProperties {
  return Object.entries(config).map(([name, value]) => {
    if (typeof value === 'function') throw new Error(`librdkafka property ${name}: a callback, which the native client sets itself`);
    return [name, String(value)];
  });
}

/** The request telemetry a native client keeps, as drainRequests() hands it over. */
interface DrainedRequests {
  windows: [number, number, number, number, number, number, number, number, number][];
  timeouts: number;
  throttles: number[];
}

function drainInto(native: NativeModule, handle: NativeHandle, recorder: RequestRecorder): void {
  const drained = JSON.parse(native.drainRequests(handle)) as DrainedRequests;
  for (const [cnt, p50, p75, p90, p95, p99, p99_99, max, queueMaxMs] of drained.windows)
    recorder.answeredWindow({ cnt, p50, p75, p90, p95, p99, p99_99, max }, queueMaxMs);
  if (drained.timeouts > 0) recorder.timedOut(drained.timeouts);
  for (const ms of drained.throttles) recorder.throttle(ms);
}

/** A window's outcome as the core's "done" event carries it. */
interface NativeOutcome {
  start_ms: number;
  end_ms: number;
  measured_from_ms: number | null;
  generated: number;
  requests: number;
  pending_max: number;
  msg_cnt: number;
  /** With several topics: measured messages acknowledged per topic index. */
  msg_cnt_by_topic?: number[];
  send_errors: number;
  last_error: string | null;
  broker_wait_ms: number;
  send_rtt: HistogramData;
  publish_delay: HistogramData;
}

/** A promise and its settlers, for an answer that comes as a core's event. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class NativeProducer implements ProducerClient, WindowPublisher {
  readonly outstanding: number;
  readonly lingers = CLIENT_LIBRARY_REGISTRY.native.lingersItself;
  readonly window: WindowPublisher = this;
  private readonly handle: NativeHandle;
  private readonly connected = deferred<void>();
  private readonly closed = deferred<void>();
  private running: { done: ReturnType<typeof deferred<WindowOutcome>>; measuring: () => void } | null = null;
  private readonly detach: () => void;
  private open = true;

  constructor(
    private readonly native: NativeModule,
    spec: AppSpec,
    shape: ProducerShape,
    private readonly requests: RequestRecorder,
  ) {
    this.outstanding = outstandingSends(shape.linger_ms);
    this.handle = native.createProducer(textProperties(producerProperties(spec, shape)), (kind, json) => this.event(kind, json));
    this.detach = requests.attach({ drainInto: (recorder) => drainInto(native, this.handle, recorder) });
    // Settled by events; a rejection is the caller's to see through connect().
    this.connected.promise.catch(() => undefined);
  }

  private event(kind: string, json: string): void {
    if (kind === 'connected') {
      const { error } = JSON.parse(json) as { error: string | null };
      if (error === null) this.connected.resolve();
      else this.connected.reject(new Error(`native producer: ${error}`));
    } else if (kind === 'measuring') {
      this.running?.measuring();
    } else if (kind === 'done') {
      const o = JSON.parse(json) as NativeOutcome;
      const running = this.running;
      this.running = null;
      running?.done.resolve({
        startMs: o.start_ms,
        endMs: o.end_ms,
        measuredFromMs: o.measured_from_ms,
        generated: o.generated,
        requests: o.requests,
        pendingMax: o.pending_max,
        msgCnt: o.msg_cnt,
        sendErrors: o.send_errors,
        lastError: o.last_error,
        brokerWaitMs: o.broker_wait_ms,
        sendRtt: o.send_rtt,
        publishDelay: o.publish_delay,
        ...(o.msg_cnt_by_topic ? { msgCntByTopic: o.msg_cnt_by_topic } : {}),
      });
    } else if (kind === 'closed') {
      this.closed.resolve();
    }
  }

  connect(): Promise<void> {
    return this.connected.promise;
  }

  send(_request: ProduceRequest): Promise<void> {
    return Promise.reject(new Error('the native producer publishes whole windows (its window), not single sends'));
  }

  publish(cfg: PubConfig, pacing: WindowPacing, placement: WindowPlacement, measuring: () => void): Promise<WindowOutcome> {
    if (this.running) return Promise.reject(new Error('the native producer is publishing a window already'));
    const done = deferred<WindowOutcome>();
    this.running = { done, measuring };
    this.native.publish(this.handle, {
      msg_rate: pacing.msg_rate,
      msg_batch: pacing.msg_batch,
      duration_s: pacing.test_duration,
      warmup_s: cfg.warmup,
      max_in_flight: pacing.max_in_flight,
      request_max_messages: pacing.request_max_messages,
      linger_ms: pacing.linger_ms,
      msg_size: cfg.msg_size,
      payload_random_pct: cfg.payload_random_pct,
      epoch: cfg.epoch,
      warmup_epoch: placement.warmupEpoch,
      pub_id: cfg.pub_id,
      t0_ms: cfg.t0_ms,
      topics: cfg.topics,
      ...(cfg.payload === undefined ? {} : { payload: Buffer.from(cfg.payload, 'base64') }),
      partitions: cfg.partitions,
      key_mode: cfg.keys === 'none' ? 0 : cfg.keys === 'round_robin' ? 1 : 2,
      key_count: cfg.key_count,
      ...(placement.keyPartitions ? { key_partition: placement.keyPartitions } : {}),
    });
    return done.promise;
  }

  stop(): void {
    if (this.open) this.native.stopPublishing(this.handle);
  }

  /** Delivers what is queued (at most 5 s) and leaves; the last request telemetry is drained first. */
  disconnect(): Promise<void> {
    if (!this.open) return this.closed.promise;
    drainInto(this.native, this.handle, this.requests);
    this.detach();
    this.open = false;
    this.native.closeProducer(this.handle);
    return this.closed.promise;
  }
}

class NativeConsumer implements ConsumerClient {
  readonly books: ClientBooks;
  private readonly handle: NativeHandle;
  private readonly started = deferred<void>();
  private readonly closed = deferred<void>();
  private readonly detach: () => void;
  /** The books as they were when the consumer stopped: a stopped consumer's are read from here. */
  private final: BooksSnapshot | null = null;

  constructor(
    private readonly native: NativeModule,
    spec: AppSpec,
    settings: ConsumerSettings,
    private readonly events: ConsumerEvents,
    private readonly fetches: RequestRecorder,
  ) {
    const handle = native.createConsumer(textProperties(consumerProperties(spec, settings)), settings.topic, settings.startAt, (kind, json) =>
      this.event(kind, json),
    );
    this.handle = handle;
    this.detach = fetches.attach({ drainInto: (recorder) => drainInto(native, handle, recorder) });
    this.books = {
      reset: (s, timeline) => {
        if (this.final === null) native.resetBooks(handle, s, timeline);
      },
      unique: () => (this.final ? this.final.sequences.unique : native.booksUnique(handle)),
      snapshot: () => this.final ?? (JSON.parse(native.booksSnapshot(handle)) as BooksSnapshot),
    };
    this.started.promise.catch(() => undefined);
  }

  private event(kind: string, json: string): void {
    switch (kind) {
      case 'started': {
        const { error } = JSON.parse(json) as { error: string | null };
        if (error === null) this.started.resolve();
        else this.started.reject(new Error(`native consumer: ${error}`));
        break;
      }
      case 'joined':
        this.events.joined((JSON.parse(json) as { partitions: number[] }).partitions);
        break;
      case 'rebalancing':
        this.events.rebalancing();
        break;
      case 'fetched':
        this.events.fetched();
        break;
      case 'failed': {
        const { error, permanent } = JSON.parse(json) as { error: string; permanent: boolean };
        this.events.failed(error, permanent);
        break;
      }
      case 'closed':
        this.closed.resolve();
        break;
    }
  }

  start(): Promise<void> {
    return this.started.promise;
  }

  /** Leaves the group (committing its position); its books and last request telemetry are kept first. */
  stop(): Promise<void> {
    if (this.final === null) {
      this.final = JSON.parse(this.native.booksSnapshot(this.handle)) as BooksSnapshot;
      drainInto(this.native, this.handle, this.fetches);
      this.detach();
      this.native.closeConsumer(this.handle);
    }
    return this.closed.promise;
  }
}

/** The native core behind the seam: one librdkafka handle per producer or consumer, each on a thread of its own. */
export class NativeLibrary implements ClientLibrary {
  readonly name = 'native' as const;
  private readonly native: NativeModule = loadNative();

  producer(spec: AppSpec, shape: ProducerShape, requests: RequestRecorder): ProducerClient {
    return new NativeProducer(this.native, spec, shape, requests);
  }

  consumer(spec: AppSpec, settings: ConsumerSettings, events: ConsumerEvents, fetches: RequestRecorder): ConsumerClient {
    return new NativeConsumer(this.native, spec, settings, events, fetches);
  }
}

/** The registry's way in (client/registry.ts): one library object per app process. */
export function createLibrary(): ClientLibrary {
  return new NativeLibrary();
}
