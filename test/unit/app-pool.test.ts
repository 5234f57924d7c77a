import { strict as assert } from 'node:assert';
import { newControlAuth } from '../../src/control/auth';
import type { AppHandle, Launcher, Placement } from '../../src/launch';
import { placementOf } from '../../src/launch';
import { AppPool } from '../../src/runner/app-pool';
import type { RunnerEvent } from '../../src/runner/events';

/** A launcher that starts nothing: handles it can end at will, placed where a test says. */
class ScriptedLauncher implements Launcher {
  readonly logDir = '/fake/logs';
  readonly launched: string[] = [];
  readonly removed: string[] = [];
  private readonly subs: (AppHandle & { end(): void })[] = [];
  private pid = 100;

  constructor(readonly placement: Placement = { controlAddresses: ['127.0.0.1'], otherHosts: false }) {}

  handle(kind: 'pub' | 'sub', name: string): AppHandle & { end(): void } {
    let alive = true;
    let end: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (end = resolve));
    return {
      name,
      kind,
      pid: this.pid++,
      endpoint: `tcp://127.0.0.1:${this.pid}`,
      logFile: `/fake/logs/${name}.log`,
      exited,
      isAlive: () => alive,
      end: () => {
        alive = false;
        end(1);
      },
    };
  }

  async launch(kind: 'pub' | 'sub', name: string): Promise<AppHandle & { end(): void }> {
    this.launched.push(name);
    return this.handle(kind, name);
  }

  async scaleSubGroup(count: number): Promise<{ apps: AppHandle[]; added: AppHandle[]; removed: AppHandle[] }> {
    const added: AppHandle[] = [];
    while (this.subs.length < count) {
      const app = this.handle('sub', `sub-${this.subs.length}`);
      this.subs.push(app);
      added.push(app);
    }
    const removed = this.subs.splice(count);
    return { apps: [...this.subs], added, removed };
  }

  subApps(): AppHandle[] {
    return [...this.subs];
  }

  async remove(app: AppHandle): Promise<void> {
    this.removed.push(app.name);
  }

  async removeAll(): Promise<void> {
    for (const app of this.subs.splice(0)) this.removed.push(app.name);
  }
}

describe('the app pool (a scripted launcher)', () => {
  const pool = (launcher: Launcher, events: RunnerEvent[] = []): AppPool =>
    new AppPool(
      launcher,
      newControlAuth('pool-run', false),
      1000,
      { watched: { ended: new Promise<string>(() => undefined), error: () => new Error('lost') }, lostBefore: () => null },
      (e) => events.push(e),
    );

  it('launches the publishers a point needs, relaunches a dead one and says it was replaced, stops the extra ones', async () => {
    const launcher = new ScriptedLauncher();
    const events: RunnerEvent[] = [];
    const p = pool(launcher, events);
    const first = await p.prepare(2, 2);
    assert.deepEqual(
      first.pubs.map((a) => a.name),
      ['pub', 'pub-1'],
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'phase' ? `${e.phase}: ${e.detail ?? ''}` : e.type)),
      ['launch: publishers 0 → 2', 'scale: sub apps 0 → 2'],
    );
    (first.pubs[1] as AppHandle & { end(): void }).end();
    const second = await p.prepare(2, 2);
    assert.deepEqual(p.takeReplaced(), ['pub-1']);
    assert.deepEqual(p.takeReplaced(), [], 'taken once');
    assert.deepEqual(
      second.pubs.map((a) => a.name),
      ['pub', 'pub-1'],
    );
    await p.prepare(2, 1);
    assert.deepEqual(launcher.removed, ['pub-1', 'pub-1'], 'the dead one, then the extra one');
  });

  it('a reset replaces every app, and the next point says so', async () => {
    const p = pool(new ScriptedLauncher());
    await p.prepare(2, 1);
    await p.resetAll();
    assert.deepEqual([...p.takeReplaced()].sort(), ['pub', 'sub-0', 'sub-1']);
  });

  it('asks no app for its clock where every app shares the runner’s', async () => {
    const p = pool(new ScriptedLauncher());
    const { pubs, subs } = await p.prepare(1, 1);
    // These endpoints answer nothing: a clock exchange would time out.
    assert.deepEqual(await p.clockOffsets([...pubs, ...subs]), new Map());
  });

  it('knows where each launcher kind puts its apps before it exists', () => {
    assert.deepEqual(placementOf('local', { control_host: '127.0.0.1' }), { controlAddresses: ['127.0.0.1'], otherHosts: false });
    assert.deepEqual(placementOf('command', { control_host: '127.0.0.1', hosts: [{ name: 'h1', address: '10.0.0.2' }] }), {
      controlAddresses: ['10.0.0.2'],
      otherHosts: true,
    });
    assert.equal(placementOf('kubernetes', { control_host: '127.0.0.1' }).otherHosts, true);
  });
});
