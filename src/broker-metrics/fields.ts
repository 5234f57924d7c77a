import type { BrokerFigures, BrokerMetricsRecord, RequestSplit } from './figures';

/**
 * A point's broker figures as named fields, over all its brokers — the least idle, the longest,
 * the largest, or the sum across them — one table for the columns (CSV, the report's table) and
 * the threshold gate (`--threshold='broker_handler_idle_min_pct>30'`).
 */
export interface BrokerField {
  header: string;
  value(record: BrokerMetricsRecord): number | null;
}

type Pick = (b: BrokerFigures) => number | null;
const each = (r: BrokerMetricsRecord, pick: Pick): number[] => r.brokers.filter((b) => b.scrapes > 0).flatMap((b) => pick(b) ?? []);
const least = (pick: Pick) => (r: BrokerMetricsRecord) => (each(r, pick).length ? Math.min(...each(r, pick)) : null);
const most = (pick: Pick) => (r: BrokerMetricsRecord) => (each(r, pick).length ? Math.max(...each(r, pick)) : null);
const sum = (pick: Pick) => (r: BrokerMetricsRecord) => (each(r, pick).length ? each(r, pick).reduce((n, v) => n + v, 0) : null);
const split =
  (request: 'produce' | 'fetch', key: keyof RequestSplit): Pick =>
  (b) =>
    b[request]?.[key] ?? null;

export const BROKER_FIELDS = {
  broker_handler_idle_min_pct: { header: 'b_handler_idle_%', value: least((b) => b.handler_idle_pct) },
  broker_network_idle_min_pct: { header: 'b_network_idle_%', value: least((b) => b.network_idle_pct) },
  broker_request_queue_max: { header: 'b_req_queue', value: most((b) => b.request_queue_max) },
  broker_produce_queue_p99_ms: { header: 'b_produce_queue_p99', value: most(split('produce', 'queue_p99_ms')) },
  broker_produce_local_p99_ms: { header: 'b_produce_local_p99', value: most(split('produce', 'local_p99_ms')) },
  broker_produce_remote_p99_ms: { header: 'b_produce_remote_p99', value: most(split('produce', 'remote_p99_ms')) },
  broker_produce_total_p99_ms: { header: 'b_produce_total_p99', value: most(split('produce', 'total_p99_ms')) },
  broker_produce_throttle_p99_ms: { header: 'b_produce_throttle_p99', value: most(split('produce', 'throttle_p99_ms')) },
  broker_fetch_queue_p99_ms: { header: 'b_fetch_queue_p99', value: most(split('fetch', 'queue_p99_ms')) },
  broker_fetch_total_p99_ms: { header: 'b_fetch_total_p99', value: most(split('fetch', 'total_p99_ms')) },
  broker_fetch_throttle_p99_ms: { header: 'b_fetch_throttle_p99', value: most(split('fetch', 'throttle_p99_ms')) },
  broker_bytes_in_per_s: { header: 'b_bytes_in/s', value: sum((b) => b.bytes_in_per_s) },
  broker_bytes_out_per_s: { header: 'b_bytes_out/s', value: sum((b) => b.bytes_out_per_s) },
  broker_messages_in_per_s: { header: 'b_msgs_in/s', value: sum((b) => b.messages_in_per_s) },
  broker_under_replicated_max: { header: 'b_under_replicated', value: most((b) => b.under_replicated_max) },
  broker_isr_shrinks: { header: 'b_isr_shrinks', value: sum((b) => b.isr_shrinks) },
  broker_log_flush_p99_ms: { header: 'b_log_flush_p99', value: most((b) => b.log_flush_p99_ms) },
} as const satisfies Record<`broker_${string}`, BrokerField>;

export type BrokerFieldId = keyof typeof BROKER_FIELDS;
export const BROKER_FIELD_IDS = Object.keys(BROKER_FIELDS) as BrokerFieldId[];
