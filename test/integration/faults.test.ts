import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../../src/config/options';
import { ControlClient } from '../../src/control/client';
import type { PubCommands, SubCommands } from '../../src/control/protocol';
import { ControlReplyError } from '../../src/errors';
import type { AppHandle } from '../../src/launch';
import type { RunnerEvent } from '../../src/runner/events';
import { TestSession } from '../../src/runner/session';
import { createStudy, runStudy } from '../../src/study/run';
import { tempDir } from '../helpers';

/**
 * Harness faults on real processes and the embedded broker: none may be stored as an ok point or
 * counted as Kafka loss. One broker serves every test here (each session opens its own apps).
 */
describe('harness faults (real processes, embedded broker)', function () {
  this.timeout(120000);
  let dir: string;
  let broker: BrokerHandle;
  const sessions: TestSession[] = [];
  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });
  after(async () => {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const options = (over: Partial<HydraOptions> = {}): HydraOptions => ({
    ...DEFAULT_OPTIONS,
    config_file: '',
    log_dir: path.join(dir, 'logs'),
    results_dir: path.join(dir, 'results'),
    control_timeout_ms: 1000,
    drain_timeout: 2,
    total_sub_apps: 2,
    clients_per_app: 2,
    test_duration: 2,
    msg_rate: 500,
    ...over,
  });

  /** A session on the shared broker that calls `onPublish(session)` once, when the first point starts publishing. */
  async function openSession(o: HydraOptions, onPublish?: (s: TestSession) => void | Promise<void>): Promise<TestSession> {
    let fired = false;
    const opened: { session?: TestSession } = {};
    const onEvent = (e: RunnerEvent): void => {
      if (e.type === 'phase' && e.phase === 'publish' && !fired && opened.session) {
        fired = true;
        void onPublish?.(opened.session);
      }
    };
    const session = await TestSession.open(o, { broker, onEvent });
    opened.session = session;
    sessions.push(session);
    return session;
  }

  const sub = (s: TestSession, name: string): AppHandle => {
    const app = s.launcher.subApps().find((a) => a.name === name);
    assert.ok(app, `${name} is running`);
    return app;
  };
  const gone = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };

  it('a frozen sub app (SIGSTOP) makes the point invalid, not Kafka loss; it is killed and replaced', async () => {
    let frozen: number | undefined;
    const s = await openSession(options(), (session) => {
      frozen = sub(session, 'sub-1').pid;
      process.kill(frozen as number, 'SIGSTOP');
    });
    const run = await s.runPoint(pointParamsOf(options()));
    assert.ok(frozen);
    assert.equal(run.faults.length, 1, run.faults.join('; '));
    assert.match(run.faults[0] as string, /sub app sub-1 \(pid \d+\) stopped answering/);
    assert.deepEqual(
      run.apps.filter((a) => a.status !== 'ok').map((a) => [a.name, a.status]),
      [['sub-1', 'unresponsive']],
    );
    // Kafka-side figures count only clients that reported: the frozen app's clients are not "loss".
    assert.equal(run.result.failing_clients, 0);
    assert.equal(run.result.average_packet_loss, 0);
    assert.ok(gone(frozen as number), 'the frozen app was killed outright');
    const next = await s.runPoint({ ...pointParamsOf(options()), test_duration: 1 });
    assert.deepEqual(next.faults, []);
    assert.deepEqual(next.replaced, ['sub-1']);
    assert.ok(!next.subPids.includes(frozen as number));
  });

  it('a sub app killed mid-point (kill -9) is retried with fresh apps and the point stored from a clean attempt', async () => {
    let killed: number | undefined;
    const o = options();
    const s = await openSession(o, (session) => {
      killed = sub(session, 'sub-0').pid;
      process.kill(killed as number, 'SIGKILL');
    });
    const store = createStudy({ kind: 'sweep', options: o, grid: { client_counts: [4], msg_rates: [500] } });
    const retries: string[] = [];
    const outcome = await runStudy(store, { session: s, onEvent: (e) => e.type === 'point-retry' && retries.push(e.error) });
    const [p] = outcome.points;
    assert.equal(p?.status, 'ok', p?.error ?? '');
    assert.equal(p?.attempts, 2);
    assert.equal(p?.result?.average_packet_loss, 0);
    assert.match(retries[0] ?? '', /invalid \(harness fault\): sub app sub-0 \(pid \d+\) died during the point/);
    assert.ok(!p?.sub_pids?.includes(killed as number));
  });

  it('a publisher killed mid-point ends the wait at once and the point is retried', async () => {
    const o = options({ test_duration: 10 });
    let killedAt = 0;
    const s = await openSession(o, (session) => {
      const pub = session.publisherApps()[0];
      assert.ok(pub?.pid, 'the publisher is running');
      killedAt = Date.now();
      process.kill(pub.pid as number, 'SIGKILL');
    });
    let retryAfterMs = 0;
    let retryError = '';
    const store = createStudy({ kind: 'sweep', options: o, grid: { client_counts: [4], msg_rates: [500] } });
    const outcome = await runStudy(store, {
      session: s,
      onEvent: (e) => {
        if (e.type === 'point-retry' && !retryAfterMs) {
          retryAfterMs = Date.now() - killedAt;
          retryError = e.error;
        }
      },
    });
    assert.match(retryError, /^pub \(pid \d+\) was killed by SIGKILL during publish/);
    assert.equal(outcome.points[0]?.status, 'ok');
    assert.equal(outcome.points[0]?.attempts, 2);
    assert.ok(retryAfterMs > 0 && retryAfterMs < 3000, `retried ${retryAfterMs} ms after the kill, not after the 10 s window`);
  });

  it('garbage bytes on an app control port mid-point change nothing: the point is clean', async () => {
    const s = await openSession(options(), async (session) => {
      const endpoint = sub(session, 'sub-0').endpoint;
      const [host, port] = endpoint.replace('tcp://', '').split(':') as [string, string];
      await Promise.all([
        new Promise<void>((resolve) => {
          const socket: net.Socket = net.connect(Number(port), host, () => socket.end(Buffer.from([0x01, 0x00, 0x02, 0x00, 0x41]), () => resolve()));
          socket.on('error', () => resolve());
        }),
        new Promise<void>((resolve) => {
          const socket: net.Socket = net.connect(Number(port), host, () => socket.end(Buffer.alloc(4096, 0xab), () => resolve()));
          socket.on('error', () => resolve());
        }),
        (async () => {
          const dealer = new zmq.Dealer({ linger: 0 });
          dealer.connect(endpoint);
          await dealer.send('no empty delimiter');
          await new Promise((r) => setTimeout(r, 200));
          dealer.close();
        })(),
      ]);
    });
    const run = await s.runPoint(pointParamsOf(options()));
    assert.deepEqual(run.faults, []);
    assert.equal(run.result.average_packet_loss, 0);
    assert.equal(run.result.failing_clients, 0);
  });

  it('refuses unauthenticated and foreign-run commands, and they change nothing', async () => {
    const s = await openSession(options({ total_sub_apps: 1 }));
    const { pubs, subs } = await s.prepareApps(1);
    const pub = pubs[0] as AppHandle;
    const sub0 = subs[0] as AppHandle;
    const stranger = new ControlClient<PubCommands>(pub.endpoint, 2000);
    const forger = new ControlClient<SubCommands>(sub0.endpoint, 2000, { run: s.runId, secret: 'ab'.repeat(32) });
    const otherRun = new ControlClient<SubCommands>(sub0.endpoint, 2000, { run: 'another-run', secret: s.auth.secret });
    try {
      await assert.rejects(
        stranger.call('updateconfig', {
          topic: 'made-up',
          msg_rate: 100000,
          msg_batch: 100,
          test_duration: 5,
          warmup: 0,
          acks: 1,
          linger_ms: 0,
          t0_ms: Date.now(),
          epoch: 0,
          pub_id: 0,
          partitions: [0],
          keys: 'none',
          key_count: 1,
          batch_bytes: 1000,
          producer: { idempotent: false, max_in_flight: 1, retries: 0, request_timeout_ms: 1000 },
          msg_size: 16,
          payload_random_pct: 100,
          compression: 'none',
        }),
        (e: unknown) => e instanceof ControlReplyError && /unauthenticated command refused/.test(e.message) && !e.retriable,
      );
      await assert.rejects(stranger.call('teststart'), /unauthenticated command refused/);
      await assert.rejects(forger.call('resetstats'), /wrong signature refused/);
      await assert.rejects(otherRun.call('getstats'), /command for run "another-run" refused/);
      // The publisher never took a config or started: the runner's own client still sees it idle.
      const own = s.controlClient<PubCommands>(pub);
      assert.deepEqual(await own.call('teststatus'), { state: 'idle', msg_cnt: 0, error: null });
    } finally {
      stranger.close();
      forger.close();
      otherRun.close();
    }
  });
});
