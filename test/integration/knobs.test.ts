import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { keyBytes } from '../../src/apps/payload';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { pointParamsOf, type HydraOptions, type PointParams } from '../../src/config/options';
import { keyPartitioner } from '../../src/apps/partitioner';
import type { RunnerEvent } from '../../src/runner/events';
import { TestSession, type PointRun } from '../../src/runner/session';
import { sessionTestOptions, stillAlive, tempDir } from '../helpers';

/**
 * The knobs of a production-like workload, end to end on real processes and the embedded broker:
 * keyed messages land where Kafka's default partitioner puts them (checked against the log ends
 * of the topic's partitions), five requests in flight with small requests (the idempotent
 * producer cannot run on the mock cluster: refused in one line), and one shared consumer group whose members split the partitions (queue semantics).
 */
describe('workload knobs end to end (real processes, embedded broker)', function () {
  this.timeout(240000);
  let dir: string;
  let broker: BrokerHandle;
  let admin: Admin | undefined;
  let session: TestSession | undefined;
  const events: RunnerEvent[] = [];
  const pids = new Set<number>();

  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
    admin = new Kafka({ brokers: broker.brokers, clientId: 'hydratest-knobs', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });
  after(async () => {
    await session?.close();
    assert.deepEqual(stillAlive(pids), [], 'no app outlives the session');
    await admin?.disconnect();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options: HydraOptions = sessionTestOptions({ test_duration: 2 });
  const point = (over: Partial<PointParams>): PointParams => ({ ...pointParamsOf(options), ...over });
  const run = async (over: Partial<PointParams>): Promise<PointRun> => {
    session ??= await TestSession.open({ ...options, log_dir: path.join(dir, 'logs') }, { broker, onEvent: (e) => events.push(e) });
    const r = await session.runPoint(point(over));
    for (const a of r.apps) if (a.pid !== null) pids.add(a.pid);
    return r;
  };
  /**
   * As a study does: a point whose consumer kafkajs stopped while joining is measured again with
   * fresh apps. (The mock cluster's group coordinator now and then answers a SyncGroup of members
   * joining a new group together with INVALID_REQUEST, which kafkajs does not retry.)
   */
  const runRetrying = async (over: Partial<PointParams>): Promise<PointRun> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(over);
      } catch (err) {
        if (attempt >= 3 || !/a consumer stopped while joining/.test(String(err))) throw err;
        await session?.resetApps();
      }
    }
  };
  const logEnds = async (topic: string): Promise<number[]> =>
    (await (admin as Admin).fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));

  it('keys round-robin over 16 keys: each partition holds exactly the messages its keys hash to, none lost, duplicated or reordered', async () => {
    // A first point makes the session's topic, so its log ends can be read before the keyed one.
    const warm = await run({ msg_rate: 200, test_duration: 1 });
    const before = await logEnds(warm.topic);
    const keyed = await run({ partitions: 4, keys: 'round_robin', key_count: 16 });
    const after = await logEnds(keyed.topic);
    const r = keyed.result;
    assert.deepEqual(keyed.faults, []);
    assert.equal(r.lost_total, 0);
    assert.equal(r.duplicated_total, 0, 'one sequence per partition: equal numbers in two partitions are not duplicates');
    assert.equal(r.reordered_total, 0, 'each partition in order');
    assert.equal(r.average_packets, r.packet_tx);
    // Message k has key k mod 16; the partition is murmur2(key) mod 4, Kafka's default partitioner.
    const partitionOf = keyPartitioner(4);
    const expected = [0, 0, 0, 0];
    for (let k = 0; k < r.packet_tx; k++) (expected[partitionOf(keyBytes(k % 16))] as number)++;
    assert.deepEqual(
      after.map((end, p) => end - (before[p] ?? 0)),
      expected,
      'messages per partition in the log',
    );
    assert.ok(expected.filter((n) => n > 0).length >= 2, `16 keys spread over partitions: ${expected.join(',')}`);
  });

  it('5 requests in flight with acks=all and 4 KB requests deliver every message once, reordering not shown as Kafka’s; idempotence refused in one line on the embedded broker', async () => {
    await assert.rejects(
      run({ acks: -1, idempotent: true }),
      /idempotent="true": the embedded broker \(librdkafka's mock cluster\) names controller 0.*use the librdkafka client \(client_library=librdkafka\) or a real cluster/,
    );
    const r = await run({ acks: -1, max_in_flight: 5, msg_size: 1024, batch_bytes: 4096, partitions: 2, msg_rate: 2000 });
    assert.deepEqual(r.faults, []);
    assert.ok(r.result.packet_tx >= 3800, `packet_tx ${r.result.packet_tx}`);
    assert.equal(r.result.pub_send_errors, 0);
    assert.equal(r.result.lost_total, 0);
    assert.equal(r.result.duplicated_total, 0);
    // kafkajs encodes concurrent requests concurrently: their order on the wire is the client's, so not shown.
    assert.equal(r.result.reordered_total, null);
    assert.equal(typeof r.result.reordered_by_client, 'number');
    assert.match(r.result.figure_notes?.join(' ') ?? '', /reordered not shown: with max_in_flight > 1 kafkajs/);
  });

  it("10 KB messages faster than a client reads: what the embedded broker's bounded log dropped is its limit, never Kafka loss", async () => {
    const r = await run({ msg_size: 10000, payload_random_pct: 50, msg_rate: 1_000_000, total_sub_apps: 1, clients_per_app: 1 });
    const res = r.result;
    assert.ok((res.expired_total ?? 0) > 0, `the mock dropped unread messages (expired ${res.expired_total}, behind ${res.behind_total})`);
    assert.equal(res.lost_total, 0, 'nothing counted as Kafka loss');
    assert.ok(res.harness_limits.includes('embedded_broker'), res.harness_notes.join('; '));
    assert.equal(res.verdict, 'harness_limited');
  });

  it('one shared group: the members split 4 partitions and the group, not each member, gets every message', async () => {
    const r = await runRetrying({ consumer_group: 'shared', partitions: 4 });
    assert.deepEqual(r.faults, []);
    const res = r.result;
    assert.equal(res.client_count, 4, 'four members');
    assert.equal(res.average_packets, res.packet_tx, 'the group received each message once');
    assert.equal(res.average_packet_loss, 0);
    assert.equal(res.failing_clients, 0, 'no member is failing for getting only its share');
    assert.equal(res.lost_total, 0);
    assert.equal(res.duplicated_total, 0);
    const join = events.filter((e) => e.type === 'phase' && e.phase === 'join').at(-1);
    assert.ok(join?.type === 'phase' && /join/.test(join.detail ?? ''), 'the shared group joined before publishing');
    // Back to HYDRA's fan-out in the same session: consumers replaced, every client gets everything again.
    const fanOut = await runRetrying({ partitions: 4 });
    assert.deepEqual(fanOut.faults, []);
    assert.equal(fanOut.result.average_packets, fanOut.result.packet_tx);
    assert.equal(fanOut.result.failing_clients, 0);
  });
});
