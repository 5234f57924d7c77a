import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComparedStudy } from '../compare/compare';
import { DEFAULT_OPTIONS, pointParamsOf } from '../config/options';
import { ConfigError } from '../errors';
import { readBounded } from '../files';
import { groupedNumber } from '../present/point-name';
import type { PointResult } from '../stats/result';
import { isFaulted, isOk, type OkPointRecord } from '../study/record';
import { RESULT_UNKNOWN } from '../study/migrate';
import type { StudySpec } from '../study/spec';

/**
 * An OpenMessaging Benchmark result JSON as one side of `hydra compare`: a study of one point,
 * matched to the other studies' point with its client count (topics × consumers per topic) and
 * the requested rate nearest its publish rate (OMB records no requested rate; hydra's own export
 * does). OMB measures no loss and judges no harness: those figures are not a number there, and
 * its point is 'unjudged'.
 */

/** The largest OMB result hydra reads, bytes: a 15-minute run's is some tens of KB. */
const OMB_RESULT_MAX_BYTES = 16 * 1024 * 1024;

/** What compare reads of an OMB result. */
export interface OmbResultSide {
  workload: string;
  driver: string;
  topics: number;
  partitions: number;
  messageSize: number;
  producersPerTopic: number;
  consumersPerTopic: number;
  publishRate: number[];
  consumeRate: number[];
  backlog: number[];
  e2e: { p50: number | null; p95: number | null; p99: number | null; max: number | null; avg: number | null };
  publish: { p50: number | null; p99: number | null; max: number | null; avg: number | null };
  /** hydra's own export says the rate it asked for; absent in OMB's. */
  requestedRate: number | null;
}

/** A file given to compare is an OMB result rather than a study id. */
export function isOmbResultArg(arg: string): boolean {
  return arg.endsWith('.json');
}

/** Reads an OMB result (OMB's TestResult JSON, or hydra's export of one); a missing field exits 2 naming it. */
export function readOmbResult(file: string): OmbResultSide {
  let doc: unknown;
  try {
    doc = JSON.parse(readBounded(file, OMB_RESULT_MAX_BYTES, 'an OMB result'));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('hydra compare', file, code ? `cannot read (${code})` : `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(file, undefined, 'expected an OMB result (a JSON object)');
  const o = doc as Record<string, unknown>;
  const at = (field: string): string => `${file} ${field}`;
  const num = (field: string): number => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ConfigError(at(field), v === undefined ? undefined : String(v), 'expected a number ≥ 0 (an OMB result has it)');
    return v;
  };
  const list = (field: string): number[] => {
    const v = o[field];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw new ConfigError(at(field), v === undefined ? undefined : JSON.stringify(v).slice(0, 40), 'expected a list of numbers (an OMB result has it)');
    return v as number[];
  };
  const maybe = (field: string): number | null => (typeof o[field] === 'number' && Number.isFinite(o[field]) ? (o[field] as number) : null);
  const text = (field: string): string => {
    const v = o[field];
    if (typeof v !== 'string') throw new ConfigError(at(field), undefined, 'expected text (an OMB result has it)');
    return v;
  };
  const hydra = typeof o.hydra === 'object' && o.hydra !== null ? (o.hydra as Record<string, unknown>) : null;
  const publishRate = list('publishRate');
  if (publishRate.length === 0) throw new ConfigError(at('publishRate'), '[]', 'is empty: the run published nothing to compare');
  return {
    workload: text('workload'),
    driver: text('driver'),
    topics: Math.max(1, num('topics')),
    partitions: num('partitions'),
    messageSize: num('messageSize'),
    producersPerTopic: num('producersPerTopic'),
    consumersPerTopic: num('consumersPerTopic'),
    publishRate,
    consumeRate: list('consumeRate'),
    backlog: Array.isArray(o.backlog) ? list('backlog') : [],
    e2e: {
      p50: maybe('aggregatedEndToEndLatency50pct'),
      p95: maybe('aggregatedEndToEndLatency95pct'),
      p99: maybe('aggregatedEndToEndLatency99pct'),
      max: maybe('aggregatedEndToEndLatencyMax'),
      avg: maybe('aggregatedEndToEndLatencyAvg'),
    },
    publish: {
      p50: maybe('aggregatedPublishLatency50pct'),
      p99: maybe('aggregatedPublishLatency99pct'),
      max: maybe('aggregatedPublishLatencyMax'),
      avg: maybe('aggregatedPublishLatencyAvg'),
    },
    requestedRate: hydra && typeof hydra.requested_rate === 'number' ? hydra.requested_rate : null,
  };
}

function meanOf(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/**
 * The OMB result as a one-point study beside `partners`, and how it was matched: the partner
 * point (any study's) with its client count whose requested rate is the OMB run's (hydra's
 * export) or nearest its mean publish rate lends its rate and batch, so compare lines them up.
 */
export function ombAsStudy(result: OmbResultSide, file: string, partners: readonly ComparedStudy[]): { study: ComparedStudy; note: string } {
  const clients = Math.round(result.topics * result.consumersPerTopic);
  const publishRate = meanOf(result.publishRate);
  const candidates = partners
    .flatMap((s) => s.points)
    .filter((r): r is OkPointRecord => isOk(r) && !isFaulted(r) && r.params.total_sub_apps * r.params.clients_per_app === clients);
  const target = result.requestedRate ?? publishRate;
  const nearest = candidates.reduce<OkPointRecord | null>(
    (best, r) => (best === null || Math.abs(r.params.msg_rate - target) < Math.abs(best.params.msg_rate - target) ? r : best),
    null,
  );
  const base = nearest ? nearest.params : { ...pointParamsOf(DEFAULT_OPTIONS), msg_rate: Math.round(publishRate), msg_batch: 1 };
  const params = {
    ...base,
    total_sub_apps: clients,
    clients_per_app: 1,
    topics: result.topics,
    partitions: Math.max(1, result.partitions),
    msg_size: Math.max(16, result.messageSize),
    total_pub_apps: Math.max(1, result.producersPerTopic),
    client_library: nearest ? base.client_library : DEFAULT_OPTIONS.client_library,
  };
  const id = `omb-${path.basename(file, '.json')}`;
  const consumePerClient = meanOf(result.consumeRate) / Math.max(1, clients);
  // OMB's result carries no date: the file's is the nearest to when it ran.
  const when = fs.statSync(file).mtime.toISOString();
  const record: OkPointRecord = {
    key: `omb:${file}`,
    params,
    attempts: 1,
    topic: null,
    started_at: when,
    elapsed_s: 0,
    status: 'ok',
    error: null,
    result: ombPointResult(result, clients, publishRate, consumePerClient, params.msg_rate),
  };
  const spec: StudySpec = {
    id,
    kind: 'kafka',
    created_at: when,
    options: { ...DEFAULT_OPTIONS, brokers: ['(an OMB run)'] },
    grid: { client_counts: [clients], msg_rates: [params.msg_rate], msg_batches: [params.msg_batch] },
    search: null,
    versions: {},
    brokers: [],
    history: [],
    status: 'done',
  };
  const why =
    result.requestedRate !== null
      ? 'its requested rate (hydra export)'
      : `nearest its publish rate ${groupedNumber(Math.round(publishRate))} msg/s (OMB records no requested rate)`;
  const note = nearest
    ? `${id} (${result.driver}, ${result.workload}): matched to ${clients} clients, ${groupedNumber(params.msg_rate)} msg/s, batch ${params.msg_batch} — ${why}; OMB measures no loss or failing clients`
    : `${id} (${result.driver}, ${result.workload}): no point with ${clients} clients (topics × consumersPerTopic) in the other studies to compare with`;
  return { study: { spec, points: [record], origin: 'omb result' }, note };
}

/** What an OMB result says, as hydra's point figures: what it does not measure is not a number (NaN) or null. */
function ombPointResult(r: OmbResultSide, clients: number, publishRate: number, consumePerClient: number, requestedRate: number): PointResult {
  const unmeasured = Number.NaN;
  return {
    ...RESULT_UNKNOWN,
    client_count: clients,
    packet_tx: unmeasured,
    average_packets: unmeasured,
    average_rate: consumePerClient,
    average_tx_rate: publishRate,
    failing_clients: unmeasured,
    failing_clients_rate: null,
    average_packet_loss: unmeasured,
    pub_cpu: unmeasured,
    pub_net_txrate: unmeasured,
    pub_net_rxrate: unmeasured,
    pub_apps: Math.max(1, r.producersPerTopic),
    pub_cpu_max_pct: unmeasured,
    requested_rate: requestedRate,
    pub_achieved_ratio: requestedRate > 0 ? publishRate / requestedRate : unmeasured,
    pub_limited: false,
    pub_send_errors: unmeasured,
    lost_total: unmeasured,
    behind_total: r.backlog.length ? (r.backlog[r.backlog.length - 1] as number) : null,
    duplicated_total: unmeasured,
    reordered_total: null,
    figure_notes: ['an OMB result: OMB measures no loss, failing clients or harness limits'],
    latency_p50_ms: r.e2e.p50,
    latency_p95_ms: r.e2e.p95,
    latency_p99_ms: r.e2e.p99,
    latency_max_ms: r.e2e.max,
    latency_mean_ms: r.e2e.avg,
    produce_rtt_mean_ms: r.publish.avg,
    produce_rtt_p50_ms: r.publish.p50,
    produce_rtt_p99_ms: r.publish.p99,
    produce_rtt_max_ms: r.publish.max,
    verdict: 'unjudged',
  } as PointResult;
}
