import { strict as assert } from 'node:assert';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions, type PointParams } from '../../src/config/options';
import { PointError } from '../../src/errors';
import type { RunnerEvent } from '../../src/runner/events';
import { sortFaults } from '../../src/runner/harness-faults';
import { PointMeasurement } from '../../src/runner/point';
import type { PointRun } from '../../src/runner/point-runner';
import { emptyPubStats } from '../../src/control/wire';
import { FakeApps, fakeCluster, type SubScript } from '../fake-apps';

/**
 * One point's phases — configure, join, reset, publish, drain, collect, fault sorting — on
 * scripted apps (test/fake-apps.ts): what a dead, frozen, late or duplicating app makes of a point,
 * in milliseconds, with no broker.
 */
describe('a point on scripted apps (configure, join, drain, collect, faults)', () => {
  const options: HydraOptions = { ...DEFAULT_OPTIONS, config_file: '', drain_timeout: 0.2, join_timeout: 2, control_timeout_ms: 100 };
  const params: PointParams = { ...pointParamsOf(options), total_sub_apps: 2, clients_per_app: 2, msg_rate: 1000, test_duration: 1 };

  async function measure(
    subs: SubScript[],
    over: { params?: Partial<PointParams>; sendErrors?: number; apps?: FakeApps } = {},
  ): Promise<{ run: PointRun; apps: FakeApps; phases: string[] }> {
    const apps = over.apps ?? new FakeApps({ subs, sendErrors: over.sendErrors ?? 0 });
    const phases: string[] = [];
    const run = await new PointMeasurement(
      {
        options,
        apps,
        cluster: fakeCluster(apps),
        emit: (e: RunnerEvent) => void (e.type === 'phase' && phases.push(e.phase)),
        index: 0,
        topic: 'hydra-fake',
        topics: ['hydra-fake'],
        topicPartitions: 1,
        partitionCount: 4,
        sharedGroupFor: () => 'hydra-fake-group',
        embedded: true,
        pollMs: 5,
      },
      { ...params, ...over.params },
    ).run();
    return { run, apps, phases };
  }

  it('a clean point: every phase in order, every client got everything, no fault', async () => {
    const { run, phases } = await measure(['ok', 'ok']);
    assert.deepEqual(phases, ['configure', 'join', 'publish', 'drain', 'collect']);
    assert.deepEqual(run.faults, []);
    assert.equal(run.result.client_count, 4);
    assert.equal(run.result.average_packet_loss, 0);
    assert.equal(run.result.failing_clients, 0);
    assert.deepEqual(
      run.apps.map((a) => [a.name, a.status]),
      [
        ['pub', 'ok'],
        ['sub-0', 'ok'],
        ['sub-1', 'ok'],
      ],
    );
  });

  it('a sub app that dies mid-point: a fault naming it, its clients left out (not loss), the app replaced at the next point', async () => {
    const apps = new FakeApps({ subs: ['ok', 'dies'] });
    const { run } = await measure([], { apps });
    assert.equal(run.faults.length, 1);
    assert.match(run.faults[0] ?? '', /^sub app sub-1 \(pid \d+\) died during the point$/);
    assert.equal(run.result.client_count, 4, 'its clients are still counted as configured');
    assert.equal(run.result.failing_clients, 0, 'but not as failing: a dead harness process is not Kafka loss');
    assert.deepEqual(apps.dropped, ['sub-1']);
    const next = await measure([], { apps });
    assert.deepEqual(next.run.replaced, ['sub-1']);
  });

  it('a frozen sub app: "stopped answering", killed, never loss', async () => {
    const { run, apps } = await measure(['freezes', 'ok']);
    assert.match(run.faults[0] ?? '', /^sub app sub-0 \(pid \d+\) stopped answering \(frozen or overloaded\)$/);
    assert.deepEqual(
      run.apps.filter((a) => a.status !== 'ok').map((a) => [a.name, a.status]),
      [['sub-0', 'unresponsive']],
    );
    assert.equal(run.result.average_packet_loss, 0);
    assert.deepEqual(apps.dropped, ['sub-0']);
  });

  it('a late joiner: publishing waits until its consumers are positioned', async () => {
    const { run, apps } = await measure(['ok', { late: 3 }]);
    assert.deepEqual(run.faults, []);
    const statusPolls = apps.calls.filter((c) => c === 'sub-1 teststatus');
    assert.ok(statusPolls.length >= 4, `${statusPolls.length} polls before and after it joined`);
    const firstStart = apps.calls.indexOf('pub teststart');
    const lastJoinPoll = apps.calls.lastIndexOf('sub-1 teststatus', firstStart);
    assert.ok(
      lastJoinPoll < firstStart && apps.calls.slice(0, firstStart).filter((c) => c === 'sub-1 teststatus').length === 4,
      'teststart after the 4th poll',
    );
  });

  it('a consumer stopped for good while joining fails the point at once, naming it', async () => {
    await assert.rejects(
      measure(['ok', 'consumer-dies']),
      (e: unknown) => e instanceof PointError && /^a consumer stopped while joining \(1\): sub-1-c0: KafkaJSNonRetriableError/.test(e.message),
    );
  });

  it('duplicates are Kafka’s figure: counted, not a fault', async () => {
    const { run } = await measure(['duplicates', 'ok']);
    assert.deepEqual(run.faults, []);
    assert.equal(run.result.duplicated_total, 2000);
  });

  it('publisher send errors and a shared group rebalancing inside the window are faults', async () => {
    const { run } = await measure(['rejoins', 'ok'], { sendErrors: 5, params: { consumer_group: 'shared' } });
    assert.deepEqual(run.faults, [
      'publisher send errors: 5 messages not acknowledged (KafkaJSNumberOfRetriesExceeded)',
      'shared group hydra-fake-group rebalanced during the point (members joined again: sub-0-c0, sub-0-c1)',
    ]);
  });

  it('sorts faults in one order: apps that died or froze, send errors, a rebalanced group, stalls', () => {
    const pub = { name: 'pub', kind: 'pub' as const, pid: 1, endpoint: '', logFile: '', exited: new Promise<string>(() => undefined), isAlive: () => true };
    const faults = sortFaults({
      collected: [
        { report: { app: 'sub-0', clients: null }, fate: { name: 'sub-0', kind: 'sub', pid: 7, status: 'unresponsive' } },
        { report: { app: 'sub-1', clients: null }, fate: { name: 'sub-1', kind: 'sub', pid: 8, status: 'died' } },
      ],
      pubs: [pub],
      pubStats: [{ ...emptyPubStats(), send_errors: 3, last_error: 'timeout' }],
      sharedGroup: null,
      stalledApps: ["pub's event loop stood still 3.0 s"],
    });
    assert.deepEqual(faults, [
      'sub app sub-0 (pid 7) stopped answering (frozen or overloaded)',
      'sub app sub-1 (pid 8) died during the point',
      'publisher send errors: 3 messages not acknowledged (timeout)',
      "pub's event loop stood still 3.0 s",
    ]);
  });
});
