import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointRecord } from '../../src/study/record';
import { readJsonLines } from '../../src/study/store';
import { cliSandbox, cmdline, processesWithTag, runHydra, waitNoProcesses } from '../helpers';

/**
 * Faults a user meets from the command line, on real processes and the embedded broker: the
 * broker dying mid-study, the runner killed with a frozen app, a full disk, two runs of one study.
 */
describe('CLI under faults (child processes, embedded broker)', function () {
  this.timeout(180000);
  const sandbox = cliSandbox();
  const common = (): string[] => [
    '--clients_per_app=2',
    '--test_duration=1',
    '--drain_timeout=2',
    `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
    '--config_file=',
  ];
  const results = (): string => path.join(sandbox.dir(), 'results');
  const points = (dir: string, id: string): PointRecord[] => readJsonLines<PointRecord>(path.join(dir, id, 'points.jsonl'));

  it('stops the study with one line and a resume hint when the embedded broker dies; resume completes it', async () => {
    const t = sandbox.tag();
    let killed = false;
    const first = await runHydra(['sweep', '--clients=2', '--msg_rates=300,400,500', '--study_id=broker-dies', `--results_dir=${results()}`, ...common()], {
      tag: t,
      timeoutMs: 120000,
      onStderr: (chunk) => {
        if (!killed && /point 2\/3:/.test(chunk)) {
          const kcat = processesWithTag(t).find((pid) => /(^|\/)kcat /.test(cmdline(pid)));
          if (kcat) {
            killed = true;
            process.kill(kcat, 'SIGKILL');
          }
        }
      },
    });
    assert.ok(killed, first.stderr);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /hydra: error: the embedded broker \(kcat, pid \d+\) was killed by SIGKILL during \w+/);
    assert.match(first.stderr, /continue with: hydra study resume broker-dies/);
    const stored = points(results(), 'broker-dies');
    assert.equal(stored.length, 1, 'only the point finished before the broker died is stored');
    assert.equal(stored[0]?.status, 'ok');
    assert.deepEqual(await waitNoProcesses(t), []);

    const t2 = sandbox.tag();
    const resume = await runHydra(['study', 'resume', 'broker-dies', `--results_dir=${results()}`, '--config_file='], { tag: t2, timeoutMs: 120000 });
    assert.equal(resume.code, 0, resume.stderr);
    const all = points(results(), 'broker-dies');
    assert.deepEqual(
      all.map((p) => [p.params.msg_rate, p.status]),
      [
        [300, 'ok'],
        [400, 'ok'],
        [500, 'ok'],
      ],
    );
    assert.deepEqual(await waitNoProcesses(t2), []);
  });

  it('leaves no process behind when the runner is SIGKILLed while a sub app is frozen', async () => {
    const t = sandbox.tag();
    let frozen = 0;
    const run = await runHydra(
      [
        'kafka',
        '--total_sub_apps=2',
        '--msg_rate=300',
        '--test_duration=20',
        `--results_dir=${results()}`,
        ...common().filter((a) => !a.startsWith('--test_duration')),
      ],
      {
        tag: t,
        timeoutMs: 60000,
        onStderr: (chunk, kill) => {
          if (!frozen && /publish:/.test(chunk)) {
            const sub = processesWithTag(t).find((pid) => /apps\/sub\.js/.test(cmdline(pid)));
            if (!sub) return;
            frozen = sub;
            process.kill(sub, 'SIGSTOP');
            kill('SIGKILL');
          }
        },
      },
    );
    assert.ok(frozen, run.stderr);
    assert.equal(run.signal, 'SIGKILL');
    assert.deepEqual(await waitNoProcesses(t, 10000), [], 'the frozen app and everything else died with the runner');
  });

  it('refuses a second run of a study that is running, and a study id that is a path', async () => {
    const t = sandbox.tag();
    const id = 'locked';
    let second: Promise<Awaited<ReturnType<typeof runHydra>>> | undefined;
    const first = await runHydra(['sweep', '--clients=2', '--msg_rates=300,400', `--study_id=${id}`, `--results_dir=${results()}`, ...common()], {
      tag: t,
      timeoutMs: 120000,
      onStderr: (chunk) => {
        // While the first run measures, a resume of the same study must be refused.
        if (!second && /point 1\/2:/.test(chunk))
          second = runHydra(['study', 'resume', id, `--results_dir=${results()}`, '--config_file='], { tag: t, timeoutMs: 60000 });
      },
    });
    assert.equal(first.code, 0, first.stderr);
    assert.ok(second);
    const refused = await second;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /study 'locked' is being run by process \d+/);
    assert.equal(points(results(), id).length, 2, 'every point stored once');
    assert.equal(fs.existsSync(path.join(results(), id, '.lock')), false, 'the lock is released');

    const before = fs.readdirSync(results()).sort();
    for (const bad of ['..', '../escape', 'a/b', '/tmp/abs', 'logs']) {
      const r = await runHydra(['sweep', '--clients=2', '--msg_rates=300', `--study_id=${bad}`, `--results_dir=${results()}`, ...common()], {
        tag: t,
        timeoutMs: 20000,
      });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--study_id=/);
    }
    assert.deepEqual(fs.readdirSync(results()).sort(), before, 'no study was created for a bad id');
    assert.equal(fs.existsSync(path.join(sandbox.dir(), 'escape')), false);
  });

  const root = process.getuid?.() === 0;
  (root ? describe : describe.skip)('on a full disk (a small tmpfs; needs root)', () => {
    let mount = '';
    before(() => {
      mount = path.join(sandbox.dir(), 'tmpfs');
      fs.mkdirSync(mount);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
    });
    after(() => {
      execFileSync('umount', ['-l', mount]);
    });

    it('stops with one line and a resume hint, leaves no partial point line, and resumes once there is space', async () => {
      const t = sandbox.tag();
      const dir = path.join(mount, 'results');
      fs.mkdirSync(dir);
      const first = await runHydra(['sweep', '--clients=2', '--msg_rates=300,400', '--study_id=full', `--results_dir=${dir}`, ...common()], {
        tag: t,
        timeoutMs: 120000,
        onStderr: (chunk) => {
          // Fill the disk once the first point is being measured: its line will not fit.
          if (/point 1\/2:/.test(chunk) && !fs.existsSync(path.join(mount, 'filler'))) {
            try {
              fs.writeFileSync(path.join(mount, 'filler'), Buffer.alloc(64 * 1024));
            } catch {
              // ENOSPC: the disk is now full, as wanted.
            }
          }
        },
      });
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stderr, /hydra: error: cannot write .*points\.jsonl: ENOSPC \(the disk is full: free space there\)/);
      assert.match(first.stderr, /continue with: hydra study resume full/);
      assert.doesNotMatch(first.stderr, /point 1\/2 done/, 'a point is done only once it is on disk');
      const text = fs.existsSync(path.join(dir, 'full', 'points.jsonl')) ? fs.readFileSync(path.join(dir, 'full', 'points.jsonl'), 'utf8') : '';
      assert.ok(text === '' || text.endsWith('\n'), 'no partial line');
      assert.deepEqual(await waitNoProcesses(t), []);

      fs.rmSync(path.join(mount, 'filler'));
      const resume = await runHydra(['study', 'resume', 'full', `--results_dir=${dir}`, '--config_file='], { tag: t, timeoutMs: 120000 });
      assert.equal(resume.code, 0, resume.stderr);
      assert.equal(points(dir, 'full').length, 2);
    });

    it('creates a study all or nothing: a full disk leaves no trace, list still works, and the id can be used once there is space', async () => {
      const t = sandbox.tag();
      const dir = path.join(mount, 'results-create');
      fs.mkdirSync(dir);
      const filler = path.join(mount, 'filler3');
      try {
        fs.writeFileSync(filler, Buffer.alloc(64 * 1024));
      } catch {
        // Full.
      }
      const args = ['sweep', '--clients=2', '--msg_rates=300', '--study_id=born-full', `--results_dir=${dir}`, ...common()];
      const first = await runHydra(args, { tag: t, timeoutMs: 60000 });
      assert.equal(first.code, 1, first.stderr);
      assert.match(first.stderr, /cannot write .*born-full\/study\.json: ENOSPC \(the disk is full: free space there\)/);
      assert.equal(fs.existsSync(path.join(dir, 'born-full')), false, 'nothing of the study is left');
      const list = await runHydra(['study', 'list', `--results_dir=${dir}`, '--config_file='], { tag: t });
      assert.equal(list.code, 0, list.stderr);
      fs.rmSync(filler, { force: true });
      const again = await runHydra(args, { tag: t, timeoutMs: 120000 });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(points(dir, 'born-full').length, 1);
      assert.deepEqual(await waitNoProcesses(t), []);
    });

    it('stops a study with one line when the app log disk is full, instead of storing every point as failed', async () => {
      const t = sandbox.tag();
      const logs = path.join(mount, 'logs-study');
      fs.mkdirSync(logs, { recursive: true });
      const results = path.join(sandbox.dir(), 'results-logfull');
      const filler = path.join(mount, 'filler4');
      try {
        fs.writeFileSync(filler, Buffer.alloc(64 * 1024));
      } catch {
        // Full.
      }
      const run = await runHydra(
        [
          'sweep',
          '--clients=2',
          '--msg_rates=300,400,500',
          '--study_id=logs-full',
          `--results_dir=${results}`,
          ...common().filter((a) => !a.startsWith('--log_dir')),
          `--log_dir=${logs}`,
        ],
        { tag: t, timeoutMs: 60000 },
      );
      fs.rmSync(filler, { force: true });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /hydra: error: cannot write app log .*\.log: ENOSPC/);
      assert.match(run.stderr, /continue with: hydra study resume logs-full/);
      assert.equal(run.stderr.match(/cannot write app log/g)?.length, 1, 'said once');
      assert.deepEqual(points(results, 'logs-full'), [], 'no point stored as failed');
      assert.deepEqual(await waitNoProcesses(t), []);
    });

    it('says when an app log cannot be written instead of a silent app', async () => {
      const t = sandbox.tag();
      const logs = path.join(mount, 'logs');
      fs.mkdirSync(logs, { recursive: true });
      try {
        fs.writeFileSync(path.join(mount, 'filler2'), Buffer.alloc(64 * 1024));
      } catch {
        // Full.
      }
      const run = await runHydra(
        ['kafka', '--total_sub_apps=1', '--clients_per_app=1', '--test_duration=1', `--log_dir=${logs}`, `--results_dir=${results()}`, '--config_file='],
        {
          tag: t,
          timeoutMs: 60000,
        },
      );
      fs.rmSync(path.join(mount, 'filler2'), { force: true });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /cannot write app log .*pub\.log: ENOSPC/);
      assert.deepEqual(await waitNoProcesses(t), []);
    });
  });
});
