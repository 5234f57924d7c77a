import type { BrokerFigures, BrokerMetricsRecord, RequestSplit } from './figures';

/**
 * Which part of the brokers held a request type back, from their own figures. Pure, like
 * stats/verdict.ts: the lines below are where a part counts as the limit, each with its reason.
 */
export const PART_LINES = {
  /** Request handler threads idle less than this, %: requests wait for a handler (Kafka's docs: alert below 20-30 %). */
  handler_idle_min_pct: 20,
  /** Network threads idle less than this, %: reading requests and writing responses is the bottleneck. */
  network_idle_min_pct: 20,
  /** A request waited this long in the request queue at p99, ms: handlers did not keep up. */
  queue_p99_ms: 100,
  /** Time in the log append (local time) at p99, ms: the disk or the page cache. */
  local_p99_ms: 100,
  /** Time waiting for followers (remote time, acks=all) at p99, ms: replication. */
  remote_p99_ms: 100,
  /** Time a response waited and was written (response queue + send) at p99, ms: network threads or the network. */
  response_p99_ms: 100,
  /** Idle shares above which a broker had headroom, %: neither its handlers nor its network threads were near busy. */
  headroom_idle_pct: 50,
} as const;

const ms = (v: number): string => `${Math.round(v)} ms`;
const pct = (v: number): string => `${Math.round(v)} %`;
const WORD = { produce: 'produce', fetch: 'fetch' } as const;

/** How a broker is named: its position among the endpoints and the endpoint's host. */
export function brokerName(b: BrokerFigures, index: number): string {
  let host = b.endpoint;
  try {
    host = new URL(b.endpoint).host;
  } catch {
    // Stored text that is not a URL is shown as it was.
  }
  return `broker ${index + 1} (${host})`;
}

/** What crossed its line on one broker for one request type, as phrases; empty when nothing did. */
export function crossedParts(b: BrokerFigures, request: 'produce' | 'fetch'): string[] {
  const split: RequestSplit | null = b[request];
  const parts: string[] = [];
  if (b.handler_idle_pct !== null && b.handler_idle_pct < PART_LINES.handler_idle_min_pct)
    parts.push(`its request handlers were ${pct(100 - b.handler_idle_pct)} busy${b.handler_idle_since_start ? ' (mean since the broker started)' : ''}`);
  if (b.network_idle_pct !== null && b.network_idle_pct < PART_LINES.network_idle_min_pct)
    parts.push(`its network threads were ${pct(100 - b.network_idle_pct)} busy`);
  if (split) {
    if ((split.queue_p99_ms ?? 0) >= PART_LINES.queue_p99_ms)
      parts.push(`${WORD[request]} requests waited ${ms(split.queue_p99_ms ?? 0)} in its request queue (p99)`);
    if ((split.local_p99_ms ?? 0) >= PART_LINES.local_p99_ms)
      parts.push(
        `${WORD[request]} requests spent ${ms(split.local_p99_ms ?? 0)} in the log (local time, p99${b.log_flush_p99_ms !== null ? `; log flush p99 ${ms(b.log_flush_p99_ms)}` : ''})`,
      );
    if ((split.remote_p99_ms ?? 0) >= PART_LINES.remote_p99_ms)
      parts.push(
        `${WORD[request]} requests waited ${ms(split.remote_p99_ms ?? 0)} for ${request === 'produce' ? 'the followers (replication, remote time' : 'data (remote time'}, p99)${b.under_replicated_max ? `; ${b.under_replicated_max} partitions under-replicated` : ''}`,
      );
    const response = (split.response_queue_p99_ms ?? 0) + (split.response_send_p99_ms ?? 0);
    if (response >= PART_LINES.response_p99_ms) parts.push(`its responses waited and were sent for ${ms(response)} (response queue + send, p99)`);
    if ((split.throttle_p99_ms ?? 0) > 0) parts.push(`${WORD[request]} requests were throttled ${ms(split.throttle_p99_ms ?? 0)} by a quota (p99)`);
  }
  return parts;
}

/** Whether a broker served enough to judge it, and had headroom: idle handlers and network threads, short queues. */
function hadHeadroom(b: BrokerFigures, request: 'produce' | 'fetch'): boolean {
  return (
    b.handler_idle_pct !== null &&
    b.handler_idle_pct >= PART_LINES.headroom_idle_pct &&
    (b.network_idle_pct === null || b.network_idle_pct >= PART_LINES.headroom_idle_pct) &&
    crossedParts(b, request).length === 0
  );
}

/**
 * The part of the brokers that held `request` back, as a phrase to follow "Kafka held the
 * publisher back": the broker(s) where a figure crossed its line, busiest first; when every broker
 * had headroom, the path between clients and brokers; null when the brokers' figures cannot say.
 */
export function brokerPart(record: BrokerMetricsRecord | undefined, request: 'produce' | 'fetch'): string | null {
  if (!record) return null;
  const judged = record.brokers.map((b, i) => ({ b, i, parts: crossedParts(b, request) })).filter(({ b }) => b.scrapes > 0);
  if (judged.length === 0) return null;
  const crossed = judged.filter((x) => x.parts.length > 0).sort((x, y) => (x.b.handler_idle_pct ?? 100) - (y.b.handler_idle_pct ?? 100));
  if (crossed.length > 0) return crossed.map(({ b, i, parts }) => `${brokerName(b, i)}: ${parts.join(', ')}`).join('; ');
  if (judged.length === record.brokers.length && judged.every(({ b }) => hadHeadroom(b, request))) {
    const minIdle = Math.min(...judged.map(({ b }) => b.handler_idle_pct ?? 100));
    const maxTotal = Math.max(...judged.map(({ b }) => b[request]?.total_p99_ms ?? 0));
    return `every broker had headroom (request handlers at least ${pct(minIdle)} idle, ${WORD[request]} requests at most ${ms(maxTotal)} inside a broker at p99): the time went between the clients and the brokers — the network path, or the clients' own connections`;
  }
  return null;
}

/** The broker that was busiest: the lowest request handler idle share (then the longest produce p99). */
export function busiestBroker(record: BrokerMetricsRecord | undefined): BrokerFigures | null {
  const served = (record?.brokers ?? []).filter((b) => b.scrapes > 0);
  if (served.length === 0) return null;
  return [...served].sort(
    (a, b) => (a.handler_idle_pct ?? 100) - (b.handler_idle_pct ?? 100) || (b.produce?.total_p99_ms ?? 0) - (a.produce?.total_p99_ms ?? 0),
  )[0] as BrokerFigures;
}
