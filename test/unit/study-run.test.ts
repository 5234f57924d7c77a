import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HydraOptions } from '../../src/config/options';
import { findingNote, formatFindings, searchLine } from '../../src/present/findings';
import { ControlReplyError } from '../../src/errors';
import type { HydraEvent } from '../../src/study/events';
import { StudyInterrupted } from '../../src/errors';
import { createStudy } from '../../src/study/create';
import { rerunStudy, resumeStudy, runStudy } from '../../src/study/run';
import { StudyStore } from '../../src/study/store';
import { failsTimes, FakeRunner, openFake } from '../fake-runner';
import { FIXTURE_OPTIONS } from '../fixtures';
import { tempDir } from '../helpers';

describe('studies on a fake runner (retries, kafkarate, interruption)', () => {
  let dir: string;
  let options: HydraOptions;
  beforeEach(() => {
    dir = tempDir();
    options = { ...FIXTURE_OPTIONS, results_dir: dir, test_duration: 2 };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const recorder = (): {
    events: HydraEvent[];
    onEvent: (e: HydraEvent) => void;
    of<T extends HydraEvent['type']>(t: T): Extract<HydraEvent, { type: T }>[];
  } => {
    const events: HydraEvent[] = [];
    return {
      events,
      onEvent: (e) => events.push(e),
      of: <T extends HydraEvent['type']>(t: T) => events.filter((e): e is Extract<HydraEvent, { type: T }> => e.type === t),
    };
  };

  it('retries a point that fails twice, with fresh apps, and stores it measured on the 3rd attempt', async () => {
    const runner = new FakeRunner({ fault: failsTimes(2) });
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    assert.equal(outcome.points.length, 1);
    const [p] = outcome.points;
    assert.equal(p?.status, 'ok');
    assert.equal(p?.attempts, 3);
    assert.deepEqual(
      p?.retried_because,
      ['publisher app died during the test', 'publisher app died during the test'],
      'the record says why it was measured again',
    );
    assert.deepEqual(
      ev.of('point-retry').map((e) => e.attempt),
      [2, 3],
    );
    assert.equal(runner.resets, 2, 'each retry started from fresh apps');
    assert.equal(runner.closes, 1, 'the study closed the runner it opened');
  });

  it('stores a point that always fails as failed after 4 attempts, and goes on with the next', async () => {
    const runner = new FakeRunner({ fault: (params) => (params.msg_rate === 500 ? new ControlReplyError('no reply', { retriable: true }) : null) });
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500, 1000] } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    const failed = outcome.points.find((p) => p.params.msg_rate === 500);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 4);
    assert.match(failed?.error ?? '', /no reply/);
    assert.equal(outcome.points.find((p) => p.params.msg_rate === 1000)?.status, 'ok');
    assert.equal(ev.of('point-retry').length, 3);
    assert.equal(StudyStore.atDir(store.dir).readPoints().length, 2, 'both points are on disk');
    assert.deepEqual(
      ev.of('study-done').map((e) => e.failed),
      [1],
    );
  });

  it('stores a deterministic failure (a rejected configuration) at once, without retrying', async () => {
    const runner = new FakeRunner({ fault: () => new ControlReplyError('updateconfig: msg_batch must be at most 10000') });
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    assert.equal(outcome.points[0]?.status, 'failed');
    assert.equal(outcome.points[0]?.attempts, 1);
    assert.equal(runner.calls.length, 1);
    assert.equal(ev.of('point-retry').length, 0);
  });

  it('believes a library that says its error is not retriable, and retries a foreign error that says nothing', async () => {
    // kafkajs marks a replication factor above the broker count `retriable: false`.
    const refused = Object.assign(new Error('Replication factor is larger than the number of brokers'), { retriable: false });
    const once = new FakeRunner({ fault: () => refused });
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] } });
    const outcome = await runStudy(store, { openSession: openFake(once) });
    assert.deepEqual([outcome.points[0]?.status, outcome.points[0]?.attempts, once.calls.length], ['failed', 1, 1]);
    const reset = new FakeRunner({ fault: (_p, call) => (call === 0 ? Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) : null) });
    const again = await runStudy(createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [600] } }), { openSession: openFake(reset) });
    assert.deepEqual([again.points[0]?.status, again.points[0]?.attempts], ['ok', 2]);
  });

  it('stores a bug (TypeError) at once as failed, with its stack in the run log', async () => {
    const runner = new FakeRunner({ fault: () => new TypeError("Cannot read properties of undefined (reading 'msg_cnt')") });
    const logDir = path.join(dir, 'run-logs');
    fs.mkdirSync(logDir);
    runner.logDir = logDir;
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] } });
    const outcome = await runStudy(store, { openSession: openFake(runner) });
    const [p] = outcome.points;
    assert.equal(p?.status, 'failed');
    assert.equal(p?.attempts, 1, 'not retried: a bug fails the same way every time');
    assert.match(p?.error ?? '', /^Cannot read properties of undefined \(reading 'msg_cnt'\) \(a bug in hydra: its stack is in .*runner\.log\)$/);
    assert.match(fs.readFileSync(path.join(logDir, 'runner.log'), 'utf8'), /point total_sub_apps=1.*TypeError: Cannot read properties of undefined[\s\S]*at /);
  });

  it('runs a whole kafkarate search per client count and writes its findings', async () => {
    const runner = new FakeRunner({ capRate: 5000 });
    const store = createStudy({ kind: 'kafkarate', options, grid: { client_counts: [2, 4] }, search: { start_rate: 1000, max_steps: 12 } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    assert.equal(outcome.findings.length, 2);
    for (const f of outcome.findings) {
      // Doubling: 1000, 2000, 4000, 8000 (rx 5000), 16000 (rx still 5000) → max rate 8000; loss ≤ 0.5 % up to 5025.
      assert.equal(f.max_rate, 8000);
      assert.equal(f.max_rx_rate, 5000);
      assert.ok(f.no_drop_rate !== null && f.no_drop_rate >= 4900 && f.no_drop_rate <= 5025, `no-drop ${f.no_drop_rate}`);
      assert.ok(f.steps <= 12);
    }
    const onDisk = JSON.parse(fs.readFileSync(path.join(store.dir, 'findings.json'), 'utf8')) as unknown[];
    assert.deepEqual(onDisk, outcome.findings);
    assert.equal(ev.of('search-done').length, 2);
    assert.ok(outcome.points.every((p) => p.tags?.search === 'kafkarate'));
    assert.equal(outcome.measured, runner.calls.length, 'no rate measured twice');
  });

  it('never states a kafkarate boundary above what the publisher sent: a harness limit ends the search', async () => {
    // Kafka would take 50 000 msg/s; the publisher tops out at 7 000.
    const runner = new FakeRunner({ capRate: 50000, pubCapRate: 7000 });
    const store = createStudy({ kind: 'kafkarate', options, grid: { client_counts: [2] }, search: { start_rate: 1000 } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    const [f] = outcome.findings;
    assert.equal(f?.limited_by, 'publisher');
    assert.equal(f?.max_rate, null, 'no maximum rate is claimed');
    assert.ok(f?.no_drop_rate !== null && (f?.no_drop_rate ?? Infinity) <= 7000, `no-drop ${f?.no_drop_rate} does not exceed what was sent`);
    assert.match(
      f ? findingNote(f) : '',
      /^Kafka's limit not reached: the publisher, not Kafka, was the limit: reached 7 000 of 8 000 msg\/s \(87\.5 %\) at 99 % CPU/,
    );
    assert.deepEqual(
      runner.calls.map((c) => c.msg_rate),
      [1000, 2000, 4000, 8000],
      'the search stopped at the first harness-limited probe',
    );
    assert.equal(ev.of('search-done')[0]?.finding.limited_by, 'publisher');
    assert.match(
      searchLine((ev.of('search-done')[0] as Extract<HydraEvent, { type: 'search-done' }>).finding),
      /^2 clients: Kafka's limit not reached \(harness-limited: publisher\)/,
    );
    assert.match(formatFindings(outcome.findings), /^2 clients: Kafka's limit not reached \(harness-limited: publisher\); lossless up to at least \d+ msg\/s/);
  });

  it("reports a real cluster's boundary as Kafka's when Kafka holds the publisher back: the most it accepted, with the reason", async () => {
    // The cluster accepts at most 3 000 msg/s; the publisher waits on its answers, idle.
    const runner = new FakeRunner({ brokerCapRate: 3000, realCluster: true });
    const store = createStudy({ kind: 'kafkarate', options, grid: { client_counts: [2] }, search: { start_rate: 1000 } });
    const ev = recorder();
    const outcome = await runStudy(store, { openSession: openFake(runner), onEvent: ev.onEvent });
    const [f] = outcome.findings;
    assert.equal(f?.limited_by, null, 'no harness limit: Kafka is the limit');
    assert.equal(f?.kafka_limited, true);
    assert.equal(f?.max_rate, 3000, 'the max rate is what Kafka accepted, not what was asked for');
    assert.ok(
      (f?.no_drop_rate ?? 0) <= 3000 && (f?.no_drop_rate ?? 0) >= 3000 * 0.98,
      `no-drop rate ${f?.no_drop_rate} within the search precision below 3 000`,
    );
    assert.match(f ? findingNote(f) : '', /^Kafka held the publisher back: it accepted 3 000 of \d[\d ]* msg\/s/);
    const held = outcome.points.filter((p) => p.status === 'ok' && p.result.kafka_limits?.includes('produce'));
    assert.ok(held.length > 0 && held.every((p) => p.status === 'ok' && p.result.verdict === 'kafka'), 'held-back points are Kafka measurements');
    assert.match(
      searchLine((ev.of('search-done')[0] as Extract<HydraEvent, { type: 'search-done' }>).finding),
      /^2 clients: Kafka's boundary: it accepted at most 3000 msg\/s/,
    );
    assert.match(formatFindings(outcome.findings), /^2 clients: Kafka's boundary: max rate 3000 msg\/s accepted by Kafka/);
  });

  it('calls the same hold-back on the embedded broker hydra’s own limit: no Kafka boundary is claimed', async () => {
    const runner = new FakeRunner({ brokerCapRate: 3000 });
    const store = createStudy({ kind: 'kafkarate', options, grid: { client_counts: [2] }, search: { start_rate: 1000 } });
    const outcome = await runStudy(store, { openSession: openFake(runner) });
    const [f] = outcome.findings;
    assert.equal(f?.limited_by, 'embedded_broker');
    assert.equal(f?.kafka_limited, false);
    assert.equal(f?.max_rate, null);
    assert.match(f ? findingNote(f) : '', /^Kafka's limit not reached: hydra's embedded broker, not Kafka, was the limit: it accepted 3 000 of 4 000 msg\/s/);
  });

  it('stops at Ctrl-C with finished points saved; resume measures only the rest', async () => {
    const first = new FakeRunner({
      // Ctrl-C arrives during the third point: the CLI closes the runner.
      during: async (runner, _params, call) => {
        if (call === 2) await runner.close();
      },
    });
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2, 4], msg_rates: [500, 1000] }, id: 'ctrlc' });
    await assert.rejects(runStudy(store, { openSession: openFake(first) }), StudyInterrupted);
    assert.equal(store.readPoints().length, 2, 'the two finished points are saved');
    assert.equal(store.readSpec().status, 'running');

    const second = new FakeRunner();
    const ev = recorder();
    const outcome = await resumeStudy(dir, 'ctrlc', { openSession: openFake(second), onEvent: ev.onEvent });
    assert.equal(second.calls.length, 2, 'only the two missing points were measured');
    assert.equal(outcome.points.length, 4);
    assert.equal(new Set(outcome.points.map((p) => p.key)).size, 4, 'no point stored twice');
    assert.deepEqual(
      ev.of('study-start').map((e) => [e.totalPoints, e.donePoints]),
      [[4, 2]],
    );
  });

  it('takes over a lock left by a process that died, and refuses one held by a live process', async () => {
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] }, id: 'locks' });
    const lock = path.join(store.dir, '.lock');
    // A pid far above pid_max: no such process.
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 30, host: os.hostname(), since: 'earlier' }));
    await runStudy(store, { openSession: openFake(new FakeRunner()) });
    assert.equal(fs.existsSync(lock), false, 'released after the run');
    // This test process is alive: its lock must be respected.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), since: 'now' }));
    const runner = new FakeRunner();
    await assert.rejects(resumeStudy(dir, 'locks', { openSession: openFake(runner) }), /study 'locks' is being run by process \d+/);
    assert.equal(runner.calls.length, 0);
    assert.deepEqual(
      store.readSpec().history.map((h) => h.action),
      ['create'],
      'a refused resume changes nothing',
    );
    fs.rmSync(lock);
  });

  it('rerun adds a rate and measures only the new points', async () => {
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2, 4], msg_rates: [500] }, id: 'rerun' });
    await runStudy(store, { openSession: openFake(new FakeRunner()) });
    const runner = new FakeRunner();
    const outcome = await rerunStudy(dir, 'rerun', { msg_rates: [800] }, { openSession: openFake(runner) });
    assert.deepEqual(
      runner.calls.map((c) => c.msg_rate),
      [800, 800],
    );
    assert.equal(outcome.points.length, 4);
  });

  it('refuses a bad grid or search before anything is stored or launched, naming the field', () => {
    const opened: HydraOptions[] = [];
    const cases: [() => unknown, RegExp][] = [
      [() => createStudy({ kind: 'sweep', options, grid: { msg_rates: [-5, 0.5] } }), /grid\.msg_rates\[0\]="-5": must not be negative/],
      [() => createStudy({ kind: 'sweep', options, grid: { msg_rates: [100, 0.5] } }), /grid\.msg_rates\[1\]="0.5": must be at least 1/],
      [() => createStudy({ kind: 'sweep', options, grid: { msg_batches: [2.5] } }), /grid\.msg_batches\[0\]="2.5": expected a whole number/],
      [() => createStudy({ kind: 'sweep', options, grid: { msg_batches: [1_000_000] } }), /grid\.msg_batches\[0\]="1000000": must be at most 10000/],
      [() => createStudy({ kind: 'sweep', options, grid: { msg_rates: [100, 100] } }), /grid\.msg_rates="100,100": lists 100 twice/],
      [() => createStudy({ kind: 'sweep', options: { ...options, msg_rate: 1e300 } }), /options\.msg_rate="1e\+300": must be at most/],
      [() => createStudy({ kind: 'kafkarate', options, search: { loss_bound_pct: 150 } }), /search\.loss_bound_pct="150": must be at most 100/],
      [() => createStudy({ kind: 'kafkarate', options, search: { start_rate: -1 } }), /search\.start_rate="-1": must not be negative/],
    ];
    for (const [make, message] of cases) assert.throws(make, message);
    assert.deepEqual(fs.readdirSync(dir), [], 'no study directory was created');
    assert.equal(opened.length, 0);
  });

  it('checks a rerun`s changes by the same rules', async () => {
    const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500] }, id: 'bad-rerun' });
    await runStudy(store, { openSession: openFake(new FakeRunner()) });
    const runner = new FakeRunner();
    await assert.rejects(rerunStudy(dir, 'bad-rerun', { msg_rates: [-5] }, { openSession: openFake(runner) }), /changes\.msg_rates\[0\]="-5"/);
    assert.equal(runner.calls.length, 0);
    assert.deepEqual(store.readSpec().grid.msg_rates, [500], 'the stored grid is unchanged');
  });
});
