import { mean } from 'simple-statistics';
import type { ClientStats, PubStats } from '../control/wire';
import { histogramQuantile, mergeHistograms } from './histogram';

/**
 * The figures of one test point. The first block keeps HYDRA's keys and meaning (RES dict);
 * the second is what hydra adds.
 */
export interface PointResult {
  /** Subscriber clients expected in this point (answering or not). */
  client_count: number;
  /** Messages the publisher got acknowledged. */
  packet_tx: number;
  /** Mean messages received per client (duplicates included, as HYDRA counted). */
  average_packets: number;
  /**
   * Mean per-client receive rate, msg/s: messages received over the publisher's window, or over
   * the time from the publisher's start to the client's last receive when that is longer.
   * (HYDRA divided by the client's own first-to-last span, which shows Rx above Tx at zero loss
   * because the first fetch arrives in a burst.)
   */
  average_rate: number;
  /** Publisher's achieved rate, msg/s. */
  average_tx_rate: number;
  /** Reporting clients whose received count differs from packet_tx (a Kafka-side figure: an unresponsive app's clients are not counted). */
  failing_clients: number;
  /** Mean receive rate of the failing clients, msg/s; null when none failed. */
  failing_clients_rate: number | null;
  /** (packet_tx − average_packets) / packet_tx, %. */
  average_packet_loss: number;
  /** Publisher CPU over its publishing time, % of one core. */
  pub_cpu: number;
  /** Host network bytes/s sent and received while publishing (all interfaces, as HYDRA). */
  pub_net_txrate: number;
  pub_net_rxrate: number;

  /** Rate the publisher was asked for, msg/s. */
  requested_rate: number;
  /** average_tx_rate / requested_rate; below ~0.95 the harness, not Kafka, was the limit. */
  pub_achieved_ratio: number;
  /** True when the publisher could not reach the requested rate. */
  pub_limited: boolean;
  /** Produce errors (messages) seen by the publisher. */
  pub_send_errors: number;
  /** Σ over clients of messages never received (packet_tx − unique). */
  lost_total: number;
  /** Σ over clients of messages received more than once. */
  duplicated_total: number;
  /** Σ over clients of messages that arrived after a higher sequence number. */
  reordered_total: number;
  /** End-to-end latency percentiles over all received messages, ms; null when nothing arrived. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  latency_max_ms: number | null;
  /** Sub apps that did not answer getstats: their clients are left out of every figure (the point is invalid). */
  unresponsive_apps: string[];
}

export interface SubAppReport {
  app: string;
  /** null when the app did not answer. */
  clients: ClientStats[] | null;
}

/**
 * HYDRA's result_parser, from raw app statistics. `requestedRate` is the point's parameter (not
 * the publisher's echo of it). The clients of an app that did not answer are not counted as
 * failing or as receiving nothing: what a dead or frozen harness process did not report is not
 * Kafka's loss. Such a point is invalid (the runner reports the fault); `client_count` still
 * counts every configured client (`clientsPerApp` per app).
 */
export function computeResult(pub: PubStats, subs: readonly SubAppReport[], clientsPerApp: number, requestedRate: number): PointResult {
  const packetTx = pub.msg_cnt;
  const clients: (Pick<ClientStats, 'msg_cnt' | 'rate' | 'unique' | 'duplicates' | 'out_of_order'> & { last_ms?: number | null })[] = [];
  const unresponsive: string[] = [];
  for (const sub of subs) {
    if (sub.clients === null) unresponsive.push(sub.app);
    else clients.push(...sub.clients);
  }
  const pubStartMs = pub['time:start'] * 1000;
  const pubWindowS = pub['time:end'] - pub['time:start'];
  const rateOf = (c: (typeof clients)[number]): number => {
    const last = 'last_ms' in c ? (c.last_ms as number | null) : null;
    if (last === null || last <= pubStartMs) return c.rate;
    // A client that kept up is measured over the publisher's window (so Rx = Tx); one that lagged,
    // over the longer time it took to get its last message.
    return c.msg_cnt / Math.max((last - pubStartMs) / 1000, pubWindowS);
  };
  const failing = clients.filter((c) => c.msg_cnt !== packetTx);
  const averagePackets = clients.length ? mean(clients.map((c) => c.msg_cnt)) : 0;
  const latency = mergeHistograms(subs.flatMap((s) => (s.clients ?? []).map((c) => c.latency)));
  const ms = (q: number): number | null => {
    const us = histogramQuantile(latency, q);
    return us === null ? null : us / 1000;
  };
  const pubTime = pub['time:end'] - pub['time:start'];
  const perSecond = (v: number): number => (pubTime > 0 ? v / pubTime : 0);
  const cpu = pub['cpu:end'][0] + pub['cpu:end'][1] - (pub['cpu:start'][0] + pub['cpu:start'][1]);
  const ratio = requestedRate > 0 ? pub.rate / requestedRate : 0;
  return {
    client_count: clients.length + unresponsive.length * clientsPerApp,
    packet_tx: packetTx,
    average_packets: averagePackets,
    average_rate: clients.length ? mean(clients.map(rateOf)) : 0,
    average_tx_rate: pub.rate,
    failing_clients: failing.length,
    failing_clients_rate: failing.length ? mean(failing.map(rateOf)) : null,
    average_packet_loss: packetTx > 0 ? ((packetTx - averagePackets) * 100) / packetTx : 0,
    pub_cpu: 100 * perSecond(cpu),
    pub_net_txrate: perSecond(pub['net:end'][0] - pub['net:start'][0]),
    pub_net_rxrate: perSecond(pub['net:end'][1] - pub['net:start'][1]),
    requested_rate: requestedRate,
    pub_achieved_ratio: ratio,
    pub_limited: ratio < 0.95,
    pub_send_errors: pub.send_errors,
    lost_total: clients.reduce((s, c) => s + Math.max(0, packetTx - c.unique), 0),
    duplicated_total: clients.reduce((s, c) => s + c.duplicates, 0),
    reordered_total: clients.reduce((s, c) => s + c.out_of_order, 0),
    latency_p50_ms: ms(0.5),
    latency_p95_ms: ms(0.95),
    latency_p99_ms: ms(0.99),
    latency_max_ms: latency.max_us === null ? null : latency.max_us / 1000,
    unresponsive_apps: unresponsive,
  };
}

/** HYDRA's RES keys, in HYDRA's order, for printing the classic dict. */
export const HYDRA_RESULT_KEYS = [
  'average_packet_loss',
  'average_packets',
  'average_rate',
  'average_tx_rate',
  'client_count',
  'failing_clients',
  'failing_clients_rate',
  'packet_tx',
  'pub_cpu',
  'pub_net_rxrate',
  'pub_net_txrate',
] as const satisfies readonly (keyof PointResult)[];
