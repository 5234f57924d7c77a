import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HYDRA_RESULT_KEYS } from '../../src/stats/result';
import { cliSandbox, processesWithTag, runHydra, waitNoProcesses } from '../helpers';

describe('hydra kafka end to end (real processes, embedded broker)', function () {
  this.timeout(120000);
  const sandbox = cliSandbox();
  const tag = sandbox.tag;

  it('measures one point (after a warm-up) with zero loss, a Kafka verdict, nothing reordered, and leaves no process behind', async () => {
    const t = tag();
    const run = await runHydra(
      [
        'kafka',
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
    assert.equal(res.verdict, 'kafka', JSON.stringify(res.harness_notes));
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
        '--total_sub_apps=1',
        '--clients_per_app=1',
        '--msg_rate=500',
        '--test_duration=1',
        '--quiet',
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 60000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^RES = \{'average_packet_loss': 0,/);
    assert.equal(run.stderr, '');
    assert.deepEqual(await waitNoProcesses(t), []);
  });

  it('stops apps and broker on SIGINT', async () => {
    const t = tag();
    let sent = false;
    const run = await runHydra(
      [
        'kafka',
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

  it('exits 1 with one line when the run fails', async () => {
    const run = await runHydra(['report', 'no-such-study', `--results_dir=${sandbox.dir()}`, '--config_file='], { tag: tag(), timeoutMs: 20000 });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^hydra report: error: no study 'no-such-study' in /);
    assert.equal(run.stderr.trim().split('\n').length, 1);
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
