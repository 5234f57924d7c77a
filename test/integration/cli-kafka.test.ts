import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HYDRA_RESULT_KEYS } from '../../src/stats/result';
import type { PointResult } from '../../src/stats/result';
import type { PointRecord } from '../../src/study/record';
import { readJsonLines } from '../../src/study/store';
import { spawn } from 'node:child_process';
import { cliSandbox, HYDRA_BIN, processesWithTag, REPO_ROOT, runHydra, waitNoProcesses, assertRehearsalOrBusyHost } from '../helpers';

/** Runs hydra with its stdout a pipe whose reader is already gone, as in `hydra study list | true`. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HYDRA_BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the child has started: its first write to stdout fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      setImmediate(() => resolve({ code, stderr }));
    });
  });
}

describe('hydra kafka end to end (real processes, embedded broker)', function () {
  this.timeout(120000);
  const sandbox = cliSandbox();
  const tag = sandbox.tag;

  it('measures one point (after a warm-up) with zero loss, a rehearsal verdict in the JSON as in the lines, nothing reordered, and leaves no process behind', async () => {
    const t = tag();
    const run = await runHydra(
      [
        'kafka',
        `--results_dir=${path.join(sandbox.dir(), 'results')}`,
        '--total_sub_apps=2',
        '--clients_per_app=2',
        '--msg_rate=1000',
        '--test_duration=3',
        // Warm-up messages are published first and must not be counted.
        '--warmup=1',
        '--json',
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 100000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const res = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of [
      ...HYDRA_RESULT_KEYS,
      'lost_total',
      'duplicated_total',
      'reordered_total',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'latency_max_ms',
      'pub_achieved_ratio',
    ]) {
      assert.ok(key in res, `missing ${key}`);
    }
    assert.equal(res.client_count, 4);
    assert.equal(res.packet_tx, 3000);
    assert.equal(res.average_packet_loss, 0);
    assert.equal(res.failing_clients, 0);
    assert.equal(res.lost_total, 0);
    assert.equal(res.behind_total, 0);
    assert.equal(res.reordered_total, 0);
    assert.equal(res.status, 'ok');
    // The JSON says what the lines say: the verdict's word, and the table's label beside it.
    assertRehearsalOrBusyHost(res as unknown as PointResult);
    assert.equal(res.verdict_label, res.verdict === 'rehearsal' ? 'rehearsal' : 'harness:host');
    assert.match(
      run.stderr,
      res.verdict === 'rehearsal'
        ? /verdict: no harness limit reached — on hydra's embedded broker, a rehearsal/
        : /HARNESS-LIMITED, not a Kafka result: the host/,
    );
    const tx = res.average_tx_rate as number;
    assert.ok(Math.abs(tx - 1000) / 1000 <= 0.05, `tx rate ${tx} within 5 % of 1000`);
    assert.match(run.stderr, /app logs in /);
    assert.deepEqual(await waitNoProcesses(t), [], 'no app or kcat left after the run');
  });

  it('prints the RES dict by default', async () => {
    const t = tag();
    const run = await runHydra(
      [
        'kafka',
        `--results_dir=${path.join(sandbox.dir(), 'results')}`,
        '--total_sub_apps=1',
        '--clients_per_app=1',
        '--msg_rate=1000',
        '--test_duration=1',
        '--quiet',
        '--study_id=one-point',
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 60000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^RES = \{'average_packet_loss': 0,/);
    assert.equal(run.stderr, '');
    // The point is stored as a one-point study: it can be shown, exported and plotted later.
    const stored = readJsonLines<PointRecord>(path.join(sandbox.dir(), 'results', 'one-point', 'points.jsonl'));
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.status, 'ok');
    assert.equal(stored[0]?.params.msg_rate, 1000);
    const spec = JSON.parse(fs.readFileSync(path.join(sandbox.dir(), 'results', 'one-point', 'study.json'), 'utf8')) as { kind: string; status: string };
    assert.deepEqual([spec.kind, spec.status], ['kafka', 'done']);
    assert.deepEqual(await waitNoProcesses(t), []);
  });

  it('stops apps and broker on SIGINT', async () => {
    const t = tag();
    let sent = false;
    const run = await runHydra(
      [
        'kafka',
        `--results_dir=${path.join(sandbox.dir(), 'results')}`,
        '--total_sub_apps=1',
        '--clients_per_app=1',
        '--msg_rate=500',
        '--test_duration=30',
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      {
        tag: t,
        timeoutMs: 60000,
        onStderr: (chunk, kill) => {
          if (!sent && /publish:/.test(chunk)) {
            sent = true;
            // Everything is up: broker, pub, sub.
            assert.ok(processesWithTag(t).length >= 3);
            kill('SIGINT');
          }
        },
      },
    );
    assert.ok(sent, run.stderr);
    assert.equal(run.code, 130, run.stderr);
    assert.deepEqual(await waitNoProcesses(t), []);
  });

  // Bad input is covered in process (test/unit/cli.test.ts); one child process per exit path here.
  it('exits 2 with one line and launches nothing on bad input', async () => {
    const t = tag();
    // A launch would create this log directory; bad input must stop before that.
    const run = await runHydra(['kafka', '--msg_rate=-1', `--log_dir=${path.join(sandbox.dir(), 'never')}`], { tag: t, timeoutMs: 20000 });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^hydra kafka: --msg_rate="-1": must not be negative/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.equal(fs.existsSync(path.join(sandbox.dir(), 'never')), false);
    assert.deepEqual(processesWithTag(t), []);
  });

  it('exits 2 with one line for an unknown study id (bad input, like a mistyped flag)', async () => {
    const run = await runHydra(['report', 'no-such-study', `--results_dir=${sandbox.dir()}`, '--config_file='], { tag: tag(), timeoutMs: 20000 });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^hydra report: study="no-such-study": no such study in /);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  it('ends quietly when the reader of its output goes away (no EPIPE stack trace)', async () => {
    const results = path.join(sandbox.dir(), 'piped');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'recorded', 'studies'), results, { recursive: true });
    const common = [`--results_dir=${results}`, '--config_file='];
    for (const args of [
      ['study', 'list', ...common],
      ['study', 'list', '--json', ...common],
      ['study', 'show', 'v-current', '--json', ...common],
      ['study', 'export', 'v-current', '--out=-', ...common],
    ]) {
      const run = await runIntoClosedPipe(args);
      assert.equal(run.stderr, '', `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.code, 0, args.join(' '));
    }
  });

  it('rejects a malformed hydra.ini naming file and line', async () => {
    const ini = path.join(sandbox.dir(), 'bad.ini');
    fs.writeFileSync(ini, '[test]\nmsg_rate 100\n');
    const run = await runHydra(['kafka', `--config_file=${ini}`], { tag: tag(), timeoutMs: 20000 });
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`${ini.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2="msg_rate 100": malformed line`));
  });

  it('has help text listing flags with defaults', async () => {
    const run = await runHydra(['kafka', '--help'], { tag: tag(), timeoutMs: 20000 });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--msg_rate=<msg\/s>\s+requested publish rate \(default: 10000\)/);
    assert.match(run.stdout, /--total_sub_apps=<apps>.*\(default: 20\)/);
  });
});
