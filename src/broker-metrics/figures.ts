import type { Sample } from './exposition';
import { SERIES, type RuleSet, type SeriesId } from './names';

/**
 * One broker's figures over a measuring window, from its endpoint's scrapes: counters as rates
 * between the first and the last scrape, gauges as their mean or maximum over the scrapes,
 * request times as the exporter's quantiles at the last scrape (Kafka's histograms decay over
 * minutes, so they lean on the window's end). null: the endpoint did not serve it.
 */
export interface BrokerFigures {
  endpoint: string;
  rule_set: RuleSet;
  /** Scrapes that answered, and those that failed or timed out. */
  scrapes: number;
  failed_scrapes: number;
  /** Request handler threads idle, % of the window; `handler_idle_since_start`: only the mean since the broker started was served. */
  handler_idle_pct: number | null;
  handler_idle_since_start: boolean;
  network_idle_pct: number | null;
  request_queue_max: number | null;
  bytes_in_per_s: number | null;
  bytes_out_per_s: number | null;
  messages_in_per_s: number | null;
  under_replicated_max: number | null;
  isr_shrinks: number | null;
  produce: RequestSplit | null;
  fetch: RequestSplit | null;
  log_flush_p99_ms: number | null;
  /** Scrape by scrape (once a second), for a planned fault's figures: how busy it was over time. */
  series?: BrokerSample[];
}

/** One scrape's figures (epoch ms): handlers busy since the scrape before, the queue, produce p99 then. */
export interface BrokerSample {
  at_ms: number;
  handler_busy_pct: number | null;
  request_queue: number | null;
  produce_total_p99_ms: number | null;
}

/** A request type's time as Kafka splits it, ms (RequestMetrics), p50 and p99. */
export interface RequestSplit {
  queue_p50_ms: number | null;
  queue_p99_ms: number | null;
  local_p99_ms: number | null;
  remote_p99_ms: number | null;
  response_queue_p99_ms: number | null;
  response_send_p99_ms: number | null;
  total_p50_ms: number | null;
  total_p99_ms: number | null;
  throttle_p99_ms: number | null;
}

/** One scrape of one endpoint: when, and its samples of the mapped names (or why it failed). */
export interface Scrape {
  at_ms: number;
  samples: Sample[] | null;
  error: string | null;
}

/** What a point stores of its brokers: per broker, which series no endpoint served, and notes (failed scrapes). */
export interface BrokerMetricsRecord {
  brokers: BrokerFigures[];
  /** Series no endpoint served, with the name looked for: "network_idle (kafka_network_…)". */
  missing: string[];
  notes: string[];
}

/** The request types hydra's clients make, by RequestMetrics' `request` label. */
const REQUESTS = { produce: 'Produce', fetch: 'FetchConsumer' } as const;

/** Samples of a series: its name, without a per-topic label (the all-topics figure), matching `labels`. */
function pick(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && s.labels.topic === undefined && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** A series' value in one scrape: the sum of its (label-less or per-listener) samples; null when absent. */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | null {
  const found = pick(samples, name, labels).filter((s) => Number.isFinite(s.value));
  return found.length ? found.reduce((n, s) => n + s.value, 0) : null;
}

/** The figures of one endpoint's scrapes, with the names it was read by. */
export function brokerFigures(endpoint: string, ruleSet: RuleSet, names: Record<SeriesId, string>, scrapes: readonly Scrape[]): BrokerFigures {
  // In the order they were taken: a slow answer may land after a later scrape's.
  const ok = scrapes.filter((s): s is Scrape & { samples: Sample[] } => s.samples !== null).sort((a, b) => a.at_ms - b.at_ms);
  const first = ok[0];
  const last = ok[ok.length - 1];
  const seconds = first && last ? (last.at_ms - first.at_ms) / 1000 : 0;
  const rate = (series: SeriesId): number | null => {
    if (!first || !last || seconds <= 0) return null;
    const a = valueOf(first.samples, names[series]);
    const b = valueOf(last.samples, names[series]);
    // A counter that went down was reset (a broker restart): no rate for this window.
    return a === null || b === null || b < a ? null : (b - a) / seconds;
  };
  const gauges = (series: SeriesId): number[] => ok.flatMap((s) => valueOf(s.samples, names[series]) ?? []);
  const mean = (values: number[]): number | null => (values.length ? values.reduce((n, v) => n + v, 0) / values.length : null);
  const max = (values: number[]): number | null => (values.length ? Math.max(...values) : null);
  const quantile = (series: SeriesId, q: string, request?: string): number | null =>
    last ? valueOf(last.samples, names[series], { ...(request ? { request } : {}), quantile: q }) : null;
  const split = (request: string): RequestSplit | null => {
    const s: RequestSplit = {
      queue_p50_ms: quantile('request_queue_time', '0.50', request),
      queue_p99_ms: quantile('request_queue_time', '0.99', request),
      local_p99_ms: quantile('local_time', '0.99', request),
      remote_p99_ms: quantile('remote_time', '0.99', request),
      response_queue_p99_ms: quantile('response_queue_time', '0.99', request),
      response_send_p99_ms: quantile('response_send_time', '0.99', request),
      total_p50_ms: quantile('total_time', '0.50', request),
      total_p99_ms: quantile('total_time', '0.99', request),
      throttle_p99_ms: quantile('throttle_time', '0.99', request),
    };
    return Object.values(s).every((v) => v === null) ? null : s;
  };
  // Idle time in ns summed over the handler threads' share: over the window, exactly the idle fraction.
  const idleNs = rate('handler_idle_ns');
  const idleMean = mean(gauges('handler_idle_mean'));
  const handlerIdle = idleNs !== null ? idleNs / 1e9 : idleMean;
  const networkIdle = mean(gauges('network_idle'));
  const isrFrom = first ? valueOf(first.samples, names.isr_shrinks) : null;
  const isrTo = last ? valueOf(last.samples, names.isr_shrinks) : null;
  return {
    endpoint,
    rule_set: ruleSet,
    scrapes: ok.length,
    failed_scrapes: scrapes.length - ok.length,
    handler_idle_pct: handlerIdle === null ? null : clampPct(handlerIdle * 100),
    handler_idle_since_start: idleNs === null && idleMean !== null,
    network_idle_pct: networkIdle === null ? null : clampPct(networkIdle * 100),
    request_queue_max: max(gauges('request_queue')),
    bytes_in_per_s: rate('bytes_in'),
    bytes_out_per_s: rate('bytes_out'),
    messages_in_per_s: rate('messages_in'),
    under_replicated_max: max(gauges('under_replicated')),
    isr_shrinks: isrFrom === null || isrTo === null || isrTo < isrFrom ? null : isrTo - isrFrom,
    produce: split(REQUESTS.produce),
    fetch: split(REQUESTS.fetch),
    log_flush_p99_ms: quantile('log_flush_time', '0.99'),
    series: ok.map((s, i): BrokerSample => {
      const before = ok[i - 1];
      const a = before ? valueOf(before.samples, names.handler_idle_ns) : null;
      const b = valueOf(s.samples, names.handler_idle_ns);
      const ms = before ? s.at_ms - before.at_ms : 0;
      // Idle nanoseconds since the scrape before ÷ its milliseconds × 1e6: the idle share of that second.
      const idle = a !== null && b !== null && b >= a && ms > 0 ? (b - a) / (ms * 1e6) : null;
      return {
        at_ms: s.at_ms,
        handler_busy_pct: idle === null ? null : clampPct(100 - idle * 100),
        request_queue: valueOf(s.samples, names.request_queue),
        produce_total_p99_ms: valueOf(s.samples, names.total_time, { request: REQUESTS.produce, quantile: '0.99' }),
      };
    }),
  };
}

function clampPct(v: number): number {
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}

/** Series that no endpoint served in any scrape (the handler's mean counts only without its counter). */
export function missingSeries(names: readonly Record<SeriesId, string>[], scrapes: readonly (readonly Scrape[])[]): string[] {
  const served = new Set(
    scrapes
      .flat()
      .flatMap((s) => s.samples ?? [])
      .map((s) => s.name),
  );
  const byName = names[0];
  if (!byName) return [];
  return SERIES.filter((id) => {
    if (id === 'handler_idle_mean') return false;
    if (id === 'handler_idle_ns' && names.some((n) => served.has(n.handler_idle_mean))) return false;
    return !names.some((n) => served.has(n[id]));
  }).map((id) => `${id} (${byName[id]})`);
}
