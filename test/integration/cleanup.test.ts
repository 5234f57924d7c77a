import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../../src/config/options';
import type { RunnerEvent } from '../../src/runner/events';
import { TestSession } from '../../src/runner/session';
import { tempDir } from '../helpers';

/**
 * A session on a cluster it did not start removes its run's topics and groups when it closes, and
 * reports what it could not remove instead of failing. The embedded broker stands in for a real
 * cluster here; it has no ListGroups, so this exercises the reporting path — the deletion itself
 * is covered against a faithful fake (unit tests) and checked on a real Apache Kafka separately.
 */
describe('cluster cleanup when a run ends (embedded broker as a stand-in cluster)', function () {
  this.timeout(60000);
  let dir: string;
  let broker: BrokerHandle;
  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
  });
  after(async () => {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const options = (over: Partial<HydraOptions>): HydraOptions => ({ ...DEFAULT_OPTIONS, config_file: '', log_dir: path.join(dir, 'logs'), ...over });

  it('reports what it could not remove, with the command that removes it, and closes cleanly', async () => {
    const events: RunnerEvent[] = [];
    const o = options({ total_sub_apps: 1, clients_per_app: 1, test_duration: 1, drain_timeout: 1 });
    const session = await TestSession.open(o, { broker: { ...broker, embedded: false }, onEvent: (e) => events.push(e) });
    // A point puts the run's topic and groups on the cluster: now there is something to remove.
    await session.runPoint(pointParamsOf(o));
    await session.close();
    const cleanup = events.find((e) => e.type === 'cleanup');
    assert.ok(cleanup && cleanup.type === 'cleanup', 'a cleanup event');
    assert.equal(cleanup.run, session.runId);
    assert.match(cleanup.failed.join(';'), /listing them failed/);
    assert.ok(broker.pid && (() => process.kill(broker.pid, 0))(), 'the cluster (not the session’s) is left running');
  });

  it('a run that created nothing on the cluster (its login refused) does not tell the user to clean up', async () => {
    process.env.HYDRA_TEST_CLEANUP_PW = 'wrong-password';
    const events: RunnerEvent[] = [];
    const o = options({
      total_sub_apps: 1,
      clients_per_app: 1,
      test_duration: 1,
      security_protocol: 'sasl_plaintext',
      sasl_mechanism: 'plain',
      sasl_username: 'bench',
      sasl_password_env: 'HYDRA_TEST_CLEANUP_PW',
      join_timeout: 5,
    });
    try {
      const session = await TestSession.open(o, { broker: { ...broker, embedded: false }, onEvent: (e) => events.push(e) });
      // The cluster refuses the login (the mock speaks no SASL): the point cannot be measured.
      await assert.rejects(session.runPoint(pointParamsOf(o)));
      await session.close();
    } finally {
      delete process.env.HYDRA_TEST_CLEANUP_PW;
    }
    assert.deepEqual(
      events.filter((e) => e.type === 'cleanup'),
      [],
      'no cleanup attempted, no "remove them with hydra clean" for what was never made',
    );
  });

  it('leaves everything with keep_topics, and on the embedded broker', async () => {
    for (const [over, handle] of [
      [{ keep_topics: true }, { ...broker, embedded: false }],
      [{}, broker],
    ] as const) {
      const events: RunnerEvent[] = [];
      const session = await TestSession.open(options(over), { broker: handle, onEvent: (e) => events.push(e) });
      await session.close();
      assert.equal(events.filter((e) => e.type === 'cleanup').length, 0);
    }
  });
});
