import type { BrokerRequestTelemetry, HistogramData } from '../control/wire';
import { emptyBrokerRequests } from '../control/wire';
import { histogramQuantile, mergeHistograms } from './histogram';

/** Several apps' records of broker answers as one: counts and throttle add up, round trips merge, the longest queue wait is kept. */
export function mergeBrokerRequests(parts: readonly (BrokerRequestTelemetry | null | undefined)[]): BrokerRequestTelemetry {
  const present = parts.filter((p): p is BrokerRequestTelemetry => p !== null && p !== undefined);
  const out = emptyBrokerRequests();
  out.rtt = mergeHistograms(present.map((p) => p.rtt));
  for (const p of present) {
    out.requests += p.requests;
    out.queue_max_ms = Math.max(out.queue_max_ms, p.queue_max_ms);
    out.throttle_ms += p.throttle_ms;
    out.throttle_max_ms = Math.max(out.throttle_max_ms, p.throttle_max_ms);
    out.throttled += p.throttled;
    out.timeouts += p.timeouts;
  }
  return out;
}

/** p50/p99/max of a round-trip histogram, ms; nulls when nothing was timed. */
export function roundTripMs(h: HistogramData): { p50: number | null; p99: number | null; max: number | null } {
  const ms = (q: number): number | null => {
    const us = histogramQuantile(h, q);
    return us === null ? null : us / 1000;
  };
  return { p50: ms(0.5), p99: ms(0.99), max: h.max_us === null ? null : h.max_us / 1000 };
}
