import { CLIENT_LIBRARIES, DEFAULT_OPTIONS, type ClientLibraryName, type PointParams } from '../src/config/options';
import { CLIENT_LIBRARY_REGISTRY, isInstalled } from '../src/client/registry';
import type { TestSession } from '../src/runner/session';
import { KCAT_MESSAGES, quick, WINDOW_S } from './args';
import { int, line, target, type BrokerCpuMeter } from './measure';
import { consumerReference, rawLibrdkafkaRate, type ConsumerReference, type ProduceReference } from './references';
import { subShape } from './sections';

/** What the clients are held against, measured in the same run. */
export interface ClientReferences {
  /** kcat -P sending a file: msg/s and CPU-s of its KCAT_MESSAGES. */
  kcat: { rate: number; cpuS: number };
  /** The bare kafkajs produce loop. */
  kafkajsRaw: ProduceReference;
  brokers: string[];
}

/** The requested rate at which a client's publisher shows its ceiling: well above what it reaches. */
const CEILING_RATE: Record<ClientLibraryName, number> = { kafkajs: 1_000_000, librdkafka: 1_000_000, native: 10_000_000 };

/** HYDRA's layout for the per-CPU figure of sub apps: 10 clients per app at 1 000 msg/s, sends of 100. */
const LAYOUT = { apps: 1, perApp: 10, rate: 1000, batch: 100 };

function verdictOf(r: { verdict: string; harness_limits: string[] }): string {
  return `${r.verdict}${r.harness_limits.length ? ` (${r.harness_limits.join('+')})` : ''}`;
}

/**
 * The clients in one run, each against its own bare loop and librdkafka's C (kcat): the publisher
 * at its ceiling with send order kept, the sub apps at HYDRA's layout per CPU-second, a scan of sub
 * shapes for the largest lossless Kafka-verdict point, and the native core's targets, met or
 * missed by how much.
 */
export async function clientsSideBySide(session: TestSession, base: PointParams, brokerCpu: BrokerCpuMeter, refs: ClientReferences): Promise<void> {
  process.stdout.write('\n## clients side by side (order kept; each against its own bare loop)\n');
  const libraries = CLIENT_LIBRARIES.filter((name) => {
    if (isInstalled(name)) return true;
    line(name, `not installed: ${CLIENT_LIBRARY_REGISTRY[name].install?.setup ?? ''}`);
    return false;
  });
  const kcatPerCpu = KCAT_MESSAGES / Math.max(refs.kcat.cpuS, 1e-9);
  const librdkafkaRaw = libraries.includes('librdkafka') ? await rawLibrdkafkaRate(refs.brokers, topicFor('bench-raw-rd'), WINDOW_S) : null;
  if (librdkafkaRaw)
    line('bare librdkafka produce loop (binding, a report per message)', `${int(librdkafkaRaw.rate)} msg/s, ${int(librdkafkaRaw.perCpu)} msg per CPU-s`);
  const ownPublisherReference: Record<ClientLibraryName, number | null> = {
    kafkajs: refs.kafkajsRaw.perCpu,
    librdkafka: librdkafkaRaw?.perCpu ?? null,
    native: kcatPerCpu,
  };

  // The publisher at its ceiling, order kept: one request in flight, and for the librdkafka-based clients idempotent with five.
  const publisherRate = new Map<ClientLibraryName, number>();
  const publisherVsOwn = new Map<ClientLibraryName, number>();
  for (const library of libraries) {
    const shapes: [string, Partial<PointParams>][] = [['1 in flight', {}]];
    if (library !== 'kafkajs') shapes.push(['idempotent, 5 in flight, acks=-1', { idempotent: true, max_in_flight: 5, acks: -1 }]);
    for (const [label, over] of shapes) {
      const r = (await session.runPoint({ ...base, client_library: library, msg_rate: CEILING_RATE[library], ...over })).result;
      const perCpu = (r.average_tx_rate * 100) / Math.max(r.pub_cpu, 1e-9);
      const own = ownPublisherReference[library];
      publisherRate.set(library, Math.max(publisherRate.get(library) ?? 0, r.average_tx_rate));
      if (own) publisherVsOwn.set(library, Math.max(publisherVsOwn.get(library) ?? 0, perCpu / own));
      line(
        `publisher ${library}, ${label} (--msg_rate=${CEILING_RATE[library]})`,
        `${int(r.average_tx_rate)} msg/s (${(r.average_tx_rate / refs.kcat.rate).toFixed(3)} of kcat), ${int(perCpu)} per pub CPU-s${own ? ` (${(perCpu / own).toFixed(2)} of ${library === 'native' ? 'kcat -P' : 'its bare loop'})` : ''}, send errors ${r.pub_send_errors}, reordered ${r.reordered_total ?? 'not shown'}, ${verdictOf(r)}`,
      );
    }
  }

  // Sub apps at HYDRA's layout, each against consumers that only consume: ten kcat -C for the native core.
  process.stdout.write(`\n## sub apps at HYDRA's layout (${LAYOUT.apps} app × ${LAYOUT.perApp} clients, ${LAYOUT.rate} msg/s in sends of ${LAYOUT.batch})\n`);
  const fetchWaitMs = DEFAULT_OPTIONS.consumer_max_wait_ms;
  const seconds = quick ? 5 : 10;
  const subVsOwn = new Map<ClientLibraryName, number>();
  for (const library of libraries) {
    const kind = library === 'native' ? 'kcat' : library;
    const ref: ConsumerReference = await consumerReference(
      kind,
      refs.brokers,
      topicFor(`bench-bare-${kind}`),
      LAYOUT.perApp,
      LAYOUT.rate,
      LAYOUT.batch,
      seconds,
      fetchWaitMs,
    );
    line(
      `  ${kind === 'kcat' ? `${LAYOUT.perApp} kcat -C` : `bare ${kind} loop, ${LAYOUT.perApp} consumers in one process`}`,
      `${int(ref.deliveries)} deliveries in ${ref.cpuS.toFixed(2)} CPU-s: ${int(ref.perCpu)} per CPU-s`,
    );
    const r = (
      await session.runPoint({
        ...base,
        client_library: library,
        total_sub_apps: LAYOUT.apps,
        clients_per_app: LAYOUT.perApp,
        msg_rate: LAYOUT.rate,
        msg_batch: LAYOUT.batch,
        test_duration: seconds,
      })
    ).result;
    const deliveries = r.client_count * r.average_rate;
    const perCpu = r.sub_cpu_total_pct ? deliveries / (r.sub_cpu_total_pct / 100) : 0;
    subVsOwn.set(library, perCpu / Math.max(ref.perCpu, 1e-9));
    line(
      `  hydra sub app, ${library}`,
      `${int(perCpu)} deliveries per sub CPU-s (${(perCpu / Math.max(ref.perCpu, 1e-9)).toFixed(2)} of ${kind === 'kcat' ? 'ten kcat -C' : 'its bare loop'}), loss ${r.average_packet_loss.toFixed(3)} %, ${verdictOf(r)}`,
    );
    await session.resetApps();
  }

  // A scan of sub shapes for the largest lossless point with a Kafka verdict.
  process.stdout.write('\n## sub shapes at 1 000 msg/s\n');
  const largest = new Map<ClientLibraryName, number>();
  /** Most clients of a lossless point with a Kafka verdict, and its layout. */
  const mostClients = new Map<ClientLibraryName, { clients: number; layout: string }>();
  const shapes: [number, number][] = quick
    ? [
        [10, 10],
        [30, 10],
      ]
    : [
        [10, 10],
        [2, 50],
        [20, 10],
        [30, 10],
        [6, 50],
      ];
  for (const library of libraries) {
    for (const [apps, perApp] of shapes) {
      const m = await subShape(session, base, brokerCpu, library, apps, perApp);
      if (!m) continue;
      if (!m.lossless) continue;
      largest.set(library, Math.max(largest.get(library) ?? 0, m.deliveries));
      if (apps * perApp > (mostClients.get(library)?.clients ?? 0)) mostClients.set(library, { clients: apps * perApp, layout: `${apps} × ${perApp}` });
    }
    const most = mostClients.get(library);
    line(
      `  ${library}: largest lossless point with a Kafka verdict`,
      most ? `${int(largest.get(library) ?? 0)} deliveries/s; ${most.clients} clients (${most.layout})` : 'none',
    );
    // Fresh apps for the next client: a sub app holds the consumers of one library.
    await session.resetApps();
  }

  process.stdout.write('\n## targets\n');
  if (libraries.includes('native')) {
    target('native publisher ≥ 0.5× kcat -P msg/s, order kept', (publisherRate.get('native') ?? 0) / refs.kcat.rate, 0.5, '×');
    target('native sub apps ≥ 0.8× ten kcat -C deliveries per CPU-s (10 per app, 1 000 msg/s)', subVsOwn.get('native') ?? 0, 0.8, '×');
    target('native: clients × 1 000 msg/s lossless with no harness limit ≥ 300', mostClients.get('native')?.clients ?? 0, 300);
  }
  for (const library of libraries.filter((l) => l !== 'native')) {
    target(`${library} publisher ≥ 0.9× its bare loop per CPU-s`, publisherVsOwn.get(library) ?? 0, 0.9, '×');
    target(`${library} sub apps ≥ 0.9× its bare loop per CPU-s`, subVsOwn.get(library) ?? 0, 0.9, '×');
  }
}

/** A reference's own topic (each reference makes it on a real cluster). */
function topicFor(prefix: string): string {
  return `${prefix}-${Date.now()}`;
}
