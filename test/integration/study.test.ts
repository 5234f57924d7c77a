import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointRecord } from '../../src/study/record';
import type { StudySpec } from '../../src/study/spec';
import { readJsonLines } from '../../src/study/store';
import { cliSandbox, runHydra, waitNoProcesses } from '../helpers';

describe('studies end to end (CLI, real apps, embedded broker)', function () {
  this.timeout(240000);
  const sandbox = cliSandbox();
  const tag = sandbox.tag;
  const common = (): string[] => [
    '--clients_per_app=2',
    '--test_duration=1',
    '--drain_timeout=3',
    `--results_dir=${path.join(sandbox.dir(), 'results')}`,
    `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
    '--config_file=',
  ];
  const points = (id: string): PointRecord[] => readJsonLines<PointRecord>(path.join(sandbox.dir(), 'results', id, 'points.jsonl'));

  it('reuses apps across rates and scales the sub group by the difference only', async () => {
    const t = tag();
    const run = await runHydra(['sweep', '--clients=2,6,4', '--msg_rates=300,600', '--study_id=reuse', '--quiet', ...common()], { tag: t, timeoutMs: 200000 });
    assert.equal(run.code, 0, run.stderr);
    const recs = points('reuse');
    assert.equal(recs.length, 6);
    assert.ok(
      recs.every((r) => r.status === 'ok' && r.result?.average_packet_loss === 0),
      JSON.stringify(recs.map((r) => r.error)),
    );
    const pidsFor = (clients: number): number[][] => recs.filter((r) => r.params.total_sub_apps * 2 === clients).map((r) => r.sub_pids ?? []);
    for (const clients of [2, 6, 4]) {
      const [a, b] = pidsFor(clients);
      assert.deepEqual(a, b, `same sub apps for both rates at ${clients} clients`);
    }
    const [one] = pidsFor(2);
    const [three] = pidsFor(6);
    const [two] = pidsFor(4);
    assert.equal(one?.length, 1);
    assert.equal(three?.length, 3);
    assert.equal(two?.length, 2);
    // Scale up 1 → 3 keeps the first app; scale down 3 → 2 keeps two of the three.
    assert.ok(three?.includes(one?.[0] as number));
    assert.ok(two?.every((pid) => three?.includes(pid)));
    assert.deepEqual(await waitNoProcesses(t), []);
  });

  it('survives Ctrl-C: resume completes without duplicates, rerun measures only the new rate', async () => {
    const id = 'interrupted';
    const t1 = tag();
    let interrupted = false;
    const first = await runHydra(['sweep', '--clients=2,4', '--msg_rates=300,400', `--study_id=${id}`, ...common()], {
      tag: t1,
      timeoutMs: 200000,
      onStderr: (chunk, kill) => {
        if (!interrupted && /point 2\/4 done/.test(chunk)) {
          interrupted = true;
          kill('SIGINT');
        }
      },
    });
    assert.ok(interrupted, first.stderr);
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, new RegExp(`hydra study resume ${id}`));
    assert.deepEqual(await waitNoProcesses(t1), [], 'no orphan after SIGINT');
    const saved = points(id).length;
    assert.ok(saved >= 2 && saved < 4, `${saved} points saved before the interrupt`);

    const t2 = tag();
    const resumed = await runHydra(['study', 'resume', id, '--quiet', `--results_dir=${path.join(sandbox.dir(), 'results')}`, '--config_file='], {
      tag: t2,
      timeoutMs: 200000,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    const afterResume = points(id);
    assert.equal(afterResume.length, 4);
    assert.equal(new Set(afterResume.map((r) => r.key)).size, 4, 'no duplicated point');
    // The cluster it ran against, from the cluster itself: the embedded broker answers ApiVersions (Produce is API 0).
    const spec = JSON.parse(fs.readFileSync(path.join(sandbox.dir(), 'results', id, 'study.json'), 'utf8')) as StudySpec;
    assert.match(spec.cluster?.cluster_id ?? '', /^mockCluster/);
    assert.equal(typeof spec.cluster?.broker_apis?.max_versions['0'], 'number', 'the broker APIs are recorded');
    assert.equal(spec.cluster?.broker_apis?.version_floor, null, 'the mock serves none of the release markers');
    assert.deepEqual(await waitNoProcesses(t2), []);

    const t3 = tag();
    const rerun = await runHydra(
      ['study', 'rerun', id, '--msg_rates=500', '--json', '--quiet', `--results_dir=${path.join(sandbox.dir(), 'results')}`, '--config_file='],
      { tag: t3, timeoutMs: 200000 },
    );
    assert.equal(rerun.code, 0, rerun.stderr);
    const outcome = JSON.parse(rerun.stdout) as { measured: number; points: PointRecord[] };
    assert.equal(outcome.measured, 2, 'one new point per client count');
    const all = points(id);
    assert.equal(all.length, 6);
    assert.deepEqual(
      all.slice(4).map((r) => [r.params.total_sub_apps * 2, r.params.msg_rate]),
      [
        [2, 500],
        [4, 500],
      ],
    );
    assert.deepEqual(await waitNoProcesses(t3), []);

    const shown = await runHydra(['study', 'show', id, `--results_dir=${path.join(sandbox.dir(), 'results')}`, '--config_file='], {
      tag: tag(),
      timeoutMs: 20000,
    });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /clients\s+batch\s+rate\s+status\s+packet_tx/);
    assert.equal(shown.stdout.split('\n').filter((l) => /\s+ok\s+/.test(l)).length, 6);
  });
});
