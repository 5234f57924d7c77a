import type { PointParams } from '../config/options';
import { HYDRA_RESULT_KEYS, type PointResult } from '../stats/result';
import type { BrokerMetricsRecord } from '../broker-metrics/figures';
import { brokerName } from '../broker-metrics/verdict';
import { verdictLabel } from './columns';
import { RemedyOnce } from './verdict';

/**
 * HYDRA's `RES = {...}` line (pformat style, keys sorted), with hydra's extra keys after it and
 * the point's `status` last: 'invalid' marks figures that are not a measurement of Kafka.
 */
export function formatResDict(result: PointResult, status: 'ok' | 'invalid' = 'ok'): string {
  // The verdict as the table and the lines word it, beside the one-word verdict.
  const values: Record<string, unknown> = { ...result, verdict_label: verdictLabel(result), status };
  const keys = [
    ...HYDRA_RESULT_KEYS,
    ...[...Object.keys(result), 'verdict_label'].filter((k) => !(HYDRA_RESULT_KEYS as readonly string[]).includes(k)).sort(),
    'status',
  ];
  const body = keys.map((k) => ` '${k}': ${pyValue(values[k])}`).join(',\n');
  return `RES = {${body.slice(1)}}`;
}

function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyValue).join(', ')}]`;
  return String(v);
}

const fmt = (v: number | null, digits = 1): string => (v === null ? '-' : v.toFixed(digits));

/** A few lines a person reads after a point; the last says whether it measured Kafka or hydra. */
export function formatSummary(params: PointParams, r: PointResult, broker?: BrokerMetricsRecord): string {
  const pct = (v: number | null): string => (v === null ? '-' : `${v.toFixed(0)} %`);
  const lines = [
    `point: ${r.client_count} clients (${params.total_sub_apps} sub apps × ${params.clients_per_app}), ${params.msg_rate} msg/s requested, batch ${params.msg_batch}, ${params.test_duration} s, acks=${params.acks}`,
    `  tx: ${r.packet_tx} msgs at ${fmt(r.average_tx_rate)} msg/s (${fmt(r.pub_achieved_ratio * 100)} % of requested)`,
    `  rx: ${fmt(r.average_packets)} msgs per client at ${fmt(r.average_rate)} msg/s; loss ${fmt(r.average_packet_loss, 3)} %; failing clients ${r.failing_clients}/${r.client_count}`,
    `  lost ${r.lost_total}, behind ${r.behind_total ?? '-'}, duplicated ${r.duplicated_total}, reordered ${r.reordered_total ?? '-'}`,
    `  latency p50 ${fmt(r.latency_p50_ms, 2)} ms, p95 ${fmt(r.latency_p95_ms, 2)} ms, p99 ${fmt(r.latency_p99_ms, 2)} ms, max ${fmt(r.latency_max_ms, 2)} ms; from the intended send time p50 ${fmt(r.latency_intended_p50_ms, 2)} ms, p99 ${fmt(r.latency_intended_p99_ms, 2)} ms`,
    `  publisher cpu ${fmt(r.pub_cpu)} %, net tx ${fmt(r.pub_net_txrate / 1024)} KiB/s, rx ${fmt(r.pub_net_rxrate / 1024)} KiB/s; sub apps cpu max ${pct(r.sub_cpu_max_pct)}, event loop max ${pct(r.sub_elu_max === null ? null : r.sub_elu_max * 100)}; host cpu max ${pct(r.host_cpu_busy_max_pct)}`,
  ];
  if (r.produce_rtt_p99_ms !== null)
    lines.push(
      `  waits: produce round trip p50 ${fmt(r.produce_rtt_p50_ms, 2)} ms, p99 ${fmt(r.produce_rtt_p99_ms, 2)} ms, max ${fmt(r.produce_rtt_max_ms, 2)} ms; publisher waiting on the broker ${pct(r.pub_broker_wait_pct)} of the window; throttled ${fmt(r.produce_throttle_ms, 0)} ms; fetch round trip p99 ${fmt(r.fetch_rtt_p99_ms, 2)} ms; longest app stall ${fmt(r.loop_stall_max_ms, 0)} ms; most time an app waited for a CPU ${pct(r.app_run_wait_max_pct)}`,
    );
  if (broker) lines.push(...brokerLines(broker));
  if (r.pub_send_errors > 0) lines.push(`  publisher send errors: ${r.pub_send_errors} messages`);
  if (r.unresponsive_apps.length > 0) lines.push(`  unresponsive sub apps (left out of every figure): ${r.unresponsive_apps.join(', ')}`);
  for (const note of r.figure_notes) lines.push(`  note: ${note}`);
  lines.push(...verdictLines(r));
  return lines.join('\n');
}

/** The verdict of one point: who held it back and the figures that show it, then each remedy once; worded for the broker it ran on. */
export function verdictLines(r: PointResult): string[] {
  if (r.verdict === 'harness_limited')
    return [
      ...r.harness_notes.map((note) => `  HARNESS-LIMITED, not a Kafka result: ${note}`),
      ...new RemedyOnce().newFor(r).map((text) => `  ${text.replace(/^hydra: /, '')}`),
    ];
  if (r.embedded_broker)
    return [
      "  verdict: no harness limit reached — on hydra's embedded broker, a rehearsal of the study: its numbers say nothing about Kafka (set [broker] brokers for a real cluster)",
    ];
  if (r.kafka_notes?.length) return r.kafka_notes.map((note) => `  verdict: a measurement of Kafka — ${note}`);
  return ['  verdict: a measurement of Kafka (no harness limit reached)'];
}

/** Each broker's own figures over the window, a line each: how busy, how long produce and fetch took inside it. */
export function brokerLines(record: BrokerMetricsRecord): string[] {
  const n = (v: number | null, unit: string): string => (v === null ? '-' : `${Math.round(v)}${unit}`);
  return record.brokers.map((b, i) => {
    if (b.scrapes === 0) return `  ${brokerName(b, i)}: no scrape answered`;
    const produce = b.produce
      ? `produce p99 ${n(b.produce.total_p99_ms, ' ms')} (queue ${n(b.produce.queue_p99_ms, ' ms')}, remote ${n(b.produce.remote_p99_ms, ' ms')})`
      : 'produce -';
    const fetch = b.fetch ? `fetch p99 ${n(b.fetch.total_p99_ms, ' ms')}` : 'fetch -';
    return `  ${brokerName(b, i)}: request handlers ${n(b.handler_idle_pct, ' %')} idle, network threads ${n(b.network_idle_pct, ' %')} idle, request queue max ${n(b.request_queue_max, '')}; ${produce}, ${fetch}; in ${n(b.messages_in_per_s, ' msg/s')}`;
  });
}
