import { FaultSchedule } from '../../src/config/fault-schedule';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import type { HydraOptions } from '../../src/config/options';
import { isInstalled } from '../../src/client/registry';
import { verdictText } from '../../src/present/columns';
import { TestSession } from '../../src/runner/session';
import { createStudy } from '../../src/study/create';
import type { PointRecord } from '../../src/study/record';
import { runStudy } from '../../src/study/run';
import { readJsonLines } from '../../src/study/store';
import { cliSandbox, runHydra, sessionTestOptions, stillAlive, tempDir, waitNoProcesses, busyHost, limitsBesidesHost } from '../helpers';

type Faulted = PointRecord & { fault: NonNullable<PointRecord['fault']>; result: NonNullable<PointRecord['result']> };

function onlyPoint(points: readonly PointRecord[]): Faulted {
  assert.equal(points.length, 1);
  const p = points[0] as PointRecord;
  assert.equal(p.status, 'ok', `${p.status}: ${p.error ?? ''}`);
  assert.ok(p.fault, 'the point carries what was measured through its fault');
  return p as Faulted;
}

/**
 * Planned faults on real processes and the embedded broker: the broker frozen on purpose, a
 * command run at the fault's start and its undo at its end, a sub app frozen, and a shared group
 * losing a member. Each point is measured through its fault: kept valid, marked faulted, its gap,
 * recovery, rebalances and duplicates measured.
 */
describe('planned faults (real processes, embedded broker)', function () {
  this.timeout(180000);

  describe('from the CLI', () => {
    const sandbox = cliSandbox();

    it('the embedded broker frozen 2 s: a gap of about 2 s, nothing lost, recovery measured, and figures of its own', async () => {
      const t = sandbox.tag();
      const results = path.join(sandbox.dir(), 'results');
      const run = await runHydra(
        [
          'sweep',
          '--clients=2',
          '--clients_per_app=1',
          '--msg_rates=500',
          '--test_duration=6',
          '--fault=at=2s for=2s broker=stop',
          '--study_id=frozen',
          `--results_dir=${results}`,
          `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
          '--config_file=',
          '--report',
        ],
        { tag: t, timeoutMs: 150000 },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /hydra: fault started at 2\.\d s: at=2s for=2s broker=stop/);
      assert.match(run.stderr, /hydra: fault ended at [34]\.\d s: at=2s for=2s broker=stop/);
      const p = onlyPoint(readJsonLines<PointRecord>(path.join(results, 'frozen', 'points.jsonl')));
      const f = p.fault;
      // A planned freeze of the embedded broker is not a harness limit: still a rehearsal (or, on a busy host, the host's).
      assert.equal(verdictText(p), busyHost(p.result) ? 'faulted/harness:host' : 'faulted/rehearsal');
      const [event] = f.events;
      assert.ok(event && Math.abs(event.from_s - 2) < 0.3 && Math.abs((event.to_s ?? 0) - 4) < 0.3, JSON.stringify(f.events));
      assert.ok(f.longest_gap_ms >= 1700 && f.longest_gap_ms <= 3500, `longest gap ${f.longest_gap_ms} ms`);
      assert.equal(p.result.lost_total, 0);
      assert.equal(p.result.behind_total, 0);
      assert.equal(f.not_recovered, 0);
      assert.ok(f.recovery_ms !== null && f.recovery_ms < 2000, `recovery ${String(f.recovery_ms)} ms`);
      assert.ok((f.latency.during.p99_ms ?? 0) > 1000, 'messages sent while the broker was frozen waited for it');
      assert.ok((f.latency.before.p99_ms ?? Infinity) < 1000);
      assert.match(run.stdout, /2 clients, 500 msg\/s, batch 100: faulted \(at=2s for=2s broker=stop\): nothing lost, longest gap \d\.\d s, recovery/);
      assert.doesNotMatch(run.stdout, /no loss up to 500/, 'the faulted point is not the steady state');
      const html = fs.readFileSync(path.join(results, 'frozen', 'report.html'), 'utf8');
      assert.match(html, /Delivery through the fault/);
      assert.match(html, /Recovery from Planned Faults/);
      assert.ok(fs.statSync(path.join(results, 'frozen', 'fault-delivery-1.png')).size > 5000);
      assert.deepEqual(await waitNoProcesses(t), []);
    });

    it('interrupted mid-fault (Ctrl-C), hydra runs the fault’s undo before it exits', async () => {
      const t = sandbox.tag();
      const markers = path.join(sandbox.dir(), 'interrupted');
      fs.mkdirSync(markers);
      let interrupted = false;
      const run = await runHydra(
        [
          'sweep',
          '--clients=2',
          '--clients_per_app=2',
          '--msg_rates=200',
          '--test_duration=30',
          // An undo that takes a second: hydra must wait for it, not exit first.
          `--fault=at=1s for=25s command='touch ${markers}/start' undo='sh -c "sleep 1; touch ${markers}/end"'`,
          '--study_id=interrupted',
          `--results_dir=${path.join(sandbox.dir(), 'results')}`,
          `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
          '--config_file=',
        ],
        {
          tag: t,
          timeoutMs: 90000,
          onStderr: (chunk, kill) => {
            if (!interrupted && /fault started at/.test(chunk)) {
              interrupted = true;
              // Once the command has run: the undo is what must not be skipped.
              setTimeout(() => kill('SIGINT'), 500);
            }
          },
        },
      );
      assert.ok(interrupted, run.stderr);
      assert.equal(run.code, 130, run.stderr);
      assert.ok(fs.existsSync(path.join(markers, 'start')));
      assert.ok(fs.existsSync(path.join(markers, 'end')), 'the undo ran before hydra exited');
      assert.deepEqual(await waitNoProcesses(t), []);
    });
  });

  describe('from the library', () => {
    let dir: string;
    let broker: BrokerHandle;
    const sessions: TestSession[] = [];
    const pids = new Set<number>();
    before(async () => {
      dir = tempDir();
      broker = await startEmbeddedBroker();
    });
    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.close();
      assert.deepEqual(stillAlive(pids), [], 'no app outlives its session');
    });
    after(async () => {
      await broker.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function measure(id: string, o: HydraOptions): Promise<Faulted> {
      const session = await TestSession.open(o, { broker });
      sessions.push(session);
      const store = createStudy({ kind: 'sweep', options: o, id });
      const outcome = await runStudy(store, { session, maxAttempts: 1 });
      for (const p of outcome.points) for (const a of p.apps ?? []) if (a.pid) pids.add(a.pid);
      return onlyPoint(outcome.points);
    }
    const options = (over: Partial<HydraOptions>): HydraOptions =>
      sessionTestOptions({ results_dir: path.join(dir, 'results'), log_dir: path.join(dir, 'logs'), msg_rate: 500, ...over });

    it('a command fault runs its command at its start and its undo at its end, without a shell', async () => {
      const markers = path.join(dir, 'markers');
      fs.mkdirSync(markers);
      const p = await measure(
        'command',
        options({ test_duration: 5, fault: FaultSchedule.parse(`at=1s for=2s command='touch ${markers}/start' undo='touch ${markers}/end'`, 'fault') }),
      );
      const windowStart = Date.parse(p.fault.window_start);
      const at = (file: string): number => (fs.statSync(path.join(markers, file)).mtimeMs - windowStart) / 1000;
      assert.ok(Math.abs(at('start') - 1) < 0.3, `command ran ${at('start')} s into the window`);
      assert.ok(Math.abs(at('end') - 3) < 0.3, `undo ran ${at('end')} s into the window`);
      assert.equal(p.fault.events[0]?.error, null);
      assert.equal(p.result.lost_total, 0);
    });

    it('a sub app frozen on purpose keeps the point valid: its clients show the gap, the others do not', async () => {
      const p = await measure('stop-sub', options({ test_duration: 6, fault: FaultSchedule.parse('at=2s for=1.5s stop=sub-1', 'fault') }));
      assert.deepEqual(p.result.stalled_apps, [], 'the planned freeze is not an unplanned stall');
      busyHost(p.result);
      assert.deepEqual(limitsBesidesHost(p.result), [], p.result.harness_notes.join('; '));
      const gap = (prefix: string): number[] => p.fault.clients.filter((c) => c.client_id.startsWith(prefix)).map((c) => c.longest_gap_ms);
      for (const ms of gap('sub-1-')) assert.ok(ms >= 1300 && ms < 3000, `frozen app's client gap ${ms} ms`);
      for (const ms of gap('sub-0-')) assert.ok(ms < 1000, `other app's client gap ${ms} ms`);
      assert.equal(p.result.lost_total, 0);
      assert.equal(p.fault.not_recovered, 0);
    });

    it('a fan-out losing a sub app: its clients are in the fault’s figures until the kill, never in the point’s loss', async () => {
      const p = await measure('fanout-kill', options({ test_duration: 5, fault: FaultSchedule.parse('at=2s kill=sub-1', 'fault') }));
      const killed = p.fault.clients.filter((c) => c.killed).map((c) => c.client_id);
      assert.deepEqual(killed, ['sub-1-c0', 'sub-1-c1']);
      assert.equal(p.result.client_count, 2, 'the two clients alive through the point');
      assert.equal(p.result.failing_clients, 0);
      assert.equal(p.result.lost_total, 0);
      assert.deepEqual(
        (p.apps ?? []).map((a) => [a.name, a.status]),
        [
          ['pub', 'ok'],
          ['sub-0', 'ok'],
          ['sub-1', 'killed'],
        ],
      );
      const dead = p.fault.delivery.clients.find((c) => c.client_id === 'sub-1-c0');
      assert.ok(dead && dead.rates.some((r) => r > 0), 'the killed client’s delivery until the kill is drawn');
    });

    // librdkafka's group protocol against its own mock cluster, through both clients on it: kafkajs
    // meets the mock's coordinator answering SyncGroup with INVALID_REQUEST now and then (docs/faults.md).
    for (const library of ['librdkafka', 'native'] as const)
      it(`a shared group of 3 losing one member (${library} client): the rebalance counted and timed, its partitions taken over, duplicates counted`, async function () {
        if (!isInstalled(library)) {
          if (process.env.CI) throw new Error(`the ${library} client is not installed: the test command (bash scripts/setup.sh test) builds it`);
          this.skip();
        }
        const p = await measure(
          `shared-kill-${library}`,
          options({
            client_library: library,
            consumer_group: 'shared',
            total_sub_apps: 3,
            clients_per_app: 1,
            partitions: 4,
            consumer_session_timeout_ms: 6000,
            test_duration: 25,
            drain_timeout: 10,
            fault: FaultSchedule.parse('at=2s kill=sub-2', 'fault'),
          }),
        );
        const f = p.fault;
        assert.deepEqual(
          (p.apps ?? []).filter((a) => a.status !== 'ok').map((a) => a.status),
          ['killed'],
        );
        assert.ok(f.rebalances >= 1 && (f.rebalance_max_ms ?? 0) > 0, JSON.stringify({ rebalances: f.rebalances, ms: f.rebalance_max_ms }));
        assert.equal(f.partitions_taken_over, true);
        assert.ok((f.duplicated_across_members ?? 0) > 0, 'what the dead member had not committed reached another member');
        assert.ok(p.result.duplicated_total >= (f.duplicated_across_members ?? 0));
        assert.equal(p.result.lost_total, 0, 'at-least-once: nothing lost, some twice');
        assert.equal(p.result.behind_total, 0);
        assert.equal(f.clients.filter((c) => c.killed).length, 1);
        const seen = JSON.stringify({ events: f.events, clients: f.clients, rebalances: f.rebalances, rebalance_max_ms: f.rebalance_max_ms });
        assert.ok(f.recovery_ms !== null, `the survivors caught up within the point: ${seen}`);
        // They got nothing until the dead member's session timed out and the group rebalanced: that
        // silence is the fault's, so their recovery runs at least until it ended.
        assert.ok(f.recovery_ms >= f.longest_gap_ms && f.longest_gap_ms >= 1000, `recovery after the survivors' silence: ${seen}`);
      });
  });
});
