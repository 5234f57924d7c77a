import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { encodeMessage } from '../../src/apps/message';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { pointParamsOf, type HydraOptions, type PointParams } from '../../src/config/options';
import type { RunnerEvent } from '../../src/runner/events';
import { TestSession, type PointRun } from '../../src/runner/session';
import { sessionTestOptions, stillAlive, tempDir, busyHost } from '../helpers';

/**
 * Two publishers and a topic shared by a session's points, on real processes and the embedded
 * broker: each publisher's sequence space is tracked on its own (the same numbers from both are
 * not duplicates), a duplicate injected on purpose is counted exactly once per client, a message
 * of an earlier point is not counted at all, and consumers stay joined from point to point.
 */
describe('several publishers on one shared topic (real processes, embedded broker)', function () {
  this.timeout(180000);
  let dir: string;
  let broker: BrokerHandle;
  let session: TestSession | undefined;
  let producer: Producer | undefined;
  const events: RunnerEvent[] = [];
  /** Every app pid the points reported, for the orphan check. */
  const pids = new Set<number>();
  let onPublish: (() => void) | undefined;

  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
    producer = new Kafka({ brokers: broker.brokers, clientId: 'hydratest-injector', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  after(async () => {
    await session?.close();
    const alive = stillAlive(pids);
    assert.deepEqual(alive, [], 'no app outlives the session');
    await producer?.disconnect();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options: HydraOptions = sessionTestOptions();
  const point = (over: Partial<PointParams>): PointParams => ({ ...pointParamsOf(options), ...over });
  const phaseDetails = (phase: string): string[] => events.flatMap((e) => (e.type === 'phase' && e.phase === phase ? [e.detail ?? ''] : []));

  it('keeps two sequence spaces apart, counts an injected duplicate once per client and ignores an earlier point’s message', async () => {
    session = await TestSession.open(
      { ...options, log_dir: path.join(dir, 'logs') },
      {
        broker,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'phase' && e.phase === 'publish') onPublish?.();
        },
      },
    );
    const first = await session.runPoint(point({ total_pub_apps: 1 }));
    assert.equal(first.result.lost_total, 0, 'warm point lost nothing');

    let injected: Promise<unknown> | undefined;
    onPublish = () => {
      onPublish = undefined;
      // Well after publisher 1 sent its message 0 (and every client got it): a copy of it, and a message of point 0.
      injected = new Promise((resolve) => setTimeout(resolve, 1500)).then(() =>
        (producer as Producer).send({
          topic: first.topic,
          acks: 1,
          messages: [
            { partition: 0, value: encodeMessage({ seq: 0, pubId: 1, epoch: 1, intendedMs: Date.now(), sentMs: Date.now() }, Date.now() - 5000) },
            { partition: 0, value: encodeMessage({ seq: 7, pubId: 0, epoch: 0, intendedMs: Date.now(), sentMs: Date.now() }, Date.now() - 5000) },
          ],
        }),
      );
    };
    const second = await session.runPoint(point({ total_pub_apps: 2 }));
    await injected;
    for (const a of [...first.apps, ...second.apps]) if (a.pid !== null) pids.add(a.pid);
    const r = second.result;
    assert.equal(second.topic, first.topic, 'points share the session topic');
    assert.deepEqual(second.faults, []);
    assert.equal(r.pub_apps, 2);
    assert.deepEqual(
      second.apps.filter((a) => a.kind === 'pub').map((a) => a.name),
      ['pub', 'pub-1'],
    );
    assert.ok(r.packet_tx >= 2900 && r.packet_tx <= 3000, `packet_tx ${r.packet_tx}: both publishers' messages`);
    assert.equal(r.client_count, 4);
    assert.equal(r.duplicated_total, 4, 'the injected copy, once per client; both publishers numbering from 0 is no duplicate');
    assert.equal(r.lost_total, 0);
    assert.equal(r.reordered_total, 0);
    // HYDRA counts duplicates in msg_cnt; the earlier point's message is not counted at all.
    assert.equal(r.average_packets, r.packet_tx + 1);
    assert.equal(r.failing_clients, 4);
    assert.ok(phaseDetails('join').at(-1)?.includes('still joined'), `the second point waited for no join: ${phaseDetails('join').join(' | ')}`);
  });

  it('spreads over 4 partitions with gzip and 1 KB messages, then 64 KB ones: nothing lost, duplicated or reordered', async () => {
    assert.ok(session);
    for (const shape of [
      { msg_size: 1024, payload_random_pct: 50, compression: 'gzip' as const, msg_rate: 2000, total_pub_apps: 2 },
      { msg_size: 65536, payload_random_pct: 100, compression: 'none' as const, msg_rate: 100, msg_batch: 10, total_pub_apps: 1 },
    ]) {
      const shaped: PointRun = await session.runPoint(point({ partitions: 4, test_duration: 2, ...shape }));
      for (const a of shaped.apps) if (a.pid !== null) pids.add(a.pid);
      const r = shaped.result;
      const label = `${shape.msg_size} B ${shape.compression}`;
      assert.deepEqual(shaped.faults, [], label);
      // A publisher short of its rate on a busy host is said so by the verdict (the host or the publisher), not silently.
      const heldBack = busyHost(r, label) || r.harness_limits.includes('publisher');
      if (heldBack) assert.ok(r.packet_tx > 0, `${label}: packet_tx ${r.packet_tx}`);
      else assert.ok(r.packet_tx >= shape.msg_rate * 2 * 0.95, `${label}: packet_tx ${r.packet_tx} (${r.harness_notes.join('; ')})`);
      assert.equal(r.lost_total, 0, label);
      assert.equal(r.duplicated_total, 0, `${label}: the same numbers in 4 partitions are not duplicates`);
      assert.equal(r.reordered_total, 0, `${label}: each partition in order`);
      assert.equal(r.average_packets, r.packet_tx, label);
    }
  });

  it('joins only the consumers a point adds, and a point after fewer publishers stops the extra one', async () => {
    assert.ok(session);
    const subPids = session.launcher.subApps().map((a) => a.pid);
    const third = await session.runPoint(point({ clients_per_app: 3, total_pub_apps: 1 }));
    for (const a of third.apps) if (a.pid !== null) pids.add(a.pid);
    assert.equal(third.result.client_count, 6);
    assert.equal(third.result.lost_total, 0);
    assert.equal(third.result.duplicated_total, 0);
    assert.equal(phaseDetails('join').at(-1), 'waiting for 2 new consumers to join and fetch');
    assert.deepEqual(
      session.launcher.subApps().map((a) => a.pid),
      subPids,
      'the same sub apps',
    );
    assert.deepEqual(
      third.apps.filter((a) => a.kind === 'pub').map((a) => a.name),
      ['pub'],
    );
  });
});
