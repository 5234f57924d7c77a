import { verdictText } from '../present/columns';
import { pointName } from '../present/point-name';
import { isFaulted, isOk, paramOf, type OkPointRecord, type PointRecord } from '../study/record';
import type { StudySpec } from '../study/spec';

/**
 * A hydra point as an OpenMessaging Benchmark result (the TestResult JSON OMB's driver writes and
 * its chart script, bin/create_charts.py, reads), so a hydra study and an OMB run can be drawn on
 * one chart. OMB reports every 10 s; hydra measures a point over one window, so each series has
 * one value: the window's. Figures hydra does not measure are left empty (a series) or out (a
 * single figure) and listed in `hydra.not_measured`; what OMB has no field for — loss, failing
 * clients, the verdict — is in `hydra`.
 */

/** OMB's TestResult fields hydra fills, as its chart script reads them (latencies ms, publish delay µs). */
export interface OmbResult {
  workload: string;
  driver: string;
  messageSize: number;
  topics: number;
  partitions: number;
  producersPerTopic: number;
  consumersPerTopic: number;
  publishRate: number[];
  publishErrorRate: number[];
  consumeRate: number[];
  backlog: number[];
  publishLatencyAvg: number[];
  publishLatency50pct: number[];
  publishLatency99pct: number[];
  publishLatencyMax: number[];
  publishDelayLatency50pct: number[];
  publishDelayLatency99pct: number[];
  publishDelayLatencyMax: number[];
  endToEndLatencyAvg: number[];
  endToEndLatency50pct: number[];
  endToEndLatency95pct: number[];
  endToEndLatency99pct: number[];
  endToEndLatencyMax: number[];
  aggregatedPublishLatencyQuantiles: Record<string, number>;
  aggregatedPublishDelayLatencyQuantiles: Record<string, number>;
  aggregatedEndToEndLatencyQuantiles: Record<string, number>;
  /** What OMB has no field for: the point, its verdict, loss and failing clients, what was not measured. */
  hydra: OmbHydraPart;
}

/** OMB's single aggregated figures hydra fills where it measured them. */
export const OMB_SCALARS = [
  'aggregatedPublishLatencyAvg',
  'aggregatedPublishLatency50pct',
  'aggregatedPublishLatency99pct',
  'aggregatedPublishLatencyMax',
  'aggregatedPublishDelayLatency50pct',
  'aggregatedPublishDelayLatency99pct',
  'aggregatedPublishDelayLatencyMax',
  'aggregatedEndToEndLatencyAvg',
  'aggregatedEndToEndLatency50pct',
  'aggregatedEndToEndLatency95pct',
  'aggregatedEndToEndLatency99pct',
  'aggregatedEndToEndLatencyMax',
] as const;
export type OmbScalar = (typeof OMB_SCALARS)[number];

/** An OMB result as hydra writes it: the series, the aggregated figures it measured, and its own part. */
export type OmbExport = OmbResult & Partial<Record<OmbScalar, number>>;

export interface OmbHydraPart {
  study: string;
  point: string;
  /** The verdict as tables word it (kafka, rehearsal, harness:publisher, ...). */
  verdict: string | null;
  /** Where hydra, not Kafka, was the limit (empty for a measurement of Kafka). */
  harness_notes: string[];
  requested_rate: number;
  test_duration_s: number;
  average_packet_loss_pct: number;
  lost_total: number;
  failing_clients: number;
  client_count: number;
  client_library: string;
  /** The brokers the study ran against; empty: hydra's embedded broker (a rehearsal). */
  brokers: string[];
  /** OMB fields left empty or out: hydra does not measure them. */
  not_measured: string[];
}

/** Why a point is not exported (not a measurement of Kafka's steady state); null: it is. */
export function ombLeftOut(record: PointRecord): string | null {
  if (!isOk(record)) return record.status;
  if (isFaulted(record)) return 'through planned faults';
  if (record.result.verdict === 'harness_limited') return 'harness-limited';
  return null;
}

/** One point's OMB result; `spec` names its workload (the OMB workload's name when the study ran one). */
export function ombResultOf(spec: StudySpec, record: OkPointRecord): OmbExport {
  const r = record.result;
  const p = record.params;
  const topics = Number(paramOf(record, 'topics'));
  const shared = paramOf(record, 'consumer_group') === 'shared';
  const windowS = Number(paramOf(record, 'test_duration'));
  const notMeasured: string[] = [];
  /** A series of the window's one value, or empty (and named) where hydra has none. */
  const series = (field: string, value: number | null | undefined, scale = 1): number[] => {
    if (typeof value === 'number' && Number.isFinite(value)) return [value * scale];
    notMeasured.push(field);
    return [];
  };
  const quantiles = (field: string, entries: [string, number | null | undefined][], scale = 1): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [q, v] of entries) if (typeof v === 'number' && Number.isFinite(v)) out[q] = v * scale;
    if (Object.keys(out).length === 0) notMeasured.push(field);
    return out;
  };
  const aggregated: Partial<Record<OmbScalar, number>> = {};
  const scalar = (field: OmbScalar, value: number | null | undefined, scale = 1): void => {
    if (typeof value === 'number' && Number.isFinite(value)) aggregated[field] = value * scale;
    else notMeasured.push(field);
  };
  // OMB's consume rate is every consumer's together; hydra's average_rate is per client (per group when shared).
  const readers = shared ? topics : r.client_count;
  const result: Omit<OmbResult, 'hydra'> = {
    workload: spec.omb?.workload ?? `hydra ${spec.id}`,
    driver: `hydra-${String(paramOf(record, 'client_library'))}${spec.options.brokers.length === 0 ? ' (embedded broker: rehearsal)' : ''}`,
    messageSize: Number(paramOf(record, 'msg_size')),
    topics,
    partitions: Number(paramOf(record, 'partitions')),
    producersPerTopic: Number(paramOf(record, 'total_pub_apps')),
    consumersPerTopic: r.client_count / topics,
    publishRate: series('publishRate', r.average_tx_rate),
    publishErrorRate: series('publishErrorRate', windowS > 0 ? r.pub_send_errors / windowS : null),
    consumeRate: series('consumeRate', r.average_rate * readers),
    backlog: series('backlog', r.behind_total),
    publishLatencyAvg: series('publishLatencyAvg', r.produce_rtt_mean_ms),
    publishLatency50pct: series('publishLatency50pct', r.produce_rtt_p50_ms),
    publishLatency99pct: series('publishLatency99pct', r.produce_rtt_p99_ms),
    publishLatencyMax: series('publishLatencyMax', r.produce_rtt_max_ms),
    // OMB gives the publish delay in µs.
    publishDelayLatency50pct: series('publishDelayLatency50pct', r.publish_delay_p50_ms, 1000),
    publishDelayLatency99pct: series('publishDelayLatency99pct', r.publish_delay_p99_ms, 1000),
    publishDelayLatencyMax: series('publishDelayLatencyMax', r.publish_delay_max_ms, 1000),
    endToEndLatencyAvg: series('endToEndLatencyAvg', r.latency_mean_ms),
    endToEndLatency50pct: series('endToEndLatency50pct', r.latency_p50_ms),
    endToEndLatency95pct: series('endToEndLatency95pct', r.latency_p95_ms),
    endToEndLatency99pct: series('endToEndLatency99pct', r.latency_p99_ms),
    endToEndLatencyMax: series('endToEndLatencyMax', r.latency_max_ms),
    aggregatedPublishLatencyQuantiles: quantiles('aggregatedPublishLatencyQuantiles', [
      ['50.0', r.produce_rtt_p50_ms],
      ['99.0', r.produce_rtt_p99_ms],
    ]),
    aggregatedPublishDelayLatencyQuantiles: quantiles(
      'aggregatedPublishDelayLatencyQuantiles',
      [
        ['50.0', r.publish_delay_p50_ms],
        ['99.0', r.publish_delay_p99_ms],
      ],
      1000,
    ),
    aggregatedEndToEndLatencyQuantiles: quantiles('aggregatedEndToEndLatencyQuantiles', [
      ['50.0', r.latency_p50_ms],
      ['95.0', r.latency_p95_ms],
      ['99.0', r.latency_p99_ms],
    ]),
  };
  scalar('aggregatedPublishLatencyAvg', r.produce_rtt_mean_ms);
  scalar('aggregatedPublishLatency50pct', r.produce_rtt_p50_ms);
  scalar('aggregatedPublishLatency99pct', r.produce_rtt_p99_ms);
  scalar('aggregatedPublishLatencyMax', r.produce_rtt_max_ms);
  scalar('aggregatedPublishDelayLatency50pct', r.publish_delay_p50_ms, 1000);
  scalar('aggregatedPublishDelayLatency99pct', r.publish_delay_p99_ms, 1000);
  scalar('aggregatedPublishDelayLatencyMax', r.publish_delay_max_ms, 1000);
  scalar('aggregatedEndToEndLatencyAvg', r.latency_mean_ms);
  scalar('aggregatedEndToEndLatency50pct', r.latency_p50_ms);
  scalar('aggregatedEndToEndLatency95pct', r.latency_p95_ms);
  scalar('aggregatedEndToEndLatency99pct', r.latency_p99_ms);
  scalar('aggregatedEndToEndLatencyMax', r.latency_max_ms);
  // Percentiles hydra's histograms could give but its points do not store.
  notMeasured.push(
    ...['75pct', '95pct', '999pct', '9999pct', '99999pct'].map((q) => `publishLatency${q}`),
    ...['75pct', '999pct', '9999pct', '99999pct'].map((q) => `endToEndLatency${q}`),
  );
  return {
    ...result,
    ...aggregated,
    hydra: {
      study: spec.id,
      point: pointName(p),
      verdict: verdictText(record),
      harness_notes: r.harness_notes,
      requested_rate: r.requested_rate,
      test_duration_s: windowS,
      average_packet_loss_pct: r.average_packet_loss,
      lost_total: r.lost_total,
      failing_clients: r.failing_clients,
      client_count: r.client_count,
      client_library: String(paramOf(record, 'client_library')),
      brokers: spec.options.brokers,
      not_measured: notMeasured,
    },
  };
}

/** A file name for a point's OMB result: the workload's name and the point's, in safe characters. */
export function ombFileName(spec: StudySpec, record: PointRecord, index: number): string {
  const base = `${spec.omb?.workload ?? spec.id}-${pointName(record.params)}${record.repeat ? `-r${record.repeat}` : ''}`;
  return `${String(index + 1).padStart(3, '0')}-${base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')}.json`;
}
