// Before kafkajs itself: see patches.ts.
import './patches';
import { CompressionTypes, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import {
  type ClientLibrary,
  type ConsumerClient,
  type ConsumerEvents,
  type ConsumerSettings,
  type ProduceRequest,
  type ProducerClient,
  type ProducerShape,
} from '../seam';
import type { RequestRecorder } from '../requests';
import type { Compression } from '../../config/options';
import { kafkajsOptions } from '../../config/passthrough';
import type { AppSpec } from '../../control/wire';
import { CLIENT_LIBRARY_REGISTRY } from '../registry';
import { makeKafka } from './client';
import { hearThrottles, timeRequests } from './requests';

/** How often a consumer commits its position, ms. */
const COMMIT_INTERVAL_MS = 5000;

const CODECS: Partial<Record<Compression, CompressionTypes>> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP };

/** A kafkajs producer behind the seam: each send() is one produce request; acks and compression go with each. */
class KafkajsProducer implements ProducerClient {
  private readonly producer: Producer;
  readonly outstanding: number;
  // kafkajs sends what it is given at once: the pacing loop lingers for it.
  readonly lingers = CLIENT_LIBRARY_REGISTRY.kafkajs.lingersItself;

  constructor(
    spec: AppSpec,
    private readonly settings: ProducerShape,
    requests: RequestRecorder,
  ) {
    const kafka = makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`, spec.kafka_security, spec.kafkajs?.client, {
      requestTimeout: settings.request_timeout_ms,
    });
    this.producer = kafka.producer({
      ...kafkajsOptions(spec.kafkajs?.producer ?? {}, { retry: { retries: settings.retries } }),
      allowAutoTopicCreation: true,
      idempotent: settings.idempotent,
      // One in flight is the pacing loop's own rule; kafkajs's queue limit is left off then, as it
      // was before the knob existed (set, it measured about 10 % fewer messages per CPU-second).
      ...(settings.max_in_flight > 1 ? { maxInFlightRequests: settings.max_in_flight } : {}),
    });
    this.outstanding = settings.max_in_flight;
    timeRequests(this.producer, 'Produce', requests);
    hearThrottles(requests);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(request: ProduceRequest): Promise<void> {
    await this.producer.send({
      topic: request.topic,
      acks: this.settings.acks,
      compression: CODECS[this.settings.compression] ?? CompressionTypes.None,
      timeout: this.settings.request_timeout_ms,
      messages: request.messages.map(({ value, key, partition }) => ({ value, key, partition })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** A kafkajs consumer behind the seam, fetching in batches; positions committed every few seconds. */
class KafkajsConsumer implements ConsumerClient {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    spec: AppSpec,
    private readonly settings: ConsumerSettings,
    private readonly events: ConsumerEvents,
    fetches: RequestRecorder,
  ) {
    const unbounded = settings.maxBufferBytes === 0;
    this.consumer = kafka.consumer({
      // Passthrough first: hydra's own settings below win (passthrough.ts refuses those keys anyway).
      ...kafkajsOptions(spec.kafkajs?.consumer ?? {}),
      groupId: settings.groupId,
      maxWaitTimeInMs: settings.maxWaitMs,
      minBytes: settings.minBytes,
      sessionTimeout: settings.sessionTimeoutMs,
      ...(unbounded ? {} : { maxBytes: settings.maxBufferBytes, maxBytesPerPartition: settings.maxBufferBytes }),
      allowAutoTopicCreation: true,
    });
    const c = this.consumer;
    c.on(c.events.GROUP_JOIN, (e) => events.joined([...(e.payload.memberAssignment[settings.topic] ?? [])]));
    c.on(c.events.REBALANCING, () => events.rebalancing());
    c.on(c.events.FETCH, () => events.fetched());
    // kafkajs restarts a consumer after a retriable error; after any other it stays down.
    c.on(c.events.CRASH, (e) => events.failed(String(e.payload.error), !e.payload.restart));
    timeRequests(c, 'Fetch', fetches);
    hearThrottles(fetches);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.settings.topic, fromBeginning: this.settings.startAt === 'earliest' });
    await this.consumer.run({
      eachBatchAutoResolve: true,
      // kafkajs's autoCommit sends an OffsetCommit after every fetched batch: at 10 fetches/s per
      // consumer that doubled the requests a sub app makes. Positions are committed every few
      // seconds instead, so a consumer that rejoins its group resumes near where it was.
      autoCommit: false,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatch: async ({ batch, commitOffsetsIfNecessary }: EachBatchPayload) => {
        if (batch.messages.length > 0)
          this.events.batch(
            batch.partition,
            batch.messages.map((m) => m.value),
            Number(batch.firstOffset()),
            Number(batch.lastOffset()),
          );
        await commitOffsetsIfNecessary();
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** kafkajs behind the seam. One client object per app process serves all its consumers. */
export class KafkajsLibrary implements ClientLibrary {
  readonly name = 'kafkajs' as const;
  private kafka: Kafka | null = null;

  producer(spec: AppSpec, shape: ProducerShape, requests: RequestRecorder): ProducerClient {
    return new KafkajsProducer(spec, shape, requests);
  }

  consumer(spec: AppSpec, settings: ConsumerSettings, events: ConsumerEvents, fetches: RequestRecorder): ConsumerClient {
    this.kafka ??= makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`, spec.kafka_security, spec.kafkajs?.client);
    return new KafkajsConsumer(this.kafka, spec, settings, events, fetches);
  }
}

/** The registry's way in (client/registry.ts): one library object per app process. */
export function createLibrary(): ClientLibrary {
  return new KafkajsLibrary();
}
