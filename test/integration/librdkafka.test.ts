import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import type { ConsumerSettings, ProducerShape } from '../../src/client/seam';
import { pointParamsOf, type HydraOptions, type PointParams } from '../../src/config/options';
import type { AppSpec } from '../../src/control/wire';
import { librdkafkaInstalled, loadLibrdkafka } from '../../src/client/librdkafka/load';
import { consumerProperties, producerProperties } from '../../src/client/librdkafka/settings';
import { TestSession, type PointRun } from '../../src/runner/session';
import { cliSandbox, runHydra, sessionTestOptions, stillAlive, tempDir, waitNoProcesses } from '../helpers';

/**
 * The librdkafka client (@confluentinc/kafka-javascript's native API) end to end on real
 * processes and the embedded broker: the same points as kafkajs, its idempotent producer keeping
 * order with five requests in flight, codecs kafkajs lacks, a shared group, both clients in one
 * session, and a CLI study varying the client. CI installs the client (the test command's setup
 * builds it); elsewhere, without it, these are skipped saying so.
 */
describe('the librdkafka client end to end (real processes, embedded broker)', function () {
  this.timeout(240000);
  before(function () {
    if (librdkafkaInstalled()) return;
    if (process.env.CI) throw new Error('the librdkafka client is not installed: the test command (bash scripts/setup.sh test) builds it');
    process.stdout.write('    (skipped: the librdkafka client is not installed here; bash scripts/setup.sh librdkafka installs it)\n');
    this.skip();
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
  });

  describe('points in one session', () => {
    let dir: string;
    let broker: BrokerHandle;
    let session: TestSession | undefined;
    const pids = new Set<number>();
    const options: HydraOptions = sessionTestOptions({ test_duration: 3, client_library: 'librdkafka' });
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

    it('measures a point lossless and in order, with a Kafka verdict and produce and fetch round trips from its statistics', async () => {
      const r = await run({});
      const res = r.result;
      assert.deepEqual(r.faults, []);
      assert.equal(res.packet_tx, 3000);
      assert.equal(res.average_packets, res.packet_tx);
      assert.equal(res.lost_total, 0);
      assert.equal(res.duplicated_total, 0);
      assert.equal(res.reordered_total, 0);
      assert.equal(res.pub_send_errors, 0);
      assert.equal(res.verdict, 'kafka', res.harness_notes.join('; '));
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
      const r = await run({ consumer_group: 'shared', partitions: 4 });
      assert.deepEqual(r.faults, []);
      const res = r.result;
      assert.equal(res.client_count, 4);
      assert.equal(res.average_packets, res.packet_tx, 'the group received each message once');
      assert.equal(res.failing_clients, 0);
      assert.equal(res.lost_total, 0);
      assert.equal(res.duplicated_total, 0);
    });

    it('switches to kafkajs and back in the same session: the apps replace their clients, every message still arrives', async () => {
      for (const client_library of ['kafkajs', 'librdkafka'] as const) {
        const r = await run({ client_library, msg_rate: 500 });
        assert.deepEqual(r.faults, [], client_library);
        assert.equal(r.result.average_packets, r.result.packet_tx, client_library);
        assert.equal(r.result.lost_total, 0, client_library);
        assert.equal(r.result.verdict, 'kafka', `${client_library}: ${r.result.harness_notes.join('; ')}`);
      }
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
          '--vary=client_library=kafkajs,librdkafka',
          '--test_duration=2',
          `--results_dir=${path.join(sandbox.dir(), 'results')}`,
          `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
          '--config_file=',
        ],
        { tag: t, timeoutMs: 150000 },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /point \d\/4 done: 2 clients, 1000 msg\/s, batch 100, client_library=librdkafka → loss 0\.000 %/);
      assert.match(run.stderr, /point \d\/4 done: 2 clients, 500 msg\/s, batch 100, client_library=kafkajs → loss 0\.000 %/);
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
        ['kafkajs', 'kafkajs', 'librdkafka', 'librdkafka'],
      );
      // On the embedded broker a point with no harness limit is a rehearsal, not a measurement of Kafka.
      for (const r of rows) assert.equal(r[header.indexOf('verdict')], 'rehearsal', r.join(' '));
      assert.deepEqual(await waitNoProcesses(t), [], 'no app or kcat left after the study');
    });
  });
});
