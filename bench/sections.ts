import { median } from 'simple-statistics';
import { nowMs } from '../src/apps/message';
import { MessageBuilder } from '../src/apps/payload';
import { ClientAccumulator } from '../src/apps/receive';
import { ReceiveTimeline } from '../src/apps/timeline';
import type { ClientLibraryName, PointParams } from '../src/config/options';
import { ControlClient } from '../src/control/client';
import type { SubCommands } from '../src/control/protocol';
import { estimateClockOffset } from '../src/runner/clock';
import type { TestSession } from '../src/runner/session';
import { quick } from './args';
import { int, line, rssBytes, type BrokerCpuMeter } from './measure';

/** The benchmark's sections that measure one thing each on a live session. */

export async function perPointOverhead(session: TestSession, params: PointParams): Promise<number[]> {
  await session.runPoint(params); // sizes the group; not timed
  const overheads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await session.runPoint(params);
    overheads.push((performance.now() - t0) / 1000 - params.test_duration);
  }
  return overheads;
}

/** Launch `count` control-only sub apps, then time a ping, a stats collection and a clock estimate over all of them in parallel. */
export async function controlPlane(session: TestSession, count: number): Promise<void> {
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

/** One sub shape at 1 000 msg/s with a client library: deliveries/s, per sub CPU-s, and whether it is a lossless Kafka-verdict point. */
export async function subShape(
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
    `${int(deliveries)} deliveries/s, ${int(perCpu)} per sub CPU-s, sub CPU ${(r.sub_cpu_total_pct ?? 0).toFixed(0)} %, broker ${brokerCpu.lastPct === null ? 'not measured' : `${brokerCpu.lastPct.toFixed(0)} %`}, host ${(r.host_cpu_busy_max_pct ?? 0).toFixed(0)} %, loss ${r.average_packet_loss.toFixed(3)} %, ${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`,
  );
  return { deliveries, perCpu, lossless: r.verdict === 'kafka' && r.average_packet_loss === 0 && run.faults.length === 0 };
}

/**
 * CPU per message of a sub app's receive bookkeeping (sequence, latency), and with the receive
 * timeline a point with planned faults records: three runs of each, interleaved, as ns per message
 * and their ratio. No broker: the messages are built here.
 */
export function receiveCost(): void {
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
