import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkClientLibraries, checkClientOnMockCluster, checkClientPoint, clientReorderNote } from '../../src/client/rules';
import { CLIENT_REORDER_NOTE, LIBRDKAFKA_REORDER_NOTE } from '../../src/client/registry';
import { RequestRecorder, type QuantileSummary } from '../../src/client/requests';
import type { ConsumerSettings, ProducerShape } from '../../src/client/seam';
import { parseIni } from '../../src/config/ini';
import { DEFAULT_OPTIONS, type HydraOptions } from '../../src/config/options';
import { checkLibrdkafkaPassthrough, checkPassthrough } from '../../src/config/passthrough';
import { iniToOptions } from '../../src/config/resolve';
import type { AppSpec } from '../../src/control/wire';
// library.ts loads the native client only when a LibrdkafkaLibrary is made: these tests need none.
import { Delivery, LibrdkafkaProducer, PartitionDeliveries } from '../../src/client/librdkafka/library';
import { RD_ERR_QUEUE_FULL, type RdModule } from '../../src/client/librdkafka/api';
import { checkLibrdkafkaInstalled, librdkafkaInstalled } from '../../src/client/librdkafka/load';
import { consumerProperties, outstandingSends, producerProperties, securityProperties } from '../../src/client/librdkafka/settings';
import { StatisticsReader } from '../../src/client/librdkafka/statistics';
import { sortPoints, workloadColumns } from '../../src/present/columns';
import { histogramQuantile } from '../../src/stats/histogram';
import { fixturePoint } from '../fixtures';
import { REPO_ROOT } from '../helpers';

const ini = (text: string) => iniToOptions(parseIni(text, 'h.ini'), 'h.ini').values;
const source = (name: string) => `--${name}`;

function spec(over: Partial<AppSpec> = {}): AppSpec {
  return {
    kind: 'pub',
    name: 'pub-1',
    brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
    client_id: 'hydra-t',
    control_host: '127.0.0.1',
    control: { run: 'r', secret: 's' },
    ...over,
  };
}

const SHAPE: ProducerShape = {
  client_library: 'librdkafka',
  idempotent: false,
  max_in_flight: 1,
  retries: 5,
  request_timeout_ms: 30000,
  acks: 1,
  compression: 'none',
  linger_ms: 0,
  batch_bytes: 1000000,
};

const CONSUMER: ConsumerSettings = {
  groupId: 'g',
  topic: 't',
  startAt: 'latest',
  consumer_max_wait_ms: 100,
  consumer_min_bytes: 1,
  consumer_session_timeout_ms: 30000,
  consumer_heartbeat_interval_ms: 3000,
  consumer_max_buffer_size: 0,
};

describe('librdkafka passthrough in hydra.ini', () => {
  it('sends dotted librdkafka properties to librdkafka and camelCase kafkajs options to kafkajs', () => {
    const o = ini(
      '[client]\nsocket.keepalive.enable = true\nconnectionTimeout = 3000\n[producer]\nqueue.buffering.max.messages = 200000\n[consumer]\nqueued.min.messages = 5000\n',
    );
    assert.deepEqual(o.librdkafka, {
      client: { 'socket.keepalive.enable': true },
      producer: { 'queue.buffering.max.messages': 200000 },
      consumer: { 'queued.min.messages': 5000 },
    });
    assert.deepEqual(o.kafkajs?.client, { connectionTimeout: 3000 });
  });

  it('refuses a property hydra sets, naming the hydra key to use instead', () => {
    assert.throws(() => ini('[consumer]\nfetch.min.bytes = 5\n'), /h\.ini \[consumer\] fetch\.min\.bytes="5": is set by hydra: use \[consumer\] min_bytes/);
    assert.throws(() => ini('[producer]\nenable.idempotence = true\n'), /use \[producer\] idempotent/);
    assert.throws(() => ini('[client]\nbootstrap.servers = x:1\n'), /use \[broker\] brokers/);
  });

  it('puts consumer properties in [consumer] and producer properties in [producer], none in [admin]', () => {
    assert.throws(() => ini('[producer]\nqueued.min.messages = 5\n'), /librdkafka consumer property: put it in \[consumer\]/);
    assert.throws(() => ini('[consumer]\nqueue.buffering.max.messages = 5\n'), /librdkafka producer property: put it in \[producer\]/);
    assert.throws(() => ini('[admin]\nsocket.timeout.ms = 5\n'), /hydra's admin client is kafkajs/);
  });

  it("checks a property's value by its kind, and names both libraries for an unknown key", () => {
    assert.throws(() => ini('[client]\nsocket.keepalive.enable = yes\n'), /socket\.keepalive\.enable="yes": expected true or false/);
    assert.throws(() => ini('[consumer]\nqueued.min.messages = lots\n'), /expected a non-negative number/);
    assert.throws(
      () => ini('[producer]\nqueue.buffering.max.mesages = 5\n'),
      /unknown key \(kafkajs options here: .*; or a librdkafka property, for client_library=librdkafka\)/,
    );
  });

  it('checks notebook values: names librdkafka knows, of their kind, in the right option', () => {
    assert.doesNotThrow(() => checkLibrdkafkaPassthrough({ client: { 'socket.timeout.ms': 1000 }, producer: {}, consumer: {} }));
    assert.throws(
      () => checkLibrdkafkaPassthrough({ client: { 'socket.keepalive.enable': 'true' }, producer: {}, consumer: {} }),
      /options\.librdkafka\.client\['socket\.keepalive\.enable'\]="true": expected a bool value/,
    );
    assert.throws(() => checkLibrdkafkaPassthrough({ client: { 'no.such.thing': 1 }, producer: {}, consumer: {} }), /not a librdkafka property/);
    assert.throws(
      () => checkPassthrough({ client: { 'socket.timeout.ms': 1000 }, producer: {}, consumer: {}, admin: {} }),
      /is a librdkafka property: put it in options\.librdkafka/,
    );
  });
});

describe('what a study using the librdkafka client needs', () => {
  const options = (over: Partial<HydraOptions>) => ({ ...DEFAULT_OPTIONS, ...over });

  it('refuses librdkafka properties when no point uses librdkafka (they would be ignored)', () => {
    const o = options({ librdkafka: { client: {}, producer: { 'queue.buffering.max.messages': 1000 }, consumer: {} } });
    assert.throws(
      () => checkClientLibraries(['kafkajs'], o, source),
      /\[producer\] queue\.buffering\.max\.messages="1000": is a librdkafka property, and no point uses the librdkafka or native client \(--client_library=librdkafka\)/,
    );
    assert.doesNotThrow(() => checkClientLibraries(['kafkajs'], options({}), source));
  });

  it('refuses ssl_servername with librdkafka, which has no equivalent', () => {
    if (!librdkafkaInstalled())
      assert.throws(() => checkClientLibraries(['librdkafka'], options({ ssl_servername: 'kafka.example' }), source), /setup\.sh librdkafka/);
    else
      assert.throws(
        () => checkClientLibraries(['kafkajs', 'librdkafka'], options({ ssl_servername: 'kafka.example' }), source),
        /--ssl_servername="kafka\.example": the librdkafka client has no equivalent/,
      );
  });

  it('names the setup command when librdkafka is asked for and not installed', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hydra-nolib-'));
    try {
      assert.equal(librdkafkaInstalled(empty), false);
      assert.throws(
        () => checkLibrdkafkaInstalled('h.ini [client] library', empty),
        /^.*h\.ini \[client\] library="librdkafka": the librdkafka client is not installed here: run bash scripts\/setup\.sh librdkafka$/,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('takes snappy, lz4, zstd and idempotence on the embedded broker only with librdkafka', () => {
    const point = { compression: 'zstd' } as const;
    assert.throws(
      () => checkClientPoint({ ...point, client_library: 'kafkajs' }, source),
      /--compression="zstd": needs the librdkafka or native client: set client_library=librdkafka/,
    );
    assert.doesNotThrow(() => checkClientPoint({ ...point, client_library: 'librdkafka' }, source));
    assert.throws(() => checkClientOnMockCluster({ idempotent: true, client_library: 'kafkajs' }, source), /use the librdkafka client/);
    assert.doesNotThrow(() => checkClientOnMockCluster({ idempotent: true, client_library: 'librdkafka' }, source));
  });
});

describe("hydra's knobs as librdkafka properties", () => {
  it('maps the producer knobs, passthrough first and hydra winning', () => {
    const s = spec({
      librdkafka: {
        client: { 'socket.timeout.ms': 1234 },
        producer: { 'queue.buffering.max.messages': 1000, acks: 0 },
        consumer: { 'queued.min.messages': 7 },
      },
    });
    const p = producerProperties(s, {
      ...SHAPE,
      idempotent: true,
      acks: -1,
      max_in_flight: 5,
      compression: 'zstd',
      linger_ms: 5,
      retries: 2,
      request_timeout_ms: 1000,
    });
    assert.equal(p['bootstrap.servers'], '127.0.0.1:9092,127.0.0.1:9093');
    assert.equal(p['socket.timeout.ms'], 1234);
    assert.equal(p['queue.buffering.max.messages'], 1000);
    assert.equal(p['queued.min.messages'], undefined, 'consumer properties stay with consumers');
    assert.equal(p.acks, -1);
    assert.equal(p['enable.idempotence'], true);
    assert.equal(p['max.in.flight.requests.per.connection'], 5);
    assert.equal(p['compression.codec'], 'zstd');
    assert.equal(p['linger.ms'], 5);
    assert.equal(p['message.send.max.retries'], 2);
    // Given up after every try timed out, plus the linger.
    assert.equal(p['message.timeout.ms'], 1000 * 3 + 5);
    assert.equal(p['message.max.bytes'], undefined);
    assert.equal(producerProperties(spec(), { ...SHAPE, batch_bytes: 4000000 })['message.max.bytes'], 4100000);
  });

  it('maps the consumer knobs and couples the fetch buffer limits librdkafka checks against each other', () => {
    const c = consumerProperties(spec({ kind: 'sub' }), {
      ...CONSUMER,
      consumer_max_wait_ms: 250,
      consumer_min_bytes: 64,
      consumer_session_timeout_ms: 400000,
    });
    assert.equal(c['group.id'], 'g');
    assert.equal(c['fetch.wait.max.ms'], 250);
    assert.equal(c['fetch.min.bytes'], 64);
    assert.equal(c['session.timeout.ms'], 400000);
    assert.equal(c['max.poll.interval.ms'], 400000);
    assert.equal(c['heartbeat.interval.ms'], 3000);
    assert.equal(c['auto.offset.reset'], 'latest');
    assert.equal(c['fetch.max.bytes'], undefined, 'an unbounded buffer keeps librdkafka defaults');
    const small = consumerProperties(spec({ kind: 'sub' }), { ...CONSUMER, consumer_max_buffer_size: 500 });
    assert.deepEqual([small['fetch.max.bytes'], small['max.partition.fetch.bytes'], small['message.max.bytes']], [1000, 500, 1000]);
    const big = consumerProperties(spec({ kind: 'sub' }), { ...CONSUMER, consumer_max_buffer_size: 200000000 });
    assert.equal(big['receive.message.max.bytes'], 200000512);
    assert.equal(big['max.partition.fetch.bytes'], 200000000);
  });

  it('maps TLS and SASL, and refuses ssl_servername', () => {
    assert.deepEqual(securityProperties(undefined), {});
    assert.deepEqual(securityProperties({ sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } }), {
      'security.protocol': 'sasl_plaintext',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'u',
      'sasl.password': 'p',
    });
    const tls = securityProperties({ tls: { ca: 'CA', cert: 'CERT', key: 'KEY' }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
    assert.equal(tls['security.protocol'], 'sasl_ssl');
    assert.deepEqual([tls['ssl.ca.pem'], tls['ssl.certificate.pem'], tls['ssl.key.pem'], tls['sasl.mechanisms']], ['CA', 'CERT', 'KEY', 'PLAIN']);
    assert.equal(securityProperties({ tls: {} })['security.protocol'], 'ssl');
    assert.throws(() => securityProperties({ tls: { servername: 'k' } }), /\[security\] ssl_servername="k": the librdkafka client has no equivalent/);
  });
});

interface RecordedStatistics {
  producer: { brokers: Record<string, { source: string; rtt: QuantileSummary; int_latency: { max: number }; req_timeouts: number }> }[];
  consumer: { brokers: Record<string, { source: string; rtt: QuantileSummary; req_timeouts: number }> }[];
}

describe('request telemetry from librdkafka statistics', () => {
  // Recorded from a real producer and consumer of @confluentinc/kafka-javascript 1.10.1 on the embedded broker.
  const recorded = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'recorded', 'librdkafka-statistics.json'), 'utf8')) as RecordedStatistics;
  const learned = <B extends { source: string }>(brokers: Record<string, B>): B[] => Object.values(brokers).filter((b) => b.source === 'learned');

  it("reads a producer's round trips by their quantiles and its queue wait", () => {
    const snapshot = recorded.producer[recorded.producer.length - 1]!;
    const recorder = new RequestRecorder();
    new StatisticsReader(recorder).read(JSON.stringify(snapshot));
    const t = recorder.read();
    const brokers = learned(snapshot.brokers);
    assert.equal(brokers.length, 1);
    const rtt = brokers[0]!.rtt;
    assert.ok(rtt.cnt > 0);
    assert.equal(t.requests, rtt.cnt);
    assert.equal(t.rtt.count, rtt.cnt);
    // Within the histogram's 3.2 % bucket width; librdkafka ranks a quantile by rounding, the
    // histogram by rounding up, so in a window of 97 the p99 may come back as the next quantile.
    const near = (got: number, want: number) => Math.abs(got - want) <= Math.max(1, want * 0.033);
    assert.ok(near(histogramQuantile(t.rtt, 0.5)!, rtt.p50), `p50: ${histogramQuantile(t.rtt, 0.5)} µs vs ${rtt.p50} µs`);
    const p99 = histogramQuantile(t.rtt, 0.99)!;
    assert.ok(near(p99, rtt.p99) || near(p99, rtt.p99_99), `p99: ${p99} µs vs ${rtt.p99} (p99.99 ${rtt.p99_99}) µs`);
    assert.equal(t.rtt.max_us, rtt.max);
    assert.equal(t.queue_max_ms, brokers[0]!.int_latency.max / 1000);
    assert.equal(t.timeouts, 0);
  });

  it("counts only the brokers learned from metadata: not a consumer's group coordinator", () => {
    const snapshot = recorded.consumer[recorded.consumer.length - 1]!;
    assert.ok(
      Object.values(snapshot.brokers).some((b) => b.source === 'logical'),
      'the recording has a group coordinator',
    );
    const recorder = new RequestRecorder();
    new StatisticsReader(recorder).read(JSON.stringify(snapshot));
    assert.equal(
      recorder.read().requests,
      learned(snapshot.brokers).reduce((n, b) => n + b.rtt.cnt, 0),
    );
  });

  it('counts the request timeouts each report adds, and ignores a report it cannot parse', () => {
    const snapshot = structuredClone(recorded.producer[recorded.producer.length - 1]!);
    const broker = learned(snapshot.brokers)[0]!;
    const recorder = new RequestRecorder();
    const reader = new StatisticsReader(recorder);
    broker.req_timeouts = 3;
    reader.read(JSON.stringify(snapshot));
    broker.req_timeouts = 5;
    reader.read(JSON.stringify(snapshot));
    reader.read('{not json');
    assert.equal(recorder.read().timeouts, 5);
    recorder.reset();
    reader.read(JSON.stringify(snapshot));
    assert.equal(recorder.read().timeouts, 0, 'no new timeouts since the last report');
  });

  it("records a window known by its quantiles so that the window's quantiles come back", () => {
    const recorder = new RequestRecorder();
    recorder.answeredWindow({ cnt: 1000, p50: 100, p75: 200, p90: 400, p95: 800, p99: 5000, p99_99: 9000, max: 20000 }, 3);
    recorder.answeredWindow({ cnt: 0, p50: 1e6, p75: 1e6, p90: 1e6, p95: 1e6, p99: 1e6, p99_99: 1e6, max: 1e6 });
    const t = recorder.read();
    assert.equal(t.requests, 1000);
    assert.equal(t.rtt.count, 1000);
    for (const [q, want] of [
      [0.5, 100],
      [0.75, 200],
      [0.9, 400],
      [0.99, 5000],
    ] as const)
      assert.ok(Math.abs(histogramQuantile(t.rtt, q)! - want) <= want * 0.033, `p${q * 100}: ${histogramQuantile(t.rtt, q)} µs vs ${want} µs`);
    assert.equal(t.rtt.max_us, 20000);
    assert.equal(t.queue_max_ms, 3);
  });
});

describe('reordering notes and workload columns for two clients', () => {
  it("shows reordering wherever the order is Kafka's to keep", () => {
    const note = (max_in_flight: number, client_library: 'kafkajs' | 'librdkafka', idempotent: boolean) =>
      clientReorderNote({ max_in_flight, client_library, idempotent });
    assert.equal(note(1, 'kafkajs', false), null);
    assert.equal(note(5, 'kafkajs', true), CLIENT_REORDER_NOTE);
    assert.equal(note(1, 'librdkafka', false), null);
    assert.equal(note(5, 'librdkafka', true), null);
    assert.equal(note(5, 'librdkafka', false), LIBRDKAFKA_REORDER_NOTE);
  });

  it('gives a column to each point key a study varies besides its axes, and groups rows by it', () => {
    const withClient = (clients: number, rate: number, library: 'kafkajs' | 'librdkafka') => {
      const p = fixturePoint(clients, rate);
      return { ...p, params: { ...p.params, client_library: library } };
    };
    const points = [withClient(4, 2000, 'librdkafka'), withClient(4, 1000, 'kafkajs'), withClient(4, 2000, 'kafkajs'), withClient(4, 1000, 'librdkafka')];
    assert.deepEqual(
      workloadColumns(points).map((c) => c.id),
      ['client_library'],
    );
    assert.deepEqual(
      sortPoints(points).map((p) => `${p.params.client_library}@${p.params.msg_rate}`),
      ['kafkajs@1000', 'kafkajs@2000', 'librdkafka@1000', 'librdkafka@2000'],
    );
    assert.deepEqual(workloadColumns([fixturePoint(4, 1000), fixturePoint(8, 2000)]), [], 'axes only: no workload column');
  });
});

describe("the librdkafka producer's delivery reports", () => {
  const state = async (d: Delivery): Promise<string> =>
    Promise.race([
      d.settled.then(
        () => 'resolved',
        (e: Error) => `rejected: ${e.message}`,
      ),
      new Promise<string>((r) => setImmediate(() => r('pending'))),
    ]);

  it("settles each send when its partition's reports reach its last message, oldest first", async () => {
    const p = new PartitionDeliveries();
    const a = new Delivery(3);
    const b = new Delivery(2);
    for (const d of [a, a, a, b, b]) p.add(d);
    assert.equal(p.report(null), true);
    assert.equal(p.report(null), true);
    assert.equal(await state(a), 'pending');
    p.report(null);
    assert.equal(await state(a), 'resolved');
    assert.equal(await state(b), 'pending');
    p.report(new Error('MSG_TIMED_OUT'));
    p.report(null);
    assert.equal(await state(b), 'rejected: MSG_TIMED_OUT');
    assert.equal(p.report(null), false, 'no message left waiting');
  });

  it('keeps a send spread over partitions pending until every partition reported its share', async () => {
    const p0 = new PartitionDeliveries();
    const p1 = new PartitionDeliveries();
    const d = new Delivery(4);
    for (const partition of [p0, p1, p0, p1]) partition.add(d);
    p0.report(null);
    p0.report(null);
    assert.equal(await state(d), 'pending');
    p1.report(null);
    p1.report(null);
    assert.equal(await state(d), 'resolved');
  });

  it('keeps order across many sends (runs compacted as they are reported)', async () => {
    const p = new PartitionDeliveries();
    const sends = Array.from({ length: 3000 }, () => new Delivery(2));
    for (const d of sends) {
      p.add(d);
      p.add(d);
    }
    for (let i = 0; i < 2999 * 2; i++) p.report(null);
    assert.equal(await state(sends[2998]!), 'resolved');
    assert.equal(await state(sends[2999]!), 'pending');
    p.report(null);
    p.report(null);
    assert.equal(await state(sends[2999]!), 'resolved');
  });
});

/**
 * A stand-in for the binding's Producer, scripted: a queue of `capacity` messages that throws
 * QUEUE_FULL beyond it, and delivery reports the test hands out.
 */
class ScriptedProducer {
  readonly produced: string[] = [];
  private queued: { partition: number }[] = [];
  private readonly listeners = new Map<string, (...args: never[]) => void>();
  constructor(private readonly capacity: number) {}
  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  /** Acknowledged by the broker, not yet reported: librdkafka frees their room before its reports reach JavaScript. */
  private acked: { partition: number }[] = [];
  produce(_topic: string, partition: number, value: Buffer): void {
    if (this.queued.length >= this.capacity) {
      // The broker acknowledges the oldest meanwhile: room frees without an event the producer sees.
      this.acked.push(...this.queued.splice(0, 1));
      throw Object.assign(new Error('Local: Queue full'), { code: RD_ERR_QUEUE_FULL });
    }
    this.queued.push({ partition });
    this.produced.push(value.toString());
  }
  /** Reports every message acknowledged so far and then the rest still queued. */
  reportAll(): void {
    const report = this.listeners.get('delivery-report') as unknown as (err: null, r: { topic: string; partition: number; offset: number }) => void;
    for (const m of [...this.acked.splice(0), ...this.queued.splice(0)]) report(null, { topic: 't', partition: m.partition, offset: 0 });
  }
}

describe('the librdkafka producer behind the seam (a scripted binding)', () => {
  const SHAPE_0: ProducerShape = { ...SHAPE, linger_ms: 0 };
  const make = (capacity: number): { producer: LibrdkafkaProducer; rd: ScriptedProducer } => {
    let rd: ScriptedProducer | undefined;
    const module = {
      Producer: function () {
        rd = new ScriptedProducer(capacity);
        return rd;
      },
    } as unknown as RdModule;
    const producer = new LibrdkafkaProducer(module, spec(), SHAPE_0, new RequestRecorder());
    return { producer, rd: rd! };
  };
  const request = (values: string[]) => ({ topics: ['t'], messages: values.map((v) => ({ value: Buffer.from(v), key: null, topic: 0, partition: 0 })) });

  it('keeps send order when a send waits for room in a full queue: a later send never overtakes it', async () => {
    const { producer, rd } = make(3);
    const first = producer.send(request(['a1', 'a2', 'a3', 'a4', 'a5']));
    const second = producer.send(request(['b1', 'b2']));
    // a4 finds the queue full and waits; room frees meanwhile, and b1 must not take it.
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(rd.produced, ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2']);
    rd.reportAll();
    await Promise.all([first, second]);
  });

  it('grows the sends it takes at once with its linger, so its own wait never fills them', () => {
    assert.equal(outstandingSends(0), 32);
    assert.equal(outstandingSends(80), 64);
    assert.equal(outstandingSends(1000), 432);
  });
});
