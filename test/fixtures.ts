import { DEFAULT_OPTIONS, pointParamsOf, type HydraOptions } from '../src/config/options';
import type { AppTelemetry, ClientStats } from '../src/control/wire';
import { LatencyHistogram } from '../src/stats/histogram';
import type { StudySpec } from '../src/study/spec';
import { FaultSchedule } from '../src/config/fault-schedule';
import type { FaultRecord } from '../src/faults/figures';
import type { PointRecord } from '../src/study/record';
import type { RateFinding } from '../src/study/spec';
import type { PointResult } from '../src/stats/result';
import type { HarnessLimit } from '../src/stats/verdict';
import { pointKey } from '../src/study/grid';

export const FIXTURE_OPTIONS: HydraOptions = { ...DEFAULT_OPTIONS, clients_per_app: 2, config_file: '' };

/** A made-up but self-consistent point: received rate saturates at `cap` msg/s. */
export function fixturePoint(
  clients: number,
  rate: number,
  opts: { cap?: number; failed?: boolean; batch?: number; limited?: HarnessLimit[] } = {},
): PointRecord {
  const params = { ...pointParamsOf(FIXTURE_OPTIONS), total_sub_apps: clients / 2, msg_rate: rate, msg_batch: opts.batch ?? 100 };
  const cap = opts.cap ?? Infinity;
  const rx = Math.min(rate, cap);
  const loss = ((rate - rx) / rate) * 100;
  const result: PointResult = {
    client_count: clients,
    packet_tx: rate * 10,
    average_packets: rx * 10,
    average_rate: rx,
    average_tx_rate: rate * 0.999,
    failing_clients: loss > 0 ? clients : 0,
    failing_clients_rate: loss > 0 ? rx : null,
    average_packet_loss: loss,
    pub_cpu: 10,
    pub_apps: 1,
    pub_cpu_max_pct: 10,
    pub_net_txrate: 1000,
    pub_net_rxrate: 500,
    requested_rate: rate,
    pub_achieved_ratio: 0.999,
    pub_limited: false,
    pub_send_errors: 0,
    lost_total: (rate - rx) * 10 * clients,
    duplicated_total: 0,
    reordered_total: 0,
    latency_p50_ms: 2 + rate / 1000,
    latency_p95_ms: 4 + rate / 1000,
    latency_p99_ms: 5 + rate / 500,
    latency_max_ms: 20,
    behind_total: 0,
    latency_intended_p50_ms: 2 + rate / 1000,
    latency_intended_p99_ms: 5 + rate / 500,
    latency_intended_max_ms: 20,
    unresponsive_apps: [],
    verdict: opts.limited?.length ? 'harness_limited' : 'kafka',
    harness_limits: opts.limited ?? [],
    harness_notes: (opts.limited ?? []).map((l) => `the ${l}, not Kafka, was the limit`),
    sub_cpu_max_pct: 40,
    sub_cpu_total_pct: 80,
    sub_elu_max: 0.3,
    sub_loop_delay_p99_max_ms: 12,
    pub_elu: 0.2,
    host_cpu_busy_max_pct: 60,
    host_runqueue_max: 1.5,
    expired_total: 0,
    reordered_by_client: null,
    figure_notes: [],
    kafka_limits: [],
    kafka_notes: [],
    stalled_apps: [],
    embedded_broker: true,
    produce_rtt_p50_ms: 2,
    produce_rtt_p99_ms: 8,
    produce_rtt_max_ms: 12,
    produce_throttle_ms: 0,
    pub_broker_wait_pct: 1,
    pub_pending_max: 100,
    fetch_rtt_p99_ms: 105,
    fetch_rtt_max_ms: 110,
    fetch_throttle_ms: 0,
    loop_stall_max_ms: 0,
    app_run_wait_max_pct: 2,
    host_steal_max_pct: 0,
  };
  const base = { key: pointKey(params), params, topic: 't', started_at: new Date(0).toISOString(), elapsed_s: 12 };
  return opts.failed
    ? { ...base, status: 'failed', result: null, error: 'publisher app died', attempts: 4 }
    : { ...base, status: 'ok', result, error: null, attempts: 1 };
}

/** Two client counts × four rates (one given out of order), the 40-client curve saturating, plus one failed point. */
export function fixtureStudyPoints(): PointRecord[] {
  return [
    fixturePoint(10, 2000),
    fixturePoint(10, 1000),
    fixturePoint(10, 3000),
    fixturePoint(10, 1500),
    fixturePoint(40, 1000, { cap: 1800 }),
    fixturePoint(40, 1500, { cap: 1800 }),
    fixturePoint(40, 2000, { cap: 1800 }),
    fixturePoint(40, 3000, { cap: 1800 }),
    fixturePoint(40, 4000, { failed: true }),
  ];
}

/** An app's telemetry over a 10 s window with headroom everywhere; override what a test is about. */
export function fixtureTelemetry(over: Partial<AppTelemetry> = {}): AppTelemetry {
  return {
    window_s: 10,
    cpu_pct: 30,
    elu: 0.3,
    loop_delay_p99_ms: 12,
    loop_delay_max_ms: 40,
    stalls: [],
    run_wait_pct: 1,
    rss_bytes: 1e8,
    host_cpu_busy_pct: 50,
    host_steal_pct: 0,
    host_runqueue: 1,
    host_cpus: 2,
    host: 'h1',
    ...over,
  };
}

/** A kafkarate finding for `client_count` clients whose search converged with no limit named; override what a test is about. */
export function fixtureFinding(over: Partial<RateFinding> & Pick<RateFinding, 'client_count'>): RateFinding {
  return {
    max_rate: 2000,
    max_rx_rate: 1990,
    no_drop_rate: 1500,
    steps: 6,
    ended: 'converged',
    limited_by: null,
    harness_notes: [],
    harness_sent_rate: null,
    kafka_limited: false,
    kafka_limit: null,
    note_as_stored: null,
    ...over,
  };
}

/** Stored text a page or figure must show as text: a link and an image with a script. */
export const MARKUP = '<a href="https://example.invalid/x">click</a> <img src=x onerror=alert(1)>';

/**
 * A point measured through a planned fault written as `text` (stored as is, perhaps edited), its
 * client named `sub-0-c0` + `clientSuffix`.
 */
export function fixtureFaultedPoint(clients: number, rate: number, text: string, clientSuffix = '', over: Partial<FaultRecord> = {}): PointRecord {
  const base = fixturePoint(clients, rate);
  const fault: FaultRecord = {
    schedule: [text],
    window_start: new Date(0).toISOString(),
    events: [{ fault: text, from_s: 2, to_s: 4, error: null }],
    span_s: [2, 4],
    clients: [{ client_id: `sub-0-c0${clientSuffix}`, longest_gap_ms: 2100, gap_from_s: 1.95, recovery_ms: 300 }],
    longest_gap_ms: 2100,
    recovery_ms: 300,
    not_recovered: 0,
    latency: {
      before: { messages: 10, p50_ms: 5, p99_ms: 9, max_ms: 9 },
      during: { messages: 10, p50_ms: 1500, p99_ms: 2000, max_ms: 2000 },
      after: { messages: 10, p50_ms: 5, p99_ms: 9, max_ms: 9 },
    },
    duplicated_across_members: null,
    rebalances: 0,
    rebalance_max_ms: null,
    partitions_taken_over: null,
    send_errors: 0,
    produce_timeouts: 0,
    delivery: { step_ms: 250, start_s: 0, clients: [{ client_id: `sub-0-c0${clientSuffix}`, rates: [500, 500, 0, 0, 1500, 500] }] },
    ...over,
  };
  return { ...base, key: `${base.key},fault=${text}`, params: { ...base.params, fault: FaultSchedule.stored(text) }, fault };
}

/** One client's statistics: `received` messages of which `unique` distinct, its position `nextOffset` in partition 0. */
export function fixtureClient(received: number, nextOffset: number, unique = received, over: Partial<ClientStats> = {}): ClientStats {
  const h = new LatencyHistogram();
  return {
    client_id: 'c',
    msg_cnt: received,
    first_ms: 0,
    last_ms: 1000,
    rate: received,
    unique,
    duplicates: received - unique,
    out_of_order: 0,
    max_seq: unique - 1,
    gaps: 0,
    latency: h.toJSON(),
    latency_intended: h.toJSON(),
    next_offsets: { '0': nextOffset },
    stale: 0,
    malformed: 0,
    errors: 0,
    ...over,
  };
}

/** A finished study's spec: one point's grid on the embedded broker; override what a test is about. */
export function fixtureSpec(over: Partial<StudySpec> = {}): StudySpec {
  return {
    id: 'fixture-study',
    kind: 'sweep',
    created_at: '2026-12-02T00:00:00.000Z',
    options: FIXTURE_OPTIONS,
    grid: { client_counts: [10], msg_rates: [1000], msg_batches: [100] },
    search: null,
    versions: {},
    brokers: [],
    history: [],
    status: 'done',
    ...over,
  };
}
