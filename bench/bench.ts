/**
 * Benchmarks, printed as figures (not a timed test). Everything runs against one embedded broker
 * in the same run, so ratios are comparable even on a noisy machine; CPU-second figures survive
 * the noise too.
 *
 *   npm run bench                # all figures
 *   npm run bench -- --quick     # shorter windows and scans
 *   npm run bench -- --clients   # only the clients side by side (kafkajs, librdkafka, native), with the native core's targets
 *   npm run bench -- --brokers=host:port   # against a real cluster instead of the embedded broker
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from 'simple-statistics';
import { acquireBroker, startEmbeddedBroker, type BrokerHandle } from '../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../src/config/options';
import { ControlClient } from '../src/control/client';
import type { SubCommands } from '../src/control/protocol';
import { pointMarks, subConfigFor } from '../src/runner/app-config';
import { TestSession } from '../src/runner/session';
import { benchBrokers, clientsOnly, controlPlaneApps, controlPlaneOnly, IN_FLIGHT, KCAT_MESSAGES, quick, receiveOnly, WINDOW_S } from './args';
import { BrokerCpuMeter, int, line } from './measure';
import { ensureTopic, kcatRate, rawProduceRate } from './references';
import { clientsSideBySide } from './clients';
import { controlPlane, perPointOverhead, receiveCost } from './sections';

async function main(): Promise<void> {
  line('machine', `${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ', --quick' : ''}`);
  receiveCost();
  if (receiveOnly) return;
  // A real cluster when --brokers names one; the embedded broker otherwise.
  const broker: BrokerHandle = benchBrokers.length > 0 ? await acquireBroker({ brokers: benchBrokers, embedded_brokers: 1 }) : await startEmbeddedBroker();
  line('broker', broker.embedded ? 'embedded (librdkafka mock cluster)' : broker.brokers.join(','));
  const options: HydraOptions = {
    ...DEFAULT_OPTIONS,
    config_file: '',
    brokers: broker.embedded ? [] : broker.brokers,
    log_dir: path.join(os.tmpdir(), 'hydra-bench-logs'),
    clients_per_app: 1,
    total_sub_apps: 1,
    test_duration: WINDOW_S,
    drain_timeout: 5,
  };
  const base = pointParamsOf(options);
  const brokerCpu = new BrokerCpuMeter(broker.pid);
  const session = await TestSession.open(options, { broker, onEvent: brokerCpu.onEvent });
  if (controlPlaneOnly) {
    try {
      await controlPlane(session, controlPlaneApps);
    } finally {
      await session.close();
      await broker.stop();
    }
    return;
  }
  if (clientsOnly) {
    try {
      const kcat = await kcatRate(broker.brokers, `bench-kcat-${Date.now()}`, KCAT_MESSAGES);
      line(
        `kcat -P from a file (librdkafka, ${int(KCAT_MESSAGES)} msgs)`,
        `${int(kcat.rate)} msg/s, ${int(KCAT_MESSAGES / Math.max(kcat.cpuS, 1e-9))} msg per CPU-s`,
      );
      const topic = `bench-raw-1000-${Date.now()}`;
      await ensureTopic(broker.brokers, topic);
      const kafkajsRaw = await rawProduceRate(broker.brokers, topic, 1000, WINDOW_S);
      line('raw kafkajs produce loop (batch 1000, 16 in flight)', `${int(kafkajsRaw.rate)} msg/s, ${int(kafkajsRaw.perCpu)} msg per CPU-s`);
      await clientsSideBySide(session, base, brokerCpu, { kcat, kafkajsRaw, brokers: broker.brokers });
    } finally {
      await session.close();
      await broker.stop();
    }
    return;
  }
  try {
    // 1. Publisher: references, then hydra with 1 and 2 publisher apps.
    process.stdout.write('\n## publisher (16-byte messages, acks=1, embedded broker)\n');
    // One after the other: each loop's CPU is this process's.
    const raws: { batch: number; rate: number; perCpu: number }[] = [];
    for (const batch of [100, 1000]) {
      const topic = `bench-raw-${batch}-${Date.now()}`;
      await ensureTopic(broker.brokers, topic);
      raws.push({ batch, ...(await rawProduceRate(broker.brokers, topic, batch, WINDOW_S)) });
    }
    const raw = raws.reduce((a, b) => (b.rate > a.rate ? b : a));
    const kcat = await kcatRate(broker.brokers, `bench-kcat-${Date.now()}`, KCAT_MESSAGES);
    line(
      `kcat -P from a file (librdkafka, ${int(KCAT_MESSAGES)} msgs)`,
      `${int(kcat.rate)} msg/s, ${int(KCAT_MESSAGES / Math.max(kcat.cpuS, 1e-9))} msg per CPU-s, ratio 1.000`,
    );
    line(
      `raw kafkajs produce loop (best of batch 100/1000: ${raw.batch}, ${IN_FLIGHT} in flight)`,
      `${int(raw.rate)} msg/s, ratio ${(raw.rate / kcat.rate).toFixed(3)}, ${int(raw.perCpu)} msg per CPU-s`,
    );
    for (const pubs of [1, 2]) {
      const r = (await session.runPoint({ ...base, msg_rate: 1_000_000, total_pub_apps: pubs })).result;
      line(
        `hydra, ${pubs} publisher app${pubs > 1 ? 's' : ''} (--msg_rate=1000000, 1 sub client)`,
        `${int(r.average_tx_rate)} msg/s, ratio ${(r.average_tx_rate / kcat.rate).toFixed(3)}, ${int((r.average_tx_rate * 100) / Math.max(r.pub_cpu, 1e-9))} msg per pub CPU-s, verdict ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
      );
    }
    for (const rate of [1000, 10000, 50000]) {
      const r = (await session.runPoint({ ...base, msg_rate: rate })).result;
      line(
        `achieved/requested at ${rate} msg/s`,
        `${r.pub_achieved_ratio.toFixed(3)} (tx ${int(r.average_tx_rate)} msg/s, loss ${r.average_packet_loss.toFixed(3)} %)`,
      );
    }

    // 2. Subscribers: deliveries (clients × rate) per sub CPU-second, and where the verdict flips.
    process.stdout.write('\n## subscribers (1000 msg/s; deliveries = clients × rate)\n');
    let bestLossless = 0;
    let flip = '';
    const shapes: [number, number][] = quick
      ? [
          [2, 10],
          [10, 10],
          [1, 100],
        ]
      : [
          [2, 10],
          [5, 10],
          [10, 10],
          [4, 25],
          [1, 100],
          [20, 10],
          [30, 10],
          [6, 50],
        ];
    for (const [apps, perApp] of shapes) {
      const clients = apps * perApp;
      let run: Awaited<ReturnType<TestSession['runPoint']>>;
      try {
        run = await session.runPoint({ ...base, total_sub_apps: apps, clients_per_app: perApp, msg_rate: 1000 });
      } catch (err) {
        // A shape the machine cannot even set up (an app's consumers failing to connect on a saturated
        // host) is a finding, not the end of the bench: say so, start the next shape on fresh apps.
        line(`  ${clients} clients (${apps} sub apps × ${perApp})`, `not measured: ${err instanceof Error ? err.message : String(err)}`);
        await session.resetApps();
        continue;
      }
      const brokerPct = brokerCpu.lastPct;
      const r = run.result;
      const deliveries = r.client_count * r.average_rate;
      const perCpu = r.sub_cpu_total_pct ? deliveries / (r.sub_cpu_total_pct / 100) : 0;
      line(
        `  ${clients} clients (${apps} sub apps × ${perApp})`,
        `${int(deliveries)} deliveries/s, ${int(perCpu)} per sub CPU-s, sub CPU ${(r.sub_cpu_total_pct ?? 0).toFixed(0)} %, broker ${brokerPct === null ? 'not measured' : `${brokerPct.toFixed(0)} %`}, host ${(r.host_cpu_busy_max_pct ?? 0).toFixed(0)} %, loss ${r.average_packet_loss.toFixed(3)} %, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
      );
      if (r.verdict === 'kafka' && r.average_packet_loss === 0 && run.faults.length === 0) bestLossless = Math.max(bestLossless, deliveries);
      if (!flip && r.verdict === 'harness_limited') flip = `${clients} clients as ${apps} × ${perApp} (${int(deliveries)} deliveries/s)`;
    }
    line('largest lossless deliveries/s with a Kafka verdict', int(bestLossless));
    line('first harness-limited point of the scan', flip || 'none');

    // 3. Per-point overhead beyond test_duration with apps reused: the shared topic (consumers stay
    // joined) against a topic per point (every consumer joins every point).
    process.stdout.write('\n## points\n');
    const short = { ...base, total_sub_apps: 2, clients_per_app: 2, test_duration: 1, msg_rate: 1000 };
    const shared = await perPointOverhead(session, short);
    line(
      'per-point overhead beyond test_duration, apps reused (median of 3)',
      `${median(shared).toFixed(2)} s (${shared.map((o) => o.toFixed(2)).join(', ')})`,
    );
    const freshSession = await TestSession.open({ ...options, fresh_topic_per_point: true }, { broker });
    try {
      const fresh = await perPointOverhead(freshSession, short);
      line('  the same with --fresh_topic_per_point (median of 3)', `${median(fresh).toFixed(2)} s (${fresh.map((o) => o.toFixed(2)).join(', ')})`);
    } finally {
      await freshSession.close();
    }

    // 4. Workload shape: the publisher's ceiling by record size and codec, and what several requests
    // in flight do to the order messages reach the log (kafkajs encodes concurrent requests concurrently).
    process.stdout.write('\n## workload shape (1 sub client, --msg_rate=1000000, payload 50 % random)\n');
    for (const size of quick ? [100, 10000] : [100, 1000, 10000]) {
      for (const compression of ['none', 'gzip'] as const) {
        const r = (await session.runPoint({ ...base, msg_rate: 1_000_000, msg_size: size, payload_random_pct: 50, compression })).result;
        line(
          `  ${size} B, ${compression}`,
          `${int(r.average_tx_rate)} msg/s, ${((r.average_tx_rate * size) / 1e6).toFixed(1)} MB/s of values, pub CPU ${r.pub_cpu.toFixed(0)} %, loss ${r.average_packet_loss.toFixed(3)} %, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
        );
      }
    }
    for (const inFlight of [1, 2, 5]) {
      const r = (await session.runPoint({ ...base, msg_rate: 2000, msg_size: 1024, batch_bytes: 4096, max_in_flight: inFlight })).result;
      line(
        `  max_in_flight ${inFlight}, 4-message requests, 2000 msg/s`,
        `${int(r.reordered_total ?? r.reordered_by_client ?? 0)} of ${int(r.packet_tx)} messages out of order${r.reordered_total === null ? ' (the client’s: not shown as Kafka’s)' : ''}, loss ${r.average_packet_loss.toFixed(3)} %`,
      );
    }

    // 5. The clients side by side, each against its own bare loop.
    await clientsSideBySide(session, base, brokerCpu, { kcat, kafkajsRaw: raw, brokers: broker.brokers });

    // 6. Scaling the sub group and collecting from it.
    const collectApps = quick ? 20 : 50;
    await session.prepareApps(1);
    let t0 = performance.now();
    const { subs } = await session.prepareApps(collectApps);
    line(`scale sub group 1 → ${collectApps} apps (launch + control address)`, `${((performance.now() - t0) / 1000).toFixed(2)} s`);
    // Signed with the run's credentials: apps refuse anyone else's commands.
    const clients = subs.map((s) => new ControlClient<SubCommands>(s.endpoint, 10000, session.auth, s.name));
    const topic = `bench-collect-${Date.now()}`;
    const subConfig = subConfigFor(
      { ...pointParamsOf(options), clients_per_app: 1, consumer_max_buffer_size: 0, total_pub_apps: 1 },
      options,
      [topic],
      pointMarks(0),
    );
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

    // 7. The control plane alone, at the size a cluster study needs per runner: apps with their
    // control server and no Kafka client connected (what docs/scale-out.md extrapolates from).
    await controlPlane(session, controlPlaneApps);
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
