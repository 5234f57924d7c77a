/**
 * Benchmarks, printed as figures (not a timed test). Everything runs against one embedded broker
 * in the same run, so ratios are comparable even on a noisy machine; CPU-second figures survive
 * the noise too.
 *
 *   npm run bench                # all figures
 *   npm run bench -- --quick     # shorter windows and scans
 *   npm run bench -- --clients   # only the two clients side by side (kafkajs, librdkafka)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// Before kafkajs itself: the raw loop runs with the same kafkajs fixes as hydra (src/client/kafkajs/patches.ts).
import '../src/client/kafkajs/patches';
import { Kafka, logLevel } from 'kafkajs';
import { median } from 'simple-statistics';
import { encodeMessage, nowMs } from '../src/apps/message';
import { startEmbeddedBroker, type BrokerHandle } from '../src/broker';
import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions, type PointParams } from '../src/config/options';
import { ControlClient } from '../src/control/client';
import type { SubCommands } from '../src/control/protocol';
import { pointMarks, subConfigFor } from '../src/runner/app-config';
import { estimateClockOffset } from '../src/runner/clock';
import type { RunnerEvent } from '../src/runner/events';
import { TestSession } from '../src/runner/session';
import { librdkafkaInstalled, LIBRDKAFKA_SETUP } from '../src/client/librdkafka/load';
import type { ClientLibraryName } from '../src/config/options';
import { MessageBuilder } from '../src/apps/payload';
import { ClientAccumulator } from '../src/apps/receive';
import { ReceiveTimeline } from '../src/apps/timeline';

const quick = process.argv.includes('--quick');
/** Only the control-plane section (`npm run bench -- --control-plane [--apps=N]`). */
const controlPlaneOnly = process.argv.includes('--control-plane');
/** Only the two clients side by side (`npm run bench -- --clients`). */
const clientsOnly = process.argv.includes('--clients');
/** Only a sub app's per-message bookkeeping, with and without a faulted point's timeline (`npm run bench -- --receive`). */
const receiveOnly = process.argv.includes('--receive');
const controlPlaneApps = Number(/^--apps=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--apps=')) ?? '')?.[1] ?? (quick ? 50 : 200));
const WINDOW_S = quick ? 3 : 5;
const IN_FLIGHT = 16;
/** Messages kcat sends from its file. */
const KCAT_MESSAGES = quick ? 500_000 : 2_000_000;

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(72)} ${value}\n`);
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US').replace(/,/g, ' ');

/** Raw kafkajs: the same 16-byte messages, as fast as possible with 16 requests in flight. */
async function rawProduceRate(brokers: string[], topic: string, batch: number, seconds: number): Promise<number> {
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
    const messages = Array.from({ length: batch }, () => ({
      value: encodeMessage({ seq: seq++, pubId: 0, epoch: 0, intendedMs: now, sentMs: now }, now),
      partition: 0,
    }));
    const p: Promise<void> = producer.send({ topic, acks: 1, messages }).then(() => {
      sent += batch;
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  await producer.disconnect();
  return sent / elapsed;
}

/**
 * kcat -P (librdkafka) sending a file of 15-byte records (16-byte lines: 15 characters and the
 * newline that delimits them), acks=1: what a user would pick instead of a Node client. bash's `times` gives
 * its CPU without another package.
 */
async function kcatRate(brokers: string[], topic: string, count: number): Promise<{ rate: number; cpuS: number }> {
  const file = path.join(os.tmpdir(), `hydra-bench-kcat-${process.pid}.txt`);
  fs.writeFileSync(file, '0123456789abcde\n'.repeat(count));
  try {
    const script = `kcat -P -b ${brokers.join(',')} -t ${topic} -p 0 -X acks=1 -X linger.ms=5 -l ${file} && times`;
    const start = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`kcat exited ${String(code)}: ${err.trim()}`))));
    });
    const seconds = (performance.now() - start) / 1000;
    // `times` prints the shell's times, then its children's: "0m1.234s 0m0.567s".
    const children = out.trim().split('\n').at(-1) ?? '';
    const cpuS = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
    return { rate: count / seconds, cpuS };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** CPU seconds a process has used (user + system), from /proc. */
function processCpuS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The embedded broker's CPU between the publish and collect phases of the last point (its measuring window). */
class BrokerCpuMeter {
  private from: { cpu: number | null; at: number } | null = null;
  lastPct: number | null = null;

  constructor(private readonly pid: number | undefined) {}

  onEvent = (e: RunnerEvent): void => {
    if (e.type !== 'phase') return;
    if (e.phase === 'publish') this.from = { cpu: processCpuS(this.pid), at: performance.now() };
    if (e.phase === 'collect' && this.from) {
      const cpu = processCpuS(this.pid);
      const seconds = (performance.now() - this.from.at) / 1000;
      this.lastPct = cpu === null || this.from.cpu === null || seconds <= 0 ? null : ((cpu - this.from.cpu) / seconds) * 100;
      this.from = null;
    }
  };
}

async function perPointOverhead(session: TestSession, params: PointParams): Promise<number[]> {
  await session.runPoint(params); // sizes the group; not timed
  const overheads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await session.runPoint(params);
    overheads.push((performance.now() - t0) / 1000 - params.test_duration);
  }
  return overheads;
}

/** Resident memory of a process, bytes (0 when it is gone). */
function rssBytes(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Launch `count` control-only sub apps, then time a ping, a stats collection and a clock estimate over all of them in parallel. */
async function controlPlane(session: TestSession, count: number): Promise<void> {
  process.stdout.write(`\n## control plane (${count} sub apps, control server only, no Kafka client connected)\n`);
  await session.prepareApps(1);
  let t0 = performance.now();
  const { subs } = await session.prepareApps(count);
  line(`launch ${count} apps (1 → ${count}, ready with a control address)`, `${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const rss = subs.reduce((sum, s) => sum + rssBytes(s.pid), 0);
  line('  memory', `${(rss / 2 ** 30).toFixed(2)} GiB resident in all, ${int(rss / count / 2 ** 20)} MiB per app`);
  const clients = subs.map((s) => new ControlClient<SubCommands>(s.endpoint, 10000, session.auth, s.name));
  const timed = async (what: string, call: (c: ControlClient<SubCommands>) => Promise<unknown>): Promise<void> => {
    const rounds: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      await Promise.all(clients.map(call));
      rounds.push(performance.now() - t0);
    }
    line(`  ${what} all ${count} in parallel (median of 5)`, `${median(rounds).toFixed(1)} ms (${(median(rounds) / count).toFixed(2)} ms per app)`);
  };
  await timed('ping', (c) => c.call('ping'));
  await timed('getstats from', (c) => c.call('getstats'));
  await timed('estimate the clock offset (8 exchanges) of', (c) => estimateClockOffset(() => c.call('clock'), nowMs));
  for (const c of clients) c.close();
  t0 = performance.now();
  await session.prepareApps(1);
  line(`stop ${count - 1} apps`, `${((performance.now() - t0) / 1000).toFixed(2)} s`);
}

/** A target of issue-level weight: met, or missed and by how much. */
function target(name: string, value: number, goal: number, unit = ''): void {
  const met = value >= goal;
  line(
    `  target: ${name}`,
    `${met ? 'met' : 'MISSED'}: ${unit === '×' ? value.toFixed(2) : int(value)}${unit} against ≥ ${unit === '×' ? goal.toFixed(2) : int(goal)}${unit}${met ? '' : ` (${((value / goal) * 100).toFixed(0)} % of it)`}`,
  );
}

/** One sub shape at 1 000 msg/s with a client library: deliveries/s, per sub CPU-s, and whether it is a lossless Kafka-verdict point. */
async function subShape(
  session: TestSession,
  base: PointParams,
  brokerCpu: BrokerCpuMeter,
  library: ClientLibraryName,
  apps: number,
  perApp: number,
): Promise<{ deliveries: number; perCpu: number; lossless: boolean } | null> {
  const name = `  ${library}: ${apps * perApp} clients (${apps} sub apps × ${perApp})`;
  let run: Awaited<ReturnType<TestSession['runPoint']>>;
  try {
    run = await session.runPoint({ ...base, client_library: library, total_sub_apps: apps, clients_per_app: perApp, msg_rate: 1000 });
  } catch (err) {
    line(name, `not measured: ${err instanceof Error ? err.message : String(err)}`);
    await session.resetApps();
    return null;
  }
  const r = run.result;
  const deliveries = r.client_count * r.average_rate;
  const perCpu = r.sub_cpu_total_pct ? deliveries / (r.sub_cpu_total_pct / 100) : 0;
  line(
    name,
    `${int(deliveries)} deliveries/s, ${int(perCpu)} per sub CPU-s, sub CPU ${(r.sub_cpu_total_pct ?? 0).toFixed(0)} %, broker ${brokerCpu.lastPct === null ? '?' : brokerCpu.lastPct.toFixed(0)} %, host ${(r.host_cpu_busy_max_pct ?? 0).toFixed(0)} %, loss ${r.average_packet_loss.toFixed(3)} %, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
  );
  return { deliveries, perCpu, lossless: r.verdict === 'kafka' && r.average_packet_loss === 0 && run.faults.length === 0 };
}

/**
 * kafkajs and librdkafka in one run: the publisher at its ceiling with send order kept (kafkajs:
 * one request in flight; librdkafka: also idempotent with five), as ratios to kcat -P; deliveries
 * per sub CPU-s at 10 and 50 clients per app; the largest lossless Kafka-verdict deliveries/s.
 */
async function clientsSideBySide(session: TestSession, base: PointParams, brokerCpu: BrokerCpuMeter, kcat: { rate: number; cpuS: number }): Promise<void> {
  process.stdout.write('\n## clients side by side (embedded broker; order kept)\n');
  if (!librdkafkaInstalled()) {
    line('librdkafka', `not installed: ${LIBRDKAFKA_SETUP}`);
    return;
  }
  const kcatPerCpu = KCAT_MESSAGES / Math.max(kcat.cpuS, 1e-9);
  const publishers: { label: string; library: ClientLibraryName; over: Partial<PointParams> }[] = [
    { label: 'kafkajs, 1 in flight', library: 'kafkajs', over: {} },
    { label: 'librdkafka, 1 in flight', library: 'librdkafka', over: {} },
    { label: 'librdkafka, idempotent, 5 in flight, acks=-1', library: 'librdkafka', over: { idempotent: true, max_in_flight: 5, acks: -1 } },
  ];
  const perCpu = new Map<string, number>();
  const rates = new Map<string, number>();
  for (const p of publishers) {
    const r = (await session.runPoint({ ...base, client_library: p.library, msg_rate: 1_000_000, ...p.over })).result;
    const cpuRate = (r.average_tx_rate * 100) / Math.max(r.pub_cpu, 1e-9);
    perCpu.set(p.label, cpuRate);
    rates.set(p.label, r.average_tx_rate);
    line(
      `publisher ${p.label} (--msg_rate=1000000)`,
      `${int(r.average_tx_rate)} msg/s (${(r.average_tx_rate / kcat.rate).toFixed(3)} of kcat), ${int(cpuRate)} per pub CPU-s (${(cpuRate / kcatPerCpu).toFixed(3)} of kcat), reordered ${r.reordered_total ?? 'not shown'}, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
    );
  }
  const best = Math.max(rates.get(publishers[1]!.label) ?? 0, rates.get(publishers[2]!.label) ?? 0);
  const bestPerCpu = Math.max(perCpu.get(publishers[1]!.label) ?? 0, perCpu.get(publishers[2]!.label) ?? 0);
  target('librdkafka publisher ≥ 0.4× kcat -P msg/s', best / kcat.rate, 0.4, '×');
  target('librdkafka publisher ≥ 2× kafkajs per CPU-s', bestPerCpu / (perCpu.get(publishers[0]!.label) ?? 1), 2, '×');

  const largest = new Map<ClientLibraryName, number>();
  const per10 = new Map<ClientLibraryName, number>();
  const shapes: [number, number][] = quick
    ? [
        [5, 10],
        [1, 50],
        [10, 10],
      ]
    : [
        [10, 10],
        [2, 50],
        [20, 10],
        [30, 10],
        [6, 50],
      ];
  for (const library of ['kafkajs', 'librdkafka'] as const) {
    for (const [apps, perApp] of shapes) {
      const m = await subShape(session, base, brokerCpu, library, apps, perApp);
      if (!m) continue;
      if (perApp === 10 && !per10.has(library)) per10.set(library, m.perCpu);
      if (m.lossless) largest.set(library, Math.max(largest.get(library) ?? 0, m.deliveries));
    }
    line(`  ${library}: largest lossless deliveries/s with a Kafka verdict`, int(largest.get(library) ?? 0));
    // Fresh apps for the other client: a sub app holds the consumers of one library.
    await session.resetApps();
  }
  target('librdkafka sub apps ≥ 250 000 deliveries per CPU-s at 10 clients per app', per10.get('librdkafka') ?? 0, 250000);
  target('librdkafka: 300 clients × 1 000 msg/s lossless with a Kafka verdict', largest.get('librdkafka') ?? 0, 300000);
}

/**
 * CPU per message of a sub app's receive bookkeeping (sequence, latency), and with the receive
 * timeline a point with planned faults records: three runs of each, interleaved, as ns per message
 * and their ratio. No broker: the messages are built here.
 */
function receiveCost(): void {
  const t0 = Date.now();
  const cfg = { t0_ms: t0, epoch: 1, pub_count: 1 };
  const builder = new MessageBuilder(16, 0);
  const count = quick ? 500_000 : 2_000_000;
  const messages = Array.from({ length: count }, (_, seq) =>
    Buffer.from(builder.build({ seq, pubId: 0, epoch: 1, intendedMs: t0 + seq / 100, sentMs: t0 + seq / 100 }, t0)),
  );
  const nsPerMessage = (timeline: boolean): number => {
    const acc = new ClientAccumulator(cfg, timeline ? new ReceiveTimeline(t0, { bucket_ms: 100, from_ms: t0 + 1000, to_ms: t0 + 2000 }) : null);
    const before = process.cpuUsage();
    messages.forEach((m, i) => acc.receive(m, t0 + i / 100 + 5, 0));
    const used = process.cpuUsage(before);
    return ((used.user + used.system) * 1000) / count;
  };
  for (let run = 1; run <= 3; run++) {
    const plain = nsPerMessage(false);
    const withTimeline = nsPerMessage(true);
    line(
      `receive bookkeeping per message, run ${run}: plain / with a fault timeline`,
      `${int(plain)} / ${int(withTimeline)} ns (×${(withTimeline / plain).toFixed(2)})`,
    );
  }
}

async function main(): Promise<void> {
  line('machine', `${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}${quick ? ', --quick' : ''}`);
  receiveCost();
  if (receiveOnly) return;
  const broker: BrokerHandle = await startEmbeddedBroker();
  const options: HydraOptions = {
    ...DEFAULT_OPTIONS,
    config_file: '',
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
      await clientsSideBySide(session, base, brokerCpu, kcat);
    } finally {
      await session.close();
      await broker.stop();
    }
    return;
  }
  try {
    // 1. Publisher: references, then hydra with 1 and 2 publisher apps.
    process.stdout.write('\n## publisher (16-byte messages, acks=1, embedded broker)\n');
    const raws = await Promise.all(
      [100, 1000].map(async (batch) => ({ batch, rate: await rawProduceRate(broker.brokers, `bench-raw-${batch}-${Date.now()}`, batch, WINDOW_S) })),
    );
    const raw = raws.reduce((a, b) => (b.rate > a.rate ? b : a));
    const kcat = await kcatRate(broker.brokers, `bench-kcat-${Date.now()}`, KCAT_MESSAGES);
    line(
      `kcat -P from a file (librdkafka, ${int(KCAT_MESSAGES)} msgs)`,
      `${int(kcat.rate)} msg/s, ${int(KCAT_MESSAGES / Math.max(kcat.cpuS, 1e-9))} msg per CPU-s, ratio 1.000`,
    );
    line(
      `raw kafkajs produce loop (best of batch 100/1000: ${raw.batch}, ${IN_FLIGHT} in flight)`,
      `${int(raw.rate)} msg/s, ratio ${(raw.rate / kcat.rate).toFixed(3)}`,
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
        `${int(deliveries)} deliveries/s, ${int(perCpu)} per sub CPU-s, sub CPU ${(r.sub_cpu_total_pct ?? 0).toFixed(0)} %, broker ${brokerPct === null ? '?' : brokerPct.toFixed(0)} %, host ${(r.host_cpu_busy_max_pct ?? 0).toFixed(0)} %, loss ${r.average_packet_loss.toFixed(3)} %, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
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

    // 5. The two clients side by side.
    await clientsSideBySide(session, base, brokerCpu, kcat);

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
      topic,
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
