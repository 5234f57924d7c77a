import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { pointParamsOf, type HydraOptions } from '../../src/config/options';
import { newControlAuth } from '../../src/control/auth';
import { ControlClient } from '../../src/control/client';
import type { PubCommands } from '../../src/control/protocol';
import { createLauncher } from '../../src/launch';
import type { RunnerEvent } from '../../src/runner/events';
import { pointMarks, pubConfigFor } from '../../src/runner/app-config';
import { TestSession } from '../../src/runner/session';
import { findingNote, formatFindings } from '../../src/present/findings';
import { computeResult } from '../../src/stats/result';
import { createStudy } from '../../src/study/create';
import { runStudy } from '../../src/study/run';
import { FakeThrottlingBroker } from '../fake-kafka';
import { sessionTestOptions, stillAlive, tempDir, uniqueTag, busyHost, limitsBesidesHost } from '../helpers';

/**
 * Who held a point back, on real processes: the embedded broker frozen (hydra's own: the
 * harness's limit) or standing in for a real cluster (Kafka's), an app frozen, a publisher asked
 * for more than it can send, a host kept busy, and a real publisher app held back by a broker's
 * produce quota (a fake broker speaking the Kafka protocol: the embedded one has no quotas).
 */
describe('who held a point back (real processes)', function () {
  this.timeout(180000);
  let dir: string;
  let broker: BrokerHandle;
  const sessions: TestSession[] = [];
  const pids = new Set<number>();
  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
  });
  afterEach(async () => {
    // A test that failed mid-freeze must not leave the shared broker stopped.
    if (broker.pid) process.kill(broker.pid, 'SIGCONT');
    for (const s of sessions.splice(0)) {
      for (const app of [...s.publisherApps(), ...s.launcher.subApps()]) if (app.pid) pids.add(app.pid);
      await s.close();
    }
  });
  after(async () => {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(stillAlive(pids), [], 'no app outlives its test');
  });

  const options = (over: Partial<HydraOptions> = {}): HydraOptions =>
    sessionTestOptions({ log_dir: path.join(dir, 'logs'), results_dir: path.join(dir, 'results'), control_timeout_ms: 5000, ...over });

  /** A session whose `act` runs `afterMs` into the first point's publishing. */
  async function openSession(o: HydraOptions, act?: (s: TestSession) => void, afterMs = 500, handle: BrokerHandle = broker): Promise<TestSession> {
    let fired = false;
    const opened: { session?: TestSession } = {};
    const onEvent = (e: RunnerEvent): void => {
      if (e.type === 'phase' && e.phase === 'publish' && !fired && opened.session) {
        fired = true;
        const s = opened.session;
        setTimeout(() => act?.(s), afterMs);
      }
    };
    const session = await TestSession.open(o, { broker: handle, onEvent });
    opened.session = session;
    sessions.push(session);
    return session;
  }

  const freeze = (pid: number | undefined, ms: number): void => {
    assert.ok(pid, 'a process to freeze');
    process.kill(pid, 'SIGSTOP');
    setTimeout(() => process.kill(pid, 'SIGCONT'), ms);
  };

  it('the embedded broker frozen for a few seconds: its slow answers are named as hydra’s embedded broker’s, not the publisher’s', async () => {
    const o = options({ test_duration: 4 });
    const s = await openSession(o, () => freeze(broker.pid, 2500));
    const run = await s.runPoint(pointParamsOf(o));
    assert.deepEqual(run.faults, [], 'no harness app stalled');
    assert.equal(run.result.verdict, 'harness_limited');
    // On a starved host a slow answer may be the host's (the app read it late): then only the host is named.
    const hostOnly = busyHost(run.result) && !run.result.harness_limits.includes('embedded_broker');
    assert.deepEqual(limitsBesidesHost(run.result), hostOnly ? [] : ['embedded_broker']);
    if (!hostOnly)
      assert.match(
        run.result.harness_notes.find((n) => n.startsWith("hydra's embedded broker")) ?? '',
        /^hydra's embedded broker, not Kafka, was the limit: it took 2\.\d s to acknowledge a produce request of pub/,
      );
    assert.ok((run.result.produce_rtt_max_ms ?? 0) >= 2000, `produce round trip max ${run.result.produce_rtt_max_ms} ms`);
  });

  it('a broker frozen for longer than the point: Kafka held the publisher back when it is a real cluster, hydra’s broker when it is the embedded one', async () => {
    for (const handle of [broker, { ...broker, embedded: false }]) {
      const o = options({ test_duration: 2, drain_timeout: 2 });
      const s = await openSession(o, () => freeze(broker.pid, 7000), 300, handle);
      const run = await s.runPoint(pointParamsOf(o));
      const r = run.result;
      assert.deepEqual(run.faults, []);
      assert.ok(r.pub_achieved_ratio < 0.9, `the publisher reached ${r.pub_achieved_ratio}`);
      assert.ok((r.pub_broker_wait_pct ?? 0) >= 50, `it waited on the broker ${r.pub_broker_wait_pct} % of the window`);
      const busy = busyHost(r, handle.embedded ? 'embedded' : 'real');
      if (busy && !r.harness_limits.includes('embedded_broker')) {
        // The starved host, not the broker, is named: a true verdict, though not this test's subject.
        assert.deepEqual(limitsBesidesHost(r), []);
      } else if (handle.embedded) {
        assert.equal(r.verdict, 'harness_limited');
        assert.deepEqual(limitsBesidesHost(r), ['embedded_broker']);
        assert.match(
          r.harness_notes.find((n) => n.startsWith("hydra's embedded broker")) ?? '',
          /it accepted \d+ of 1 000 msg\/s .*: the publisher waited on its answers \d+ % of the window/,
        );
      } else {
        assert.equal(r.verdict, 'kafka', r.harness_notes.join('; '));
        assert.ok(r.kafka_limits?.includes('produce'), JSON.stringify(r.kafka_limits));
        assert.match(r.kafka_notes?.[0] ?? '', /^Kafka held the publisher back: it accepted \d+ of 1 000 msg\/s/);
        assert.equal(r.pub_limited, false);
      }
      await s.close();
    }
  });

  it('a sub app frozen for 3 s: the stall is a harness fault, not Kafka latency', async () => {
    const o = options({ test_duration: 5 });
    const s = await openSession(o, (session) => freeze(session.launcher.subApps()[1]?.pid, 3000), 800);
    const run = await s.runPoint(pointParamsOf(o));
    assert.equal(run.faults.length, 1, run.faults.join('; '));
    assert.match(run.faults[0] ?? '', /^sub-1's event loop stood still (2\.\d|3\.\d) s inside the window, neither running nor waiting for a CPU/);
    busyHost(run.result);
    assert.deepEqual(limitsBesidesHost(run.result), ['stall']);
    assert.deepEqual(run.result.kafka_limits, [], 'the broker is not blamed');
  });

  it('the publisher frozen for 3 s in a study: the attempt is invalid and the point is measured again with fresh apps', async () => {
    const o = options({ test_duration: 5 });
    const s = await openSession(o, (session) => freeze(session.publisherApps()[0]?.pid, 3000), 800);
    const store = createStudy({ kind: 'sweep', options: o, grid: { client_counts: [4], msg_rates: [1000] } });
    const retries: string[] = [];
    const outcome = await runStudy(store, { session: s, onEvent: (e) => void (e.type === 'point-retry' && retries.push(e.error)) });
    const [p] = outcome.points;
    assert.match(retries[0] ?? '', /^invalid \(harness fault\): pub's event loop stood still (2\.\d|3\.\d) s inside the window/);
    assert.equal(p?.status, 'ok', p?.error ?? '');
    assert.equal(p?.attempts, 2);
    assert.ok((p?.result?.latency_max_ms ?? Infinity) < 2000, `the stored point's latency max ${p?.result?.latency_max_ms} ms carries no freeze`);
  });

  it('a publisher asked for far more than it can send: the publisher, at its own CPU', async () => {
    const o = options({ test_duration: 2, msg_rate: 1_000_000, total_sub_apps: 1, clients_per_app: 1 });
    const s = await openSession(o);
    const run = await s.runPoint(pointParamsOf(o));
    // On a busy host a publisher that waited for a CPU more than it ran is starved, not saturated: the host's.
    if (busyHost(run.result) && !run.result.harness_limits.includes('publisher'))
      assert.match(run.result.harness_notes.join('; '), /the publisher reached \d[\d ]* of 1 000 000 msg\/s .* while starved of CPU/);
    else {
      assert.ok(run.result.harness_limits.includes('publisher'), run.result.harness_notes.join('; '));
      assert.match(
        run.result.harness_notes.find((n) => n.startsWith('the publisher')) ?? '',
        /reached \d[\d ]* of 1 000 000 msg\/s .* at \d+ % CPU, event loop \d+ % busy/,
      );
    }
    assert.deepEqual(run.result.kafka_limits, []);
  });

  it('a host kept busy by CPU burners: the host is named, with its run queue; no app is blamed', async () => {
    const tag = uniqueTag('burner');
    const burners: ChildProcess[] = Array.from({ length: 6 }, () =>
      spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore', env: { ...process.env, HYDRA_TEST_TAG: tag } }),
    );
    try {
      const o = options({ test_duration: 3, msg_rate: 500 });
      const s = await openSession(o);
      const run = await s.runPoint(pointParamsOf(o));
      const r = run.result;
      assert.ok(r.harness_limits.includes('host'), r.harness_notes.join('; '));
      assert.ok(!r.harness_limits.includes('subscribers') && !r.harness_limits.includes('publisher'), r.harness_notes.join('; '));
      assert.match(r.harness_notes.find((n) => n.startsWith('the host')) ?? '', /runnable on \d+ cores/);
    } finally {
      await Promise.all(
        burners.map(
          (b) => new Promise((resolve) => (b.exitCode !== null || b.signalCode !== null ? resolve(null) : (b.once('exit', resolve), b.kill('SIGKILL')))),
        ),
      );
    }
    assert.deepEqual(stillAlive(burners.flatMap((b) => (b.pid ? [b.pid] : []))), []);
  });

  it('kafkarate against a slow real cluster reports Kafka’s boundary: the most it accepted, said as Kafka’s', async () => {
    // The embedded broker stands in for a real cluster that answers slowly: stopped 92 ms of every
    // 100 ms, with 10 messages per produce request, it accepts several hundred msg/s.
    const o = options({ test_duration: 2, drain_timeout: 2, batch_bytes: 160 });
    const s = await openSession(o, undefined, 0, { ...broker, embedded: false });
    const pid = broker.pid as number;
    const cycle = setInterval(() => {
      process.kill(pid, 'SIGSTOP');
      setTimeout(() => process.kill(pid, 'SIGCONT'), 92);
    }, 100);
    try {
      const store = createStudy({ kind: 'kafkarate', options: o, grid: { client_counts: [4] }, search: { start_rate: 250, max_steps: 7, precision_pct: 10 } });
      const outcome = await runStudy(store, { session: s });
      const [f] = outcome.findings;
      assert.ok(f, 'a finding');
      // On a busy host the search may rightly stop at the host: then the finding says so, as a lower bound.
      if (f.limited_by !== null) {
        assert.match(f.limited_by, /host/, findingNote(f));
        assert.match(findingNote(f), /^Kafka's limit not reached: .*the host, not Kafka, was the limit: host CPU .* runnable on \d+ cores/);
        assert.match(formatFindings(outcome.findings), /^4 clients: Kafka's limit not reached \(harness-limited: [a-z_+]*host/);
        process.stderr.write(`      (busy host: the search stopped at the host — ${findingNote(f)})\n`);
        return;
      }
      assert.equal(f.kafka_limited, true, findingNote(f));
      const accepted = Math.max(...outcome.points.flatMap((p) => (p.status === 'ok' ? [p.result.average_tx_rate] : [])));
      assert.equal(f.max_rate, Math.round(accepted), 'the max rate is the most Kafka accepted');
      assert.ok((f.max_rate ?? Infinity) < 2000, `Kafka accepted at most ${f.max_rate} msg/s`);
      assert.ok((f.no_drop_rate ?? Infinity) <= (f.max_rate ?? 0), `no-drop ${f.no_drop_rate} ≤ max ${f.max_rate}`);
      assert.match(findingNote(f), /^Kafka held the publisher back: it accepted/);
      assert.match(formatFindings(outcome.findings), /^4 clients: Kafka's boundary: max rate \d+ msg\/s accepted by Kafka/);
      process.stderr.write(`      ${formatFindings(outcome.findings)}\n`);
    } finally {
      clearInterval(cycle);
      await new Promise((r) => setTimeout(r, 150));
      process.kill(pid, 'SIGCONT');
    }
  });

  it('a real publisher app held back by a broker’s produce quota: the throttle is heard and the limit is Kafka’s', async () => {
    // 2 000 msg/s of 16-byte records is about 45 KB/s of record batches; the quota allows 15 KB/s.
    const fake = new FakeThrottlingBroker(15_000);
    await fake.start();
    const auth = newControlAuth(uniqueTag('run'), false);
    const launcher = createLauncher('local', { brokers: [fake.address], client_id: 'hydra', control_host: '127.0.0.1', auth, logDir: path.join(dir, 'quota') });
    try {
      const pub = await launcher.launch('pub', 'pub');
      if (pub.pid) pids.add(pub.pid);
      const control = new ControlClient<PubCommands>(pub.endpoint, 5000, auth, pub.name);
      try {
        const params = { ...pointParamsOf(options()), msg_rate: 2000, test_duration: 4 };
        await control.call('updateconfig', pubConfigFor(params, ['hydra-quota'], pointMarks(0)));
        await control.call('teststart');
        for (let i = 0; i < 200 && (await control.call('teststatus')).state === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
        const stats = await control.call('getstats');
        assert.ok((stats.produce?.throttled ?? 0) > 0 && (stats.produce?.throttle_ms ?? 0) > 0, `throttle heard: ${JSON.stringify(stats.produce)}`);
        assert.ok(fake.throttles.length > 0);
        const r = computeResult(stats, [], 1, params.msg_rate, { embeddedBroker: false });
        assert.ok(r.pub_achieved_ratio < 0.8, `Kafka accepted ${r.pub_achieved_ratio} of the rate`);
        // On a starved host the publisher's shortfall is the host's: the verdict says so (the throttle was heard above).
        if (!busyHost(r, 'quota')) {
          assert.equal(r.verdict, 'kafka', r.harness_notes.join('; '));
          assert.deepEqual(r.kafka_limits, ['produce']);
          assert.match(r.kafka_notes?.[0] ?? '', /^Kafka held the publisher back: it accepted \d[\d ]* of 2 000 msg\/s .*throttled [\d.]+ m?s by its quota/);
        }
        assert.ok(r.pub_cpu < 50, `the publisher was idle: ${r.pub_cpu} % CPU`);
      } finally {
        control.close();
      }
    } finally {
      await launcher.removeAll();
      await fake.stop();
    }
  });
});
