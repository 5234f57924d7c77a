import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInstalled } from '../../src/client/registry';
import type { OmbExport } from '../../src/omb/result';
import type { OkPointRecord, PointRecord } from '../../src/study/record';
import type { StudySpec } from '../../src/study/spec';
import { readJsonLines } from '../../src/study/store';
import { assertRehearsalOrBusyHost, cliSandbox, REPO_ROOT, runHydra, waitNoProcesses } from '../helpers';

/**
 * OMB-shaped workload files (test/omb-workloads, written for these tests in the shape of OMB's
 * workloads/*.yaml) run unchanged with `hydra omb run` on the embedded broker, end to end: real
 * apps, real broker, the study stored; flags shorten their 5-15 minute durations. The exported
 * OMB results are drawn with pygal as OMB's chart script draws them, and read back by compare.
 */
describe('OpenMessaging Benchmark workloads end to end (real processes, embedded broker)', function () {
  this.timeout(240000);
  const sandbox = cliSandbox();
  const WORKLOADS = path.join(REPO_ROOT, 'test', 'omb-workloads');

  /** Runs `hydra omb run` on a workload with a short window; returns its study's spec and points, and checks nothing is left running. */
  async function runWorkload(name: string, extra: string[] = []): Promise<{ id: string; spec: StudySpec; points: PointRecord[]; stderr: string }> {
    const t = sandbox.tag();
    const id = `omb-${name}-${t.slice(-6)}`;
    const results = path.join(sandbox.dir(), 'results');
    const run = await runHydra(
      [
        'omb',
        'run',
        path.join(WORKLOADS, `${name}.yaml`),
        `--results_dir=${results}`,
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        `--study_id=${id}`,
        // Unless the test gives its own: OMB's 5-15 minutes made 3 s.
        ...(extra.some((a) => a.startsWith('--test_duration=')) ? [] : ['--test_duration=3']),
        '--warmup=0',
        '--config_file=',
        ...extra,
      ],
      { tag: t, timeoutMs: 200000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await waitNoProcesses(t), [], 'no app or kcat left after the run');
    const dir = path.join(results, id);
    return {
      id,
      spec: JSON.parse(fs.readFileSync(path.join(dir, 'study.json'), 'utf8')) as StudySpec,
      points: readJsonLines<PointRecord>(path.join(dir, 'points.jsonl')),
      stderr: run.stderr,
    };
  }

  function onlyPoint(points: PointRecord[]): OkPointRecord {
    assert.equal(points.length, 1);
    const p = points[0] as PointRecord;
    assert.equal(p.status, 'ok', p.error ?? '');
    return p as OkPointRecord;
  }

  it('runs a single-topic 1 KB workload from its payload file, exports OMB results OMB’s charts draw, and compares with them', async () => {
    const { id, spec, points } = await runWorkload('1-topic-1-partition-1kb');
    assert.equal(spec.omb?.workload, '1 topic / 1 partition / 1Kb');
    const p = onlyPoint(points);
    assert.deepEqual([p.params.msg_size, p.params.msg_rate, p.params.msg_batch, p.params.topics], [1024, 1000, 1, 1]);
    assert.equal(p.params.payload_file, path.join(WORKLOADS, 'payload', 'payload-1Kb.data'));
    // 3 s at 1 000 msg/s; a publisher held up on a busy host stops at the window's end with fewer.
    assert.ok(p.result.packet_tx > 2000 && p.result.packet_tx <= 3000, String(p.result.packet_tx));
    assert.equal(p.result.average_packets, p.result.packet_tx);
    assert.equal(p.result.lost_total, 0);
    assertRehearsalOrBusyHost(p.result);
    assert.ok((p.result.publish_delay_p99_ms ?? -1) >= 0, 'the publish delay is measured');

    const results = path.join(sandbox.dir(), 'results');
    const out = path.join(sandbox.dir(), 'omb-out');
    const exported = await runHydra(['study', 'export', id, '--format=omb', `--out=${out}`, `--results_dir=${results}`, '--config_file='], {
      tag: sandbox.tag(),
    });
    if (p.result.verdict === 'harness_limited') {
      // A busy host held the point back: the export leaves it out, names it and fails — there is nothing of Kafka's to draw.
      assert.equal(exported.code, 1, exported.stderr);
      assert.match(exported.stderr, /1 clients, 1000 msg\/s, batch 1 left out of the OMB export: harness-limited/);
      assert.equal(exported.stdout.trim(), '');
      return;
    }
    assert.equal(exported.code, 0, exported.stderr);
    const files = exported.stdout.trim().split('\n');
    assert.equal(files.length, 1);
    const file = files[0] as string;
    const omb = JSON.parse(fs.readFileSync(file, 'utf8')) as OmbExport;
    assert.equal(omb.workload, '1 topic / 1 partition / 1Kb');
    assert.equal(omb.messageSize, 1024);
    assert.equal(omb.publishRate.length, 1);
    assert.ok(Math.abs((omb.publishRate[0] ?? 0) - 1000) < 20, String(omb.publishRate[0]));

    // Drawn as OMB's chart script draws results (pygal, Debian's python3-pygal from the test setup).
    const charts = path.join(sandbox.dir(), 'charts');
    fs.mkdirSync(charts);
    const drawn = execFileSync('/usr/bin/python3', [path.join(REPO_ROOT, 'test', 'omb-chart-check.py'), charts, file], { encoding: 'utf8' });
    assert.match(drawn, /drew 9 charts/);
    assert.equal(fs.readdirSync(charts).filter((f) => f.endsWith('.svg')).length, 9);

    // Read back by compare, beside the study it came from: the same point, no difference.
    const compared = await runHydra(['compare', id, file, '--json', `--out=${path.join(sandbox.dir(), 'cmp')}`, `--results_dir=${results}`, '--config_file='], {
      tag: sandbox.tag(),
    });
    assert.equal(compared.code, 0, compared.stderr);
    assert.match(compared.stderr, /matched to 1 clients, 1000 msg\/s, batch 1/);
    const comparison = JSON.parse(compared.stdout) as { shared: { diffs: { field: string; diff: (number | null)[] }[] }[]; studies: { kind: string }[] };
    assert.equal(comparison.studies[1]?.kind, 'omb result');
    assert.equal(comparison.shared.length, 1);
    const rate = comparison.shared[0]?.diffs.find((d) => d.field === 'average_rate');
    assert.ok(rate && Math.abs(rate.diff[1] ?? NaN) < 1e-6, JSON.stringify(rate));
  });

  it('runs a 100-topic workload: 100 clients, one per topic, each judged against its own topic’s messages', async () => {
    const { points, stderr } = await runWorkload('100-topics-1-partition-1kb');
    assert.match(stderr, /hydra: omb: 100 topics × 1 subscription of one consumer: 100 clients/);
    const p = onlyPoint(points);
    assert.equal(p.params.topics, 100);
    assert.equal(p.result.client_count, 100);
    const topics = p.result.topic_figures ?? [];
    assert.equal(topics.length, 100);
    assert.equal(
      topics.reduce((n, t) => n + t.packet_tx, 0),
      p.result.packet_tx,
    );
    // Up to 3 000 messages round-robin over 100 topics: each topic its share (30 at most, all within one
    // of each other), and every client got its own topic's.
    const share = Math.floor(p.result.packet_tx / 100);
    assert.ok(share > 0 && share <= 30, String(p.result.packet_tx));
    assert.ok(
      topics.every((t) => t.clients === 1 && t.packet_tx - share <= 1 && t.packet_tx >= share && t.failing_clients === 0 && t.lost_total === 0),
      JSON.stringify(topics.filter((t) => t.packet_tx - share > 1 || t.packet_tx < share || t.failing_clients > 0)),
    );
    assert.equal(p.result.failing_clients, 0);
    assertRehearsalOrBusyHost(p.result);
  });

  it('runs a shared subscription of two consumers per topic over two topics, with two producers per topic (native client)', async function () {
    if (!isInstalled('native')) {
      if (process.env.CI) throw new Error('the native client is not built: the test command (bash scripts/setup.sh test) builds it');
      this.skip();
    }
    const { points } = await runWorkload('2-topics-shared-subscription', ['--client_library=native']);
    const p = onlyPoint(points);
    assert.deepEqual([p.params.consumer_group, p.params.topics, p.params.total_pub_apps, p.params.keys], ['shared', 2, 2, 'round_robin']);
    assert.equal(p.result.client_count, 4);
    const topics = p.result.topic_figures ?? [];
    assert.deepEqual(
      topics.map((t) => t.clients),
      [2, 2],
    );
    assert.equal(
      topics.reduce((n, t) => n + t.packet_tx, 0),
      p.result.packet_tx,
    );
    assert.ok(p.result.packet_tx > 2000 && p.result.packet_tx <= 3000, String(p.result.packet_tx));
    // A shared group per topic: its two members' receipts add up to the topic's messages, once each.
    assert.equal(p.result.lost_total, 0);
    assert.equal(p.result.duplicated_total, 0);
    assert.equal(p.result.failing_clients, 0);
    assertRehearsalOrBusyHost(p.result);
  });

  it('runs producerRate 0 as hydra’s boundary search', async () => {
    const { id, spec, points, stderr } = await runWorkload('max-rate', ['--start_rate=500', '--max_steps=2', '--test_duration=2']);
    assert.match(stderr, /producerRate 0 \(as fast as possible\): hydra searches the boundary/);
    assert.equal(spec.kind, 'kafkarate');
    // The search starts at --start_rate and doubles while the rate is Kafka's to find (a point the busy host held back ends it).
    assert.equal(points[0]?.params.msg_rate, 500);
    assert.ok(points.length >= 1 && points.length <= 2, String(points.length));
    assert.ok(points.every((p) => p.status === 'ok' && p.params.total_sub_apps * p.params.clients_per_app === 2));
    const findings = JSON.parse(fs.readFileSync(path.join(sandbox.dir(), 'results', id, 'findings.json'), 'utf8')) as { client_count: number; steps: number }[];
    // One finding, for the workload's 2 clients; its steps count the points that measured Kafka (none when the host held the first back).
    assert.deepEqual(
      findings.map((f) => f.client_count),
      [2],
    );
    assert.ok((findings[0]?.steps ?? -1) >= 0 && (findings[0]?.steps ?? 99) <= points.length, JSON.stringify(findings));
  });

  it('sweeps the topic count: a point per count, a curve per count, each topic’s figures stored', async () => {
    const t = sandbox.tag();
    const results = path.join(sandbox.dir(), 'results');
    const id = `topics-${t.slice(-6)}`;
    const run = await runHydra(
      [
        'sweep',
        '--clients=6',
        '--clients_per_app=3',
        '--msg_rates=600',
        '--vary=topics=1,2,6',
        '--test_duration=3',
        `--results_dir=${results}`,
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        `--study_id=${id}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 200000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await waitNoProcesses(t), []);
    const points = readJsonLines<PointRecord>(path.join(results, id, 'points.jsonl')) as OkPointRecord[];
    assert.deepEqual(
      points.map((p) => [p.status, p.params.topics, p.result.topic_figures?.length ?? 1]),
      [
        ['ok', 1, 1],
        ['ok', 2, 2],
        ['ok', 6, 6],
      ],
    );
    for (const p of points) {
      assert.equal(p.result.lost_total, 0);
      assert.equal(p.result.failing_clients, 0);
      // Each client gets its topic's share (the clients spread evenly): the messages sent over the point's topics.
      assert.equal(p.result.average_packets, p.result.packet_tx / p.params.topics);
      assert.ok(p.result.packet_tx > 1200 && p.result.packet_tx <= 1800, String(p.result.packet_tx));
    }
    const plotted = await runHydra(['plot', id, '--format=html', `--results_dir=${results}`, '--config_file='], { tag: sandbox.tag() });
    assert.equal(plotted.code, 0, plotted.stderr);
    const html = fs.readFileSync(path.join(results, id, 'plots.html'), 'utf8');
    for (const n of [1, 2, 6]) assert.match(html, new RegExp(`6 clients, topics ${n}`));
    assert.match(html, /Average Tx Rate per topic/);
  });
});
