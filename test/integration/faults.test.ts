import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../../src/config/options';
import { ControlClient } from '../../src/control/client';
import type { encodeRequest, PubCommands, SubCommands } from '../../src/control/protocol';
import { ControlReplyError } from '../../src/errors';
import type { AppHandle } from '../../src/launch';
import type { RunnerEvent } from '../../src/runner/events';
import { TestSession } from '../../src/runner/session';
import { createStudy } from '../../src/study/create';
import { runStudy } from '../../src/study/run';
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
    // The record says why it was measured again, and which apps the clean attempt ran without.
    assert.deepEqual(p?.retried_because, retries);
    assert.deepEqual([...(p?.replaced ?? [])].sort(), ['pub', 'sub-0', 'sub-1']);
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

  it('a publisher frozen past the control timeout mid-point: the point ends with its stall named, not a bare timeout', async () => {
    // control_timeout_ms is 1 s here: the runner's status polls go unanswered for 2.5 s.
    const o = options({ test_duration: 4 });
    const s = await openSession(o, (session) => {
      const pid = session.publisherApps()[0]?.pid as number;
      // Once it is publishing (teststart has been answered).
      setTimeout(() => {
        process.kill(pid, 'SIGSTOP');
        setTimeout(() => process.kill(pid, 'SIGCONT'), 2500);
      }, 700);
    });
    const run = await s.runPoint(pointParamsOf(o));
    assert.equal(run.faults.length, 1, run.faults.join('; '));
    assert.match(run.faults[0] ?? '', /^pub's event loop stood still 2\.\d s inside the window, neither running nor waiting for a CPU/);
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

  it('a signed command captured on loopback and sent again mid-point is refused, says why, and changes nothing', async () => {
    // Capture what the runner's control clients put on the wire (the bytes a reader of loopback
    // sees): each request is the string encodeRequest made, sent as it is.
    const sent: { to: string; bytes: Buffer }[] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, to tap the function the client calls
    const protocol = require('../../src/control/protocol') as { encodeRequest: typeof encodeRequest };
    const encode = protocol.encodeRequest;
    protocol.encodeRequest = (cmd, args, signer) => {
      const text = encode(cmd, args, signer);
      sent.push({ to: signer?.to ?? '', bytes: Buffer.from(text) });
      return text;
    };
    const replies: { app: string; reply: { ok: boolean; error?: string } }[] = [];
    try {
      const o = options({ test_duration: 3 });
      let publishes = 0;
      let replayed: Promise<void> = Promise.resolve();
      const replay = async (s: TestSession): Promise<void> => {
        const sub0 = sub(s, 'sub-0');
        const sub1 = sub(s, 'sub-1');
        const captured = sent.find((c) => c.to === 'sub-0' && c.bytes.includes('"cmd":"resetstats"'));
        assert.ok(captured, 'a resetstats to sub-0 was captured');
        // The captured bytes go again to sub-0 (replayed) and to sub-1 (another app).
        for (const app of [sub0, sub1]) {
          const raw = new zmq.Request({ linger: 0, receiveTimeout: 3000 });
          try {
            raw.connect(app.endpoint);
            await raw.send(captured.bytes);
            const [reply] = await raw.receive();
            replies.push({ app: app.name, reply: JSON.parse(String(reply)) as { ok: boolean; error?: string } });
          } finally {
            raw.close();
          }
        }
      };
      const opened: { s?: TestSession } = {};
      const s = await TestSession.open(o, {
        broker,
        onEvent: (e: RunnerEvent) => {
          // Mid-publish of the second point.
          if (e.type === 'phase' && e.phase === 'publish' && ++publishes === 2 && opened.s) {
            const session = opened.s;
            replayed = new Promise((resolve, reject) => setTimeout(() => replay(session).then(resolve, reject), 1000));
          }
        },
      });
      opened.s = s;
      sessions.push(s);
      await s.runPoint(pointParamsOf(o));
      const run = await s.runPoint(pointParamsOf(o));
      await replayed;
      assert.deepEqual(
        replies.map((r) => [r.app, r.reply.ok]),
        [
          ['sub-0', false],
          ['sub-1', false],
        ],
      );
      assert.match(replies[0]?.reply.error ?? '', /^replayed command refused: sequence number \d+ is not above the last one served/);
      assert.equal(replies[1]?.reply.error, 'command for app "sub-0" refused: this is sub-1');
      assert.deepEqual(run.faults, []);
      assert.equal(run.result.average_packet_loss, 0, 'no count was reset mid-point');
      assert.equal(run.result.failing_clients, 0);
    } finally {
      protocol.encodeRequest = encode;
    }
  });

  it('refuses unauthenticated and foreign-run commands, and they change nothing', async () => {
    const s = await openSession(options({ total_sub_apps: 1 }));
    const { pubs, subs } = await s.prepareApps(1);
    const pub = pubs[0] as AppHandle;
    const sub0 = subs[0] as AppHandle;
    const stranger = new ControlClient<PubCommands>(pub.endpoint, 2000);
    const forger = new ControlClient<SubCommands>(sub0.endpoint, 2000, { run: s.runId, secret: 'ab'.repeat(32) }, sub0.name);
    const otherRun = new ControlClient<SubCommands>(sub0.endpoint, 2000, { run: 'another-run', secret: s.auth.secret }, sub0.name);
    try {
      await assert.rejects(
        stranger.call('updateconfig', {
          topics: ['made-up'],
          msg_rate: 100000,
          msg_batch: 100,
          test_duration: 5,
          warmup: 0,
          t0_ms: Date.now(),
          epoch: 0,
          pub_id: 0,
          partitions: [0],
          keys: 'none',
          key_count: 1,
          producer: {
            client_library: 'kafkajs',
            idempotent: false,
            max_in_flight: 1,
            retries: 0,
            request_timeout_ms: 1000,
            acks: 1,
            linger_ms: 0,
            batch_bytes: 1000,
            compression: 'none',
          },
          msg_size: 16,
          payload_random_pct: 100,
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
