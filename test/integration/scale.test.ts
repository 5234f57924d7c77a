import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { cliSandbox, runHydra, waitNoProcesses } from '../helpers';

/**
 * The point that showed hydra's own limits as Kafka's: 300 clients (30 sub apps × 10) at 1 000
 * msg/s on the embedded broker, on a 2-core machine. It must come out lossless, or marked
 * harness-limited (the host, whose CPU the sub apps wait for; subscribers only at their own CPU
 * ceiling) — never as plain Kafka loss — and with nothing reordered on its single partition.
 */
describe('300 clients on one machine (real processes, embedded broker)', function () {
  this.timeout(240000);
  const sandbox = cliSandbox();

  it('is lossless or harness-limited, never plain loss, and reorders nothing', async () => {
    const t = sandbox.tag();
    const run = await runHydra(
      [
        'kafka',
        `--results_dir=${path.join(sandbox.dir(), 'results')}`,
        '--total_sub_apps=30',
        '--clients_per_app=10',
        '--msg_rate=1000',
        '--test_duration=5',
        '--drain_timeout=10',
        '--json',
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 200000 },
    );
    const res = JSON.parse(run.stdout || '{}') as Record<string, unknown>;
    assert.ok(run.code === 0 || res.status === 'invalid', run.stderr);
    assert.equal(res.client_count, 300);
    assert.equal(res.reordered_total, 0, 'one partition, one request in flight: nothing reordered');
    const limits = res.harness_limits as string[];
    if (res.verdict === 'rehearsal') assert.equal(res.average_packet_loss, 0, 'a clean verdict with loss would be the old lie');
    else {
      assert.equal(res.verdict, 'harness_limited');
      assert.ok(
        limits.some((l) => l === 'subscribers' || l === 'host'),
        limits.join(','),
      );
      // Starved of CPU is the host's limit: sub apps are called saturated only at their own CPU ceiling.
      if (limits.includes('subscribers')) assert.ok(Number(res.sub_cpu_max_pct) >= 90, `subscribers blamed at ${String(res.sub_cpu_max_pct)} % CPU`);
      assert.match(run.stderr, /HARNESS-LIMITED, not a Kafka result: the (subscribers|host), not Kafka, w(as|ere) the limit/);
      // Each remedy once.
      for (const limit of limits)
        assert.equal(
          run.stderr.split(`where ${limit === 'embedded_broker' ? "hydra's embedded broker" : `the ${limit}`}`).length - 1,
          1,
          `${limit}'s remedy once`,
        );
    }
    process.stderr.write(
      `      300 clients × 1000 msg/s: verdict ${String(res.verdict)} (${limits.join(', ')}), loss ${String(res.average_packet_loss)} %, lost ${String(res.lost_total)}, behind ${String(res.behind_total)}, reordered ${String(res.reordered_total)}, p50 ${String(res.latency_p50_ms)} ms, host cpu ${String(res.host_cpu_busy_max_pct)} %\n`,
    );
    assert.deepEqual(await waitNoProcesses(t, 15000), []);
  });
});
