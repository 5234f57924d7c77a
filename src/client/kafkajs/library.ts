// Before kafkajs itself: see patches.ts.
import './patches';
import { type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
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
import { kafkajsOptions } from '../../config/passthrough';
import type { AppSpec } from '../../control/wire';
import { CLIENT_LIBRARY_REGISTRY } from '../registry';
import { makeKafka } from './client';
import { consumerOptions, producerPlaces, type ProducerPlaces } from './settings';
import { hearThrottles, timeRequests } from './requests';

/** How often a consumer commits its position, ms. */
const COMMIT_INTERVAL_MS = 5000;

/** A kafkajs producer behind the seam: each send() is one produce request; acks and compression go with each. */
class KafkajsProducer implements ProducerClient {
  private readonly producer: Producer;
  private readonly places: ProducerPlaces;
  readonly outstanding: number;
  // kafkajs sends what it is given at once: the pacing loop lingers for it.
  readonly lingers = CLIENT_LIBRARY_REGISTRY.kafkajs.lingersItself;

  constructor(spec: AppSpec, settings: ProducerShape, requests: RequestRecorder) {
    this.places = producerPlaces(settings);
    const kafka = makeKafka(spec.brokers, `${spec.client_id}-${spec.name}`, spec.kafka_security, spec.kafkajs?.client, this.places.client);
    this.producer = kafka.producer({
      ...kafkajsOptions(spec.kafkajs?.producer ?? {}, this.places.retries === undefined ? {} : { retry: { retries: this.places.retries } }),
      allowAutoTopicCreation: true,
      ...this.places.producer,
    });
    this.outstanding = settings.max_in_flight;
    timeRequests(this.producer, 'Produce', requests);
    hearThrottles(requests);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(request: ProduceRequest): Promise<void> {
    if (request.topics.length === 1) {
      await this.producer.send({
        topic: request.topics[0] as string,
        ...this.places.send,
        messages: request.messages.map(({ value, key, partition }) => ({ value, key, partition })),
      });
      return;
    }
    // Several topics: one sendBatch, so each broker gets one produce request for all of them.
    const byTopic = new Map<number, { value: Buffer; key: Buffer | null; partition: number }[]>();
    for (const { value, key, topic, partition } of request.messages) {
      const list = byTopic.get(topic) ?? byTopic.set(topic, []).get(topic);
      list?.push({ value, key, partition });
    }
    await this.producer.sendBatch({
      ...this.places.send,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: request.topics[topic] as string, messages })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Tries at starting a consumer whose connection failed with a retriable error, and the wait before the next (× the attempt), ms. */
const START_ATTEMPTS = 3;
const START_RETRY_MS = 500;

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
    this.consumer = kafka.consumer({
      // Passthrough first: hydra's own settings below win (passthrough.ts refuses those keys anyway).
      ...kafkajsOptions(spec.kafkajs?.consumer ?? {}),
      groupId: settings.groupId,
      ...consumerOptions(settings),
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
    // A sub app starved of CPU while hundreds of consumers connect can lose a broker connection
    // before it subscribes ("Broker not connected"): connecting is not measuring, so a failure
    // that may pass is tried again a few times before the app reports it.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({ topic: this.settings.topic, fromBeginning: this.settings.startAt === 'earliest' });
        break;
      } catch (err) {
        // kafkajs marks what cannot help (a refused login) retriable: false; "Broker not connected" is a plain Error.
        if (attempt >= START_ATTEMPTS || (err as { retriable?: boolean }).retriable === false) throw err;
        await this.consumer.disconnect().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS * attempt));
      }
    }
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
