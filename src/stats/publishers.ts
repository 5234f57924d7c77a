import type { AppTelemetry, PubStats } from '../control/wire';
import { mergeHistograms } from './histogram';
import { mergeBrokerRequests } from './requests';

/** One publisher's CPU over its window, % of one core. */
export function pubCpuPct(p: PubStats): number {
  const window = p['time:end'] - p['time:start'];
  const cpu = p['cpu:end'][0] + p['cpu:end'][1] - (p['cpu:start'][0] + p['cpu:start'][1]);
  return window > 0 ? (100 * cpu) / window : 0;
}

/**
 * Several publishers' statistics as one publisher's, so HYDRA's figures keep their meaning:
 * packet_tx is every publisher's acknowledged messages; the window runs from the first start to
 * the last end (they start together), so the rate is the whole point's; CPU is the sum over
 * publishers (pub_cpu = total, % of one core); network bytes are host-wide counters, so they are
 * counted once per host. The telemetry kept is the busiest publisher's; round trips merge, and
 * the time spent waiting on the broker is the publishers' mean (so its share of the window keeps
 * its meaning).
 */
export function combinePubStats(pubs: readonly PubStats[]): PubStats {
  const first = pubs[0];
  if (!first) throw new Error('combinePubStats: no publisher');
  if (pubs.length === 1) return first;
  const start = Math.min(...pubs.map((p) => p['time:start']));
  const end = Math.max(...pubs.map((p) => p['time:end']));
  const msgCnt = pubs.reduce((s, p) => s + p.msg_cnt, 0);
  const sum2 = (pick: (p: PubStats) => [number, number]): [number, number] =>
    pubs.reduce<[number, number]>((s, p) => [s[0] + pick(p)[0], s[1] + pick(p)[1]], [0, 0]);
  // Host counters: one publisher per host (by telemetry host name; all on one host without telemetry).
  const perHost = new Map<string, PubStats>();
  for (const p of pubs) {
    const host = p.telemetry?.host ?? '';
    if (!perHost.has(host)) perHost.set(host, p);
  }
  const hostOnes = [...perHost.values()];
  const netDelta = (i: 0 | 1): number => hostOnes.reduce((s, p) => s + p['net:end'][i] - p['net:start'][i], 0);
  const busiest = pubs.map((p) => p.telemetry).reduce<AppTelemetry | null>((a, t) => (t && (!a || t.cpu_pct > a.cpu_pct) ? t : a), null);
  return {
    msg_cnt: msgCnt,
    rate: end > start ? msgCnt / (end - start) : 0,
    'time:start': start,
    'time:end': end,
    'cpu:start': sum2((p) => p['cpu:start']),
    'cpu:end': sum2((p) => p['cpu:end']),
    'net:start': [0, 0],
    'net:end': [netDelta(0), netDelta(1)],
    rss_bytes: Math.max(...pubs.map((p) => p.rss_bytes)),
    send_errors: pubs.reduce((s, p) => s + p.send_errors, 0),
    last_error: pubs.find((p) => p.last_error !== null)?.last_error ?? null,
    requests: pubs.reduce((s, p) => s + p.requests, 0),
    telemetry: busiest,
    send_rtt: mergeHistograms(pubs.map((p) => p.send_rtt)),
    produce: mergeBrokerRequests(pubs.map((p) => p.produce)),
    broker_wait_ms: pubs.reduce((s, p) => s + p.broker_wait_ms, 0) / pubs.length,
    pending_max: Math.max(...pubs.map((p) => p.pending_max)),
  };
}
