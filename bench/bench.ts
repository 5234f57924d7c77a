/**
 * Benchmarks, printed as figures (not a timed test). Everything runs against one embedded broker
 * in the same run, so ratios are comparable even on a noisy machine.
 *
 *   npm run bench                # all figures
 *   npm run bench -- --quick     # shorter windows, 20 sub apps for the collect figure
 */
import { Kafka, logLevel } from 'kafkajs';
import '../src/kafkajs/idle-loop-fix';
import { encodeMessage } from '../src/apps/message';
import { startEmbeddedBroker, type BrokerHandle } from '../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../src/config/options';
import { ControlClient } from '../src/control/client';
import type { SubCommands } from '../src/control/protocol';
import { pointMarks, subConfigFor } from '../src/runner/app-config';
import { TestSession } from '../src/runner/session';
import { median } from 'simple-statistics';
import * as os from 'node:os';
import * as path from 'node:path';

const quick = process.argv.includes('--quick');
const WINDOW_S = quick ? 3 : 5;
const BATCH = 100;
const IN_FLIGHT = 16;

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(68)} ${value}\n`);
}

/** Raw kafkajs: the same 16-byte messages and batch size, as fast as possible with 16 requests in flight. */
async function rawProduceRate(brokers: string[], topic: string, seconds: number): Promise<number> {
  const producer = new Kafka({ brokers, clientId: 'bench-raw', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let seq = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const now = Date.now();
    const messages = Array.from({ length: BATCH }, () => ({
      value: encodeMessage({ seq: seq++, pubId: 0, epoch: 0, intendedMs: now, sentMs: now }, now),
      partition: 0,
    }));
    const p: Promise<void> = producer.send({ topic, acks: 1, messages }).then(() => {
      sent += BATCH;
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  await producer.disconnect();
  return sent / elapsed;
}

async function main(): Promise<void> {
  line('machine', `${os.cpus().length} cores, node ${process.version}${quick ? ', --quick' : ''}`);
  const broker: BrokerHandle = await startEmbeddedBroker();
  const options: HydraOptions = {
    ...DEFAULT_OPTIONS,
    config_file: '',
    log_dir: path.join(os.tmpdir(), 'hydra-bench-logs'),
    clients_per_app: 1,
    total_sub_apps: 1,
    test_duration: WINDOW_S,
    drain_timeout: 2,
  };
  const session = await TestSession.open(options, { broker });
  try {
    // 1. Publisher ceiling next to raw kafkajs.
    const raw = await rawProduceRate(broker.brokers, `bench-raw-${Date.now()}`, WINDOW_S);
    const ceiling = await session.runPoint({ ...pointParamsOf(options), msg_rate: 1_000_000 });
    line('raw kafkajs produce loop (16 B msgs, batch 100, acks=1)', `${raw.toFixed(0)} msg/s`);
    line('pub app ceiling (--msg_rate=1000000, 1 sub client)', `${ceiling.result.average_tx_rate.toFixed(0)} msg/s, verdict ${ceiling.result.verdict}`);
    line('pub app ceiling / raw kafkajs', (ceiling.result.average_tx_rate / raw).toFixed(3));
    // Per CPU-second the figure survives a noisy machine.
    line(
      'pub app msg/s per publisher CPU-second at its ceiling',
      `${((ceiling.result.average_tx_rate * 100) / Math.max(ceiling.result.pub_cpu, 1e-9)).toFixed(0)}`,
    );

    // 2. Achieved / requested.
    for (const rate of [1000, 10000, 50000]) {
      const r = await session.runPoint({ ...pointParamsOf(options), msg_rate: rate });
      line(
        `achieved/requested at ${rate} msg/s`,
        `${r.result.pub_achieved_ratio.toFixed(3)} (tx ${r.result.average_tx_rate.toFixed(0)} msg/s, loss ${r.result.average_packet_loss.toFixed(3)} %)`,
      );
    }

    // 3. Deliveries (clients × rate) this machine sustains with the embedded broker: where the
    // verdict flips from a Kafka measurement to harness-limited.
    let bestLossless = 0;
    let flip = '';
    for (const clients of quick ? [20, 100] : [20, 50, 100, 200]) {
      const appCount = clients / 10;
      const r = await session.runPoint({ ...pointParamsOf(options), total_sub_apps: appCount, clients_per_app: 10, msg_rate: 1000, test_duration: 3 });
      const deliveries = clients * r.result.average_rate;
      line(
        `  ${clients} clients × 1000 msg/s (${appCount} sub apps × 10)`,
        `${deliveries.toFixed(0)} deliveries/s, loss ${r.result.average_packet_loss.toFixed(3)} %, verdict ${r.result.verdict}${r.result.harness_limits.length ? ` (${r.result.harness_limits.join('+')})` : ''}, host cpu ${(r.result.host_cpu_busy_max_pct ?? 0).toFixed(0)} %`,
      );
      if (r.result.verdict === 'kafka' && r.result.average_packet_loss === 0 && r.faults.length === 0) bestLossless = Math.max(bestLossless, deliveries);
      if (!flip && r.result.verdict === 'harness_limited') flip = `${clients} clients (${deliveries.toFixed(0)} deliveries/s)`;
    }
    line('largest lossless deliveries/s with a Kafka verdict', `${bestLossless.toFixed(0)}`);
    line('verdict flips to harness-limited at', flip || 'not within the scan');
    await session.prepareApps(1);

    // 4. Per-point overhead beyond test_duration with apps reused (same client count).
    const overheads: number[] = [];
    const short = { ...pointParamsOf(options), total_sub_apps: 2, clients_per_app: 2, test_duration: 1, msg_rate: 1000 };
    await session.runPoint(short); // sizes the group; not timed
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await session.runPoint(short);
      overheads.push((performance.now() - t0) / 1000 - short.test_duration);
    }
    line(
      'per-point overhead beyond test_duration, apps reused (median of 3)',
      `${median(overheads).toFixed(2)} s (${overheads.map((o) => o.toFixed(2)).join(', ')})`,
    );

    // 5. Scaling the sub group 1 → 20 apps.
    await session.prepareApps(1);
    let t0 = performance.now();
    await session.prepareApps(20);
    line('scale sub group 1 → 20 apps (launch + control address)', `${((performance.now() - t0) / 1000).toFixed(2)} s`);

    // 6. Collecting stats from many sub apps in parallel.
    const collectApps = quick ? 20 : 50;
    t0 = performance.now();
    const { subs } = await session.prepareApps(collectApps);
    line(`scale sub group 20 → ${collectApps} apps`, `${((performance.now() - t0) / 1000).toFixed(2)} s`);
    // Signed with the run's credentials: apps refuse anyone else's commands.
    const clients = subs.map((s) => new ControlClient<SubCommands>(s.endpoint, 10000, session.auth));
    const topic = `bench-collect-${Date.now()}`;
    const subConfig = subConfigFor({ clients_per_app: 1, consumer_max_buffer_size: 0, total_pub_apps: 1 }, options, topic, pointMarks(0));
    await Promise.all(clients.map((c) => c.call('updateconfig', subConfig, 60000)));
    const rounds: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const stats = await Promise.all(clients.map((c) => c.call('getstats')));
      rounds.push(performance.now() - t0);
      if (stats.length !== collectApps) throw new Error('missing stats');
    }
    line(`collect getstats from ${collectApps} sub apps in parallel (median of 5)`, `${median(rounds).toFixed(1)} ms`);
    for (const c of clients) c.close();
  } finally {
    await session.close();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
