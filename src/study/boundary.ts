import type { RateSearchSettings, SearchEnd } from './spec';

/** What the search needs to know of one measured rate. */
export interface RateProbe {
  rate: number;
  /** Subscribers' mean received rate, msg/s. */
  rx_rate: number;
  /** Mean packet loss, %. */
  loss_pct: number;
  /** What Kafka accepted from the publisher, msg/s (absent: the requested rate). */
  tx_rate?: number;
  /** Kafka held the publisher back at this rate (slow acks, throttling): what showed it. Such a rate is beyond Kafka's boundary. */
  held?: string | null;
}

export interface BoundaryResult {
  max_rate: number | null;
  max_rx_rate: number | null;
  no_drop_rate: number | null;
  probes: RateProbe[];
  ended: SearchEnd;
  /**
   * Set when Kafka held the publisher back at some rate: max_rate is then the most Kafka accepted,
   * and this says what showed it (a Kafka boundary, not a harness one).
   */
  kafka_limit: string | null;
}

/**
 * HYDRA's boundary scanner for one client count. Phase 1 doubles the rate until the received
 * rate grows by less than growth_pct (the maximum rate), or Kafka holds the publisher back. Phase 2 binary-searches, between the
 * highest rate seen within the loss bound and the lowest rate seen beyond it, for the highest
 * rate whose loss is ≤ loss_bound_pct and that Kafka accepted in full, until the bracket is
 * precision_pct wide. Where Kafka held the publisher back (slow acks, throttling), the maximum rate
 * is the most Kafka accepted: that is the cluster's boundary, said as Kafka's. Never measures
 * more than max_steps points; `measure` throwing means the point could not be measured and ends
 * the search with what is known.
 */
export async function findRateBoundary(measure: (rate: number) => Promise<RateProbe | null>, s: RateSearchSettings): Promise<BoundaryResult> {
  const probes: RateProbe[] = [];
  const probe = async (rate: number): Promise<RateProbe | null> => {
    const known = probes.find((p) => p.rate === rate);
    if (known) return known;
    if (probes.length >= s.max_steps) return null;
    const p = await measure(rate);
    if (p) probes.push(p);
    return p;
  };

  // Phase 1: maximum rate.
  let ended: SearchEnd | null = null;
  let prev = await probe(s.start_rate);
  let maxRate: RateProbe | null = null;
  // A rate Kafka did not accept in full ends the doubling: what it accepted is the maximum, and
  // doubling on would only measure the same limit again.
  while (prev && !prev.held) {
    const next = await probe(prev.rate * 2);
    if (!next) {
      ended = probes.length >= s.max_steps ? 'budget_doubling' : 'unmeasured_doubling';
      break;
    }
    if (next.held || next.rx_rate < prev.rx_rate * (1 + s.growth_pct / 100)) {
      maxRate = prev;
      break;
    }
    prev = next;
  }

  // Phase 2: no-drop rate. A rate Kafka did not accept in full is beyond it, however lossless.
  const sustained = (p: RateProbe): boolean => p.loss_pct <= s.loss_bound_pct && !p.held;
  const within = (): RateProbe | undefined =>
    maxBy(
      probes.filter((p) => sustained(p)),
      (p) => p.rate,
    );
  const beyond = (): RateProbe | undefined =>
    minBy(
      probes.filter((p) => !sustained(p)),
      (p) => p.rate,
    );
  let low = within();
  let high = beyond();
  let searching = high !== undefined;
  while (searching && high) {
    const lowRate = low?.rate ?? 0;
    if ((high.rate - lowRate) / high.rate <= s.precision_pct / 100) break;
    const mid = Math.round((lowRate + high.rate) / 2);
    if (mid <= lowRate || mid >= high.rate) break;
    const p = await probe(mid);
    if (!p) {
      ended ??= probes.length >= s.max_steps ? 'budget_searching' : 'unmeasured_searching';
      searching = false;
      break;
    }
    low = within();
    high = beyond();
  }
  ended ??= high ? 'converged' : 'no_loss_seen';
  // Where Kafka held the publisher back, the most it accepted is the maximum rate, not what was asked for.
  const held = probes.filter((p) => p.held);
  const accepted = maxBy(held, (p) => p.tx_rate ?? p.rate);
  if (accepted) {
    const most = maxBy(probes, (p) => p.tx_rate ?? p.rate) as RateProbe;
    return {
      max_rate: Math.round(most.tx_rate ?? most.rate),
      max_rx_rate: most.rx_rate,
      // A rate within pub_achieved_min of Kafka's limit counts as sustained; what was sent is the most to claim.
      no_drop_rate: low ? Math.min(low.rate, Math.round(low.tx_rate ?? low.rate)) : null,
      probes,
      ended,
      kafka_limit: accepted.held ?? null,
    };
  }
  return {
    max_rate: maxRate?.rate ?? null,
    max_rx_rate: maxRate?.rx_rate ?? null,
    no_drop_rate: low?.rate ?? null,
    probes,
    ended,
    kafka_limit: null,
  };
}

function maxBy<T>(items: T[], f: (t: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, t) => (best === undefined || f(t) > f(best) ? t : best), undefined);
}

function minBy<T>(items: T[], f: (t: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, t) => (best === undefined || f(t) < f(best) ? t : best), undefined);
}
