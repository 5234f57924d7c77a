import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../../src/config/options';
import { TestSession } from '../../src/runner/session';
import { tempDir } from '../helpers';

describe('an unresponsive sub app (real processes, embedded broker)', function () {
  this.timeout(120000);
  let dir: string;
  let session: TestSession | undefined;
  before(() => {
    dir = tempDir();
  });
  after(async () => {
    await session?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is reported, its clients count as failing, the point completes and the app is replaced', async () => {
    const options: HydraOptions = {
      ...DEFAULT_OPTIONS,
      config_file: '',
      log_dir: path.join(dir, 'logs'),
      control_timeout_ms: 1000,
      drain_timeout: 2,
      total_sub_apps: 2,
      clients_per_app: 2,
      test_duration: 2,
      msg_rate: 500,
    };
    let frozen: number | undefined;
    session = await TestSession.open(options, {
      onEvent: (e) => {
        // Freeze one sub app once everyone has joined: it can no longer answer the control plane.
        if (e.type === 'phase' && e.phase === 'publish' && frozen === undefined) {
          frozen = session?.launcher.subApps().find((a) => a.name === 'sub-1')?.pid;
          if (frozen) process.kill(frozen, 'SIGSTOP');
        }
      },
    });
    const run = await session.runPoint(pointParamsOf(options));
    assert.ok(frozen, 'a sub app was frozen');
    const r = run.result;
    assert.equal(r.client_count, 4);
    assert.deepEqual(r.unresponsive_apps, ['sub-1']);
    assert.ok(r.failing_clients >= 2, `${r.failing_clients} failing`);
    assert.equal(r.packet_tx, 1000);
    assert.ok(Math.abs(r.average_packet_loss - 50) < 1, `loss ${r.average_packet_loss} ≈ 50 % (half the clients got nothing we could collect)`);
    // The frozen app was removed; the next point gets a fresh one in its place.
    const next = await session.runPoint({ ...pointParamsOf(options), test_duration: 1 });
    assert.deepEqual(next.result.unresponsive_apps, []);
    assert.ok(!next.subPids.includes(frozen as number), 'the frozen app was replaced');
    assert.throws(() => process.kill(frozen as number, 0), 'the frozen app is gone');
  });
});
