import type { RateSearchSettings } from './spec';

/** What the search needs to know of one measured rate. */
export interface RateProbe {
  rate: number;
  /** Subscribers' mean received rate, msg/s. */
  rx_rate: number;
  /** Mean packet loss, %. */
  loss_pct: number;
}

export interface BoundaryResult {
  max_rate: number | null;
  max_rx_rate: number | null;
  no_drop_rate: number | null;
  probes: RateProbe[];
  note: string;
}

/**
 * HYDRA's boundary scanner for one client count. Phase 1 doubles the rate until the received
 * rate grows by less than growth_pct (the maximum rate). Phase 2 binary-searches, between the
 * highest rate seen within the loss bound and the lowest rate seen beyond it, for the highest
 * rate whose loss is ≤ loss_bound_pct, until the bracket is precision_pct wide. Never measures
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
  let note = '';
  let prev = await probe(s.start_rate);
  let maxRate: RateProbe | null = null;
  while (prev) {
    const next = await probe(prev.rate * 2);
    if (!next) {
      note = probes.length >= s.max_steps ? 'step budget used up while doubling' : 'a point could not be measured while doubling';
      break;
    }
    if (next.rx_rate < prev.rx_rate * (1 + s.growth_pct / 100)) {
      maxRate = prev;
      break;
    }
    prev = next;
  }

  // Phase 2: no-drop rate.
  const within = (): RateProbe | undefined =>
    maxBy(
      probes.filter((p) => p.loss_pct <= s.loss_bound_pct),
      (p) => p.rate,
    );
  const beyond = (): RateProbe | undefined =>
    minBy(
      probes.filter((p) => p.loss_pct > s.loss_bound_pct),
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
      note ||= probes.length >= s.max_steps ? 'step budget used up while searching' : 'a point could not be measured while searching';
      searching = false;
      break;
    }
    low = within();
    high = beyond();
  }
  if (!note) note = high ? 'converged within precision' : 'no measured rate exceeded the loss bound';
  return {
    max_rate: maxRate?.rate ?? null,
    max_rx_rate: maxRate?.rx_rate ?? null,
    no_drop_rate: low?.rate ?? null,
    probes,
    note,
  };
}

function maxBy<T>(items: T[], f: (t: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, t) => (best === undefined || f(t) > f(best) ? t : best), undefined);
}

function minBy<T>(items: T[], f: (t: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, t) => (best === undefined || f(t) < f(best) ? t : best), undefined);
}
