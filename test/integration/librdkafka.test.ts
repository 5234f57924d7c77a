import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import type { ConsumerSettings, ProducerShape } from '../../src/client/seam';
import { pointParamsOf, type HydraOptions, type PointParams } from '../../src/config/options';
import type { AppSpec } from '../../src/control/wire';
import { execFileSync } from 'node:child_process';
import { loadLibrdkafka } from '../../src/client/librdkafka/load';
import { consumerProperties, producerProperties, securityProperties } from '../../src/client/librdkafka/settings';
import { loadNative } from '../../src/client/native/load';
import { CLIENT_LIBRARY_REGISTRY, isInstalled } from '../../src/client/registry';
import type { ClientLibraryName } from '../../src/config/options';
import { TestSession, type PointRun } from '../../src/runner/session';
import { cliSandbox, runHydra, sessionTestOptions, stillAlive, tempDir, waitNoProcesses, assertRehearsalOrBusyHost } from '../helpers';

/** Skips a suite for a client installed apart that is not installed here (CI installs every one: a missing one fails there). */
function requireInstalled(ctx: Mocha.Context, name: ClientLibraryName): void {
  if (isInstalled(name)) return;
  const setup = CLIENT_LIBRARY_REGISTRY[name].install?.setup ?? '';
  if (process.env.CI) throw new Error(`the ${name} client is not installed: the test command (bash scripts/setup.sh test) builds it`);
  process.stdout.write(`    (skipped: the ${name} client is not installed here; ${setup} installs it)\n`);
  ctx.skip();
}

/**
 * The two clients on librdkafka — the librdkafka client (@confluentinc/kafka-javascript's native
 * API) and hydra's native core (clients/native) — end to end on real processes and the embedded
 * broker: the same points as kafkajs, the idempotent producer keeping order with five requests in
 * flight, codecs kafkajs lacks, a shared group, two clients in one session, and a CLI study
 * varying the client. CI installs both (the test command's setup builds them); elsewhere, without
 * one, its tests are skipped saying so.
 */
describe('the librdkafka client end to end (real processes, embedded broker)', function () {
  this.timeout(240000);
  before(function () {
    requireInstalled(this, 'librdkafka');
  });

  describe('properties librdkafka itself accepts', () => {
    const spec: AppSpec = {
      kind: 'pub',
      name: 'pub-1',
      brokers: ['127.0.0.1:1'],
      client_id: 'hydratest',
      control_host: '127.0.0.1',
      control: { run: 'r', secret: 's' },
    };
    const shape: ProducerShape = {
      client_library: 'librdkafka',
      idempotent: true,
      max_in_flight: 5,
      retries: 10,
      request_timeout_ms: 120000,
      acks: -1,
      compression: 'zstd',
      linger_ms: 100,
      batch_bytes: 50000000,
    };
    const consumer: ConsumerSettings = {
      groupId: 'g',
      topic: 't',
      startAt: 'earliest',
      consumer_max_wait_ms: 500,
      consumer_min_bytes: 1,
      consumer_session_timeout_ms: 400000,
      consumer_heartbeat_interval_ms: 3000,
      consumer_max_buffer_size: 300000000,
    };

    it("makes producers and consumers from hydra's edge settings without librdkafka refusing one (it checks them when a client is made)", () => {
      const rd = loadLibrdkafka();
      // Made, not connected: librdkafka checks the configuration here and starts nothing before connect().
      for (const s of [shape, { ...shape, idempotent: false, max_in_flight: 1, acks: 0 as const, compression: 'lz4' as const, linger_ms: 0, batch_bytes: 1 }])
        assert.doesNotThrow(() => new rd.Producer(producerProperties(spec, s)), JSON.stringify(s));
      for (const c of [consumer, { ...consumer, consumer_max_buffer_size: 1, consumer_session_timeout_ms: 6000 }, { ...consumer, consumer_max_buffer_size: 0 }])
        assert.doesNotThrow(() => new rd.KafkaConsumer(consumerProperties({ ...spec, kind: 'sub' }, c), {}), JSON.stringify(c));
      // A property librdkafka does not know is refused there: the check above can fail.
      assert.throws(() => new rd.Producer({ ...producerProperties(spec, shape), 'no.such.property': 1 }), /No such configuration property/);
    });

    it('the native client: the same settings, and TLS with a real certificate and every SASL mechanism, accepted by Debian’s librdkafka', async function () {
      requireInstalled(this, 'native');
      const native = loadNative();
      const made: Promise<void>[] = [];
      // Each client made is closed at once; its "closed" event says its threads are gone.
      const closing = (): { done: () => void; promise: Promise<void> } => {
        let done!: () => void;
        const promise = new Promise<void>((resolve) => (done = resolve));
        return { done, promise };
      };
      const makeProducer = (props: [string, string][]): void => {
        const c = closing();
        const h = native.createProducer(props, (kind) => kind === 'closed' && c.done());
        made.push(c.promise);
        native.closeProducer(h);
      };
      const makeConsumer = (props: [string, string][]): void => {
        const c = closing();
        const h = native.createConsumer(props, 't', 'earliest', (kind) => kind === 'closed' && c.done());
        made.push(c.promise);
        native.closeConsumer(h);
      };
      // Quiet: these clients never reach a broker, and librdkafka would log each refused connect.
      const text = (config: Record<string, unknown>): [string, string][] => [
        ...Object.entries(config).map(([k, v]): [string, string] => [k, String(v)]),
        ['log_level', '0'],
      ];
      for (const s of [shape, { ...shape, idempotent: false, max_in_flight: 1, acks: 0 as const, compression: 'lz4' as const, linger_ms: 0, batch_bytes: 1 }])
        assert.doesNotThrow(() => makeProducer(text(producerProperties(spec, s))), JSON.stringify(s));
      for (const c of [consumer, { ...consumer, consumer_max_buffer_size: 1, consumer_session_timeout_ms: 6000 }, { ...consumer, consumer_max_buffer_size: 0 }])
        assert.doesNotThrow(() => makeConsumer(text(consumerProperties({ ...spec, kind: 'sub' }, c))), JSON.stringify(c));
      // A self-signed certificate and its key, made here: librdkafka parses both when a client is made.
      const dir = tempDir();
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-subj',
            '/CN=hydra-test',
            '-days',
            '1',
            '-keyout',
            path.join(dir, 'key.pem'),
            '-out',
            path.join(dir, 'cert.pem'),
          ],
          {
            stdio: 'ignore',
          },
        );
        const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
        const key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
        for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
          const security = { tls: { ca: cert, cert, key }, sasl: { mechanism, username: 'u', password: 'p' } };
          const secured = { ...spec, kafka_security: security };
          assert.doesNotThrow(() => makeProducer(text(producerProperties(secured, shape))), mechanism);
          assert.doesNotThrow(() => makeConsumer(text(consumerProperties({ ...secured, kind: 'sub' }, consumer))), mechanism);
        }
        assert.doesNotThrow(() =>
          makeProducer(text({ ...producerProperties(spec, shape), ...securityProperties({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } }) })),
        );
        // A key that is not one is refused when the client is made, naming what librdkafka said: the checks above can fail.
        assert.throws(
          () =>
            makeProducer(
              text(
                producerProperties(
                  { ...spec, kafka_security: { tls: { ca: cert, cert, key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' } } },
                  shape,
                ),
              ),
            ),
          /ssl|key/i,
        );
        assert.throws(
          () => makeProducer([...text(producerProperties(spec, shape)), ['no.such.property', '1']]),
          /librdkafka property no\.such\.property=1: No such configuration property/,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      // Each one made leaves on close, its thread and librdkafka's with it.
      await Promise.all(made);
    });
  });

  describe('a CLI study varying the client', () => {
    const sandbox = cliSandbox();

    it('measures a curve per client, names the client on each progress line and in the table, and leaves no process behind', async () => {
      const t = sandbox.tag();
      const run = await runHydra(
        [
          'sweep',
          '--clients=2',
          '--clients_per_app=1',
          '--msg_rates=500,1000',
          `--vary=client_library=kafkajs,librdkafka${isInstalled('native') ? ',native' : ''}`,
          '--test_duration=2',
          `--results_dir=${path.join(sandbox.dir(), 'results')}`,
          `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
          '--config_file=',
        ],
        { tag: t, timeoutMs: 150000 },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /point \d\/\d done: 2 clients, 1000 msg\/s, batch 100, client_library=librdkafka → loss 0\.000 %/);
      assert.match(run.stderr, /point \d\/\d done: 2 clients, 500 msg\/s, batch 100, client_library=kafkajs → loss 0\.000 %/);
      if (isInstalled('native')) assert.match(run.stderr, /point \d\/6 done: 2 clients, 1000 msg\/s, batch 100, client_library=native → loss 0\.000 %/);
      const lines = run.stdout.trim().split('\n');
      const header = lines[0]!.trim().split(/\s+/);
      const column = header.indexOf('client_library');
      assert.ok(column > 0, `a client_library column: ${lines[0]}`);
      // Data rows start with the client count and the batch; the notes and the summary under the table do not.
      const rows = lines
        .slice(1)
        .filter((l) => /^\s*\d+\s+\d/.test(l))
        .map((l) => l.trim().split(/\s+/));
      assert.deepEqual(
        rows.map((r) => r[column]),
        ['kafkajs', 'kafkajs', 'librdkafka', 'librdkafka', ...(isInstalled('native') ? ['native', 'native'] : [])],
      );
      // On the embedded broker a point with no harness limit is a rehearsal, not a measurement of Kafka.
      // (On a busy host a point may be the host's: its table cell says so, and its progress line names the host.)
      for (const r of rows) assert.match(r[header.indexOf('verdict')] ?? '', /^(rehearsal|harness:host)$/, r.join(' '));
      if (rows.some((r) => r[header.indexOf('verdict')] === 'harness:host'))
        assert.match(run.stderr, /the host, not Kafka, was the limit: host CPU .* runnable on \d+ cores/);
      assert.deepEqual(await waitNoProcesses(t), [], 'no app or kcat left after the study');
    });
  });
});

for (const library of ['librdkafka', 'native'] as const) {
  describe(`points in one session, ${library} client (real processes, embedded broker)`, function () {
    this.timeout(240000);
    before(function () {
      requireInstalled(this, library);
    });

    let dir: string;
    let broker: BrokerHandle;
    let session: TestSession | undefined;
    const pids = new Set<number>();
    const options: HydraOptions = sessionTestOptions({ test_duration: 3, client_library: library });
    const point = (over: Partial<PointParams>): PointParams => ({ ...pointParamsOf(options), ...over });
    const run = async (over: Partial<PointParams>): Promise<PointRun> => {
      session ??= await TestSession.open({ ...options, log_dir: path.join(dir, 'logs') }, { broker });
      const r = await session.runPoint(point(over));
      for (const a of r.apps) if (a.pid !== null) pids.add(a.pid);
      return r;
    };

    before(async () => {
      dir = tempDir();
      broker = await startEmbeddedBroker();
    });
    after(async () => {
      await session?.close();
      assert.deepEqual(stillAlive(pids), [], 'no app outlives the session');
      await broker?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('measures a point lossless and in order, with a clean verdict and produce and fetch round trips from its statistics', async () => {
      const r = await run({});
      const res = r.result;
      assert.deepEqual(r.faults, []);
      assert.equal(res.packet_tx, 3000);
      assert.equal(res.average_packets, res.packet_tx);
      assert.equal(res.lost_total, 0);
      assert.equal(res.duplicated_total, 0);
      assert.equal(res.reordered_total, 0);
      assert.equal(res.pub_send_errors, 0);
      assertRehearsalOrBusyHost(res);
      assert.ok(res.produce_rtt_p50_ms !== null && res.produce_rtt_p50_ms > 0, `produce rtt ${res.produce_rtt_p50_ms}`);
      assert.ok(res.fetch_rtt_p99_ms !== null && res.fetch_rtt_p99_ms > 0, `fetch rtt ${res.fetch_rtt_p99_ms}`);
    });

    it('keeps send order with five requests in flight through idempotence (no reordering note), compressing with zstd', async () => {
      const r = await run({
        acks: -1,
        idempotent: true,
        max_in_flight: 5,
        compression: 'zstd',
        msg_size: 512,
        payload_random_pct: 20,
        batch_bytes: 4096,
        partitions: 2,
        msg_rate: 2000,
      });
      const res = r.result;
      assert.deepEqual(r.faults, []);
      assert.equal(res.packet_tx, 6000);
      assert.equal(res.average_packets, res.packet_tx);
      assert.equal(res.lost_total, 0);
      assert.equal(res.duplicated_total, 0);
      // Unlike kafkajs at max_in_flight > 1, the order is Kafka's to keep: shown, and kept.
      assert.equal(res.reordered_total, 0);
      assert.doesNotMatch(res.figure_notes?.join(' ') ?? '', /reordered not shown/);
    });

    it('one shared group: the members split 4 partitions and the group gets every message once', async () => {
      // The mock cluster's coordinator can keep a new group of starved members rebalancing for a
      // minute (seen once with the host 100 % busy): measured once more with fresh apps, said so.
      let r: PointRun;
      try {
        r = await run({ consumer_group: 'shared', partitions: 4 });
      } catch (err) {
        if (!/waiting for consumers joined/.test(String(err))) throw err;
        process.stderr.write(`      (the mock's group join timed out, measured again with fresh apps: ${String(err)})\n`);
        await session?.resetApps();
        r = await run({ consumer_group: 'shared', partitions: 4 });
      }
      assert.deepEqual(r.faults, []);
      const res = r.result;
      assert.equal(res.client_count, 4);
      assert.equal(res.average_packets, res.packet_tx, 'the group received each message once');
      assert.equal(res.failing_clients, 0);
      assert.equal(res.lost_total, 0);
      assert.equal(res.duplicated_total, 0);
    });

    it('switches to kafkajs and back in the same session: the apps replace their clients, every message still arrives', async () => {
      for (const client_library of ['kafkajs', library] as const) {
        const r = await run({ client_library, msg_rate: 500 });
        assert.deepEqual(r.faults, [], client_library);
        assert.equal(r.result.average_packets, r.result.packet_tx, client_library);
        assert.equal(r.result.lost_total, 0, client_library);
        assertRehearsalOrBusyHost(r.result, client_library);
      }
    });
  });
}
