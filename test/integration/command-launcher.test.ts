import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointRecord } from '../../src/study/record';
import { cliSandbox, processesWithTag, runHydra, waitNoProcesses } from '../helpers';

/**
 * `[launcher] kind = command` on real processes: every app is started through a command template
 * (here a small script standing in for ssh, with one "host" whose clock runs 2 s ahead through
 * Debian's faketime), gets its spec on stdin and answers with its control address on stdout. The
 * runner estimates each app's clock offset and takes it out of the latencies; and a runner killed
 * outright leaves no app behind (their stdin closes).
 */
describe('command launcher (real processes, a skewed clock, embedded broker)', function () {
  this.timeout(180000);
  const sandbox = cliSandbox();
  const SKEW_MS = 2000;

  /** hydra.ini for the command launcher: the publisher on `pubhost`, sub-0 on `skewed` (clock +2 s), sub-1 on `plain`. */
  const ini = (): string => {
    const dir = sandbox.dir();
    const wrapper = path.join(dir, 'on-host.sh');
    // What ssh would be: run the app "on" the named host; the host `skewed` has a clock 2 s ahead.
    fs.writeFileSync(wrapper, `#!/bin/sh\nhost=$1; shift\nif [ "$host" = skewed ]; then exec faketime -f +${SKEW_MS / 1000}s "$@"; fi\nexec "$@"\n`, {
      mode: 0o755,
    });
    const file = path.join(dir, 'hydra.ini');
    fs.writeFileSync(
      file,
      `[launcher]\nkind = command\nhosts = pubhost@127.0.0.1, skewed@127.0.0.1, plain@127.0.0.1\ncommand = ${wrapper} {host} {node} {app}\nlog_dir = ${path.join(dir, 'logs')}\n`,
    );
    return file;
  };
  // The launcher's command is written in hydra.ini: it runs only when the command line allows it.
  const common = (): string[] => ['--clients_per_app=2', '--test_duration=2', '--drain_timeout=3', `--config_file=${ini()}`, '--allow_commands'];

  it('runs a sweep through the command, corrects a 2 s clock skew to within its error bound', async () => {
    const t = sandbox.tag();
    const results = path.join(sandbox.dir(), 'results');
    const run = await runHydra(['sweep', '--clients=4', '--msg_rates=500', '--json', '--quiet', `--results_dir=${results}`, ...common()], {
      tag: t,
      timeoutMs: 120000,
    });
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as { points: PointRecord[] };
    const point = outcome.points[0] as PointRecord;
    assert.equal(point.status, 'ok', point.error ?? '');
    const apps = new Map((point.apps ?? []).map((a) => [a.name, a]));
    const skewed = apps.get('sub-0');
    const plain = apps.get('sub-1');
    const pub = apps.get('pub');
    assert.ok(skewed && plain && pub, JSON.stringify(point.apps));
    // The skewed host's offset is found to within its error bound (plus the few ms faketime's start takes).
    assert.ok(
      Math.abs((skewed.clock_offset_ms ?? 0) - SKEW_MS) <= (skewed.clock_error_ms ?? 0) + 50,
      `sub-0 offset ${skewed.clock_offset_ms} ± ${skewed.clock_error_ms}`,
    );
    assert.ok(
      Math.abs(plain.clock_offset_ms ?? Infinity) <= (plain.clock_error_ms ?? 0) + 5,
      `sub-1 offset ${plain.clock_offset_ms} ± ${plain.clock_error_ms}`,
    );
    assert.ok((skewed.clock_error_ms ?? Infinity) < 50, `error bound ${skewed.clock_error_ms} ms`);
    const r = point.result;
    assert.ok(r, 'a result');
    // Uncorrected, every message to sub-0's clients would show ≥ 2 s of latency.
    assert.ok((r.latency_max_ms ?? Infinity) < SKEW_MS / 2, `latency max ${r.latency_max_ms} ms: the skew was taken out`);
    assert.equal(r.lost_total, 0);
    assert.deepEqual(await waitNoProcesses(t), [], 'every app stopped when its stdin closed');
  });

  it('leaves no app behind when the runner is SIGKILLed', async () => {
    const t = sandbox.tag();
    let killed = false;
    const run = await runHydra(
      [
        'kafka',
        '--total_sub_apps=2',
        '--msg_rate=300',
        '--test_duration=20',
        `--results_dir=${path.join(sandbox.dir(), 'results')}`,
        ...common().filter((a) => !a.startsWith('--test_duration')),
      ],
      {
        tag: t,
        timeoutMs: 60000,
        onStderr: (chunk, kill) => {
          if (!killed && /publish:/.test(chunk) && processesWithTag(t).length > 0) {
            killed = true;
            kill('SIGKILL');
          }
        },
      },
    );
    assert.ok(killed, run.stderr);
    assert.equal(run.signal, 'SIGKILL');
    assert.deepEqual(await waitNoProcesses(t, 10000), [], 'the apps died with their runner');
  });
});
