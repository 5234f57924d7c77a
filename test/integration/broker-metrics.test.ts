import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { pointParamsOf, type HydraOptions } from '../../src/config/options';
import { TestSession } from '../../src/runner/session';
import type { PointRecord } from '../../src/study/record';
import { readJsonLines } from '../../src/study/store';
import { BUSY_BROKER, FakePrometheus, IDLE_BROKER } from '../fake-prometheus';
import { busyHost, cliSandbox, runHydra, sessionTestOptions, stillAlive, waitNoProcesses } from '../helpers';

/** One CSV line's cells (RFC 4180 quoting: a note with commas in it is one quoted cell). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  return [...cells, cell];
}

/**
 * The brokers' own figures in a point, end to end: real apps on the embedded broker, with a
 * Prometheus endpoint beside it serving what a JMX exporter would (the embedded broker has none:
 * test/fake-prometheus.ts), over the CLI and through a session against a slow "real" cluster.
 */
describe('broker metrics in a point (real processes, embedded broker, a Prometheus endpoint beside it)', function () {
  this.timeout(150000);
  const sandbox = cliSandbox();
  const endpoints: FakePrometheus[] = [];
  const endpoint = async (ruleSet: 'jmx_exporter_example' | 'strimzi', state = IDLE_BROKER): Promise<FakePrometheus> => {
    const e = new FakePrometheus(ruleSet, state);
    await e.start();
    endpoints.push(e);
    return e;
  };
  after(async () => {
    await Promise.all(endpoints.map((e) => e.stop()));
  });

  it('a CLI sweep scrapes the endpoint through each point: stored per broker, in the CSV, judged by a threshold, and the embedded broker said to have none', async () => {
    const t = sandbox.tag();
    const e = await endpoint('strimzi');
    const results = path.join(sandbox.dir(), 'results');
    const run = await runHydra(
      [
        'sweep',
        '--clients=2',
        '--clients_per_app=2',
        '--msg_rates=500',
        '--test_duration=3',
        `--broker_metrics=${e.url}`,
        '--threshold=broker_handler_idle_min_pct>50',
        '--study_id=with-broker',
        `--results_dir=${results}`,
        `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
        '--config_file=',
      ],
      { tag: t, timeoutMs: 100000 },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /hydra: embedded broker at [\d.:]+ — it has no broker metrics of its own: the \[broker_metrics\] endpoints are scraped, but their figures are not this broker's\n/,
    );
    const [p] = readJsonLines<PointRecord>(path.join(results, 'with-broker', 'points.jsonl'));
    const b = p?.broker?.brokers[0];
    assert.ok(b, 'the point stores its broker figures');
    assert.equal(b.rule_set, 'strimzi');
    assert.ok(b.scrapes >= 3 && b.failed_scrapes === 0, `scrapes ${b.scrapes}, failed ${b.failed_scrapes}`);
    assert.ok(Math.abs((b.handler_idle_pct ?? 0) - 90) < 3, `handlers ${b.handler_idle_pct} % idle`);
    assert.equal(b.produce?.queue_p99_ms, IDLE_BROKER.produceQueueP99);
    assert.deepEqual(p?.broker?.missing, []);
    // A point the host held back (a busy machine) is not judged by thresholds: that, said, is the true outcome.
    if (p?.result && busyHost(p.result)) assert.equal(p.thresholds, undefined, 'a harness-limited point neither passes nor fails');
    else
      assert.deepEqual(
        p?.thresholds?.map((c) => [c.threshold, c.passed]),
        [['broker_handler_idle_min_pct>50', true]],
      );
    // The CSV carries every broker field, named as the threshold names it.
    const csv = await runHydra(['study', 'export', 'with-broker', '--format=csv', '--out=-', `--results_dir=${results}`, '--config_file='], { tag: t });
    const [header, row] = csv.stdout.trim().split('\n').map(csvCells);
    const at = header?.indexOf('broker_handler_idle_min_pct') ?? -1;
    assert.ok(at > 0, header?.join(','));
    assert.ok(Math.abs(Number(row?.[at]) - 90) < 3, `CSV broker_handler_idle_min_pct ${row?.[at]}`);
    assert.ok(e.requests >= 3);
    assert.deepEqual(await waitNoProcesses(t), []);
  });

  describe('Kafka holding the publisher back on a cluster with exporters', () => {
    let broker: BrokerHandle;
    let session: TestSession | undefined;
    const pids = new Set<number>();
    before(async () => {
      broker = await startEmbeddedBroker();
    });
    after(async () => {
      if (broker.pid) process.kill(broker.pid, 'SIGCONT');
      for (const app of [...(session?.publisherApps() ?? []), ...(session?.launcher.subApps() ?? [])]) if (app.pid) pids.add(app.pid);
      await session?.close();
      await broker.stop();
      assert.deepEqual(stillAlive(pids), [], 'no app outlives the test');
    });

    it('names the broker and the part of it: the request handlers busy, produce requests waiting in the request queue', async () => {
      // The embedded broker stands in for a real cluster that answers slowly (stopped 90 ms of every
      // 100 ms); its endpoint says its handlers are 97 % busy and produce requests queue 780 ms.
      const busy = await endpoint('jmx_exporter_example', BUSY_BROKER);
      const o: HydraOptions = sessionTestOptions({
        log_dir: path.join(sandbox.dir(), 'slow-logs'),
        results_dir: path.join(sandbox.dir(), 'slow-results'),
        broker_metrics: [busy.url],
        test_duration: 3,
        drain_timeout: 2,
        batch_bytes: 160,
        msg_rate: 2000,
      });
      fs.mkdirSync(o.results_dir, { recursive: true });
      session = await TestSession.open(o, { broker: { ...broker, embedded: false } });
      const pid = broker.pid as number;
      const cycle = setInterval(() => {
        process.kill(pid, 'SIGSTOP');
        setTimeout(() => process.kill(pid, 'SIGCONT'), 90);
      }, 100);
      let run;
      try {
        run = await session.runPoint(pointParamsOf(o));
      } finally {
        clearInterval(cycle);
        await new Promise((r) => setTimeout(r, 150));
        process.kill(pid, 'SIGCONT');
      }
      const r = run.result;
      assert.ok(run.broker && run.broker.brokers[0]?.scrapes && run.broker.brokers[0].scrapes >= 3, JSON.stringify(run.broker?.brokers[0]));
      if (!r.kafka_limits.includes('produce')) {
        // On a starved host the shortfall can be the host's: the verdict says so instead.
        assert.ok(busyHost(r), `Kafka held nothing back: ${r.harness_notes.join('; ')}`);
        return;
      }
      assert.match(
        r.kafka_notes.join('; '),
        /^Kafka held the publisher back: it accepted .* — broker 1 \(127\.0\.0\.1:\d+\): its request handlers were 97 % busy, produce requests waited 780 ms in its request queue \(p99\)/,
      );
      process.stderr.write(`      ${r.kafka_notes.join('; ')}\n`);
    });
  });
});
