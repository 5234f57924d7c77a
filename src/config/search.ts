import { checkNumber, checkPointParam, type NumberRule } from './rules';

/** Settings of HYDRA's boundary scanner (kafkarate). */
export interface RateSearchSettings {
  /** First rate probed, msg/s. */
  start_rate: number;
  /** Doubling stops when the received rate grows by less than this, %. (HYDRA: 2) */
  growth_pct: number;
  /** Highest acceptable loss for the no-drop rate, %. (HYDRA: 0.5) */
  loss_bound_pct: number;
  /** The search stops when the bracket is this narrow relative to its top, %. (HYDRA: 1) */
  precision_pct: number;
  /** Most points measured per client count. */
  max_steps: number;
}

export const DEFAULT_RATE_SEARCH: Readonly<RateSearchSettings> = Object.freeze({
  start_rate: 1000,
  growth_pct: 2,
  loss_bound_pct: 0.5,
  precision_pct: 1,
  max_steps: 20,
});

/** A search setting: its field, its flag, its rule and help. start_rate follows msg_rate's rule. */
export interface SearchSpec extends NumberRule {
  key: keyof RateSearchSettings;
  flag: string;
  unit: string;
  help: string;
}

export const SEARCH_SPECS: readonly SearchSpec[] = [
  { key: 'start_rate', flag: 'start_rate', kind: 'number', unit: 'msg/s', help: 'first rate probed' },
  { key: 'growth_pct', flag: 'growth', kind: 'number', min: 0, max: 1000, unit: '%', help: 'doubling stops when rx rate grows less than this' },
  { key: 'loss_bound_pct', flag: 'loss_bound', kind: 'number', min: 0, max: 100, unit: '%', help: 'highest loss for the no-drop rate' },
  { key: 'precision_pct', flag: 'precision', kind: 'number', min: 0.01, max: 100, unit: '%', help: 'search precision relative to the rate' },
  { key: 'max_steps', flag: 'max_steps', kind: 'int', min: 2, max: 1000, unit: 'points', help: 'most points per client count' },
];

/** Checks each setting; `sourceOf` names where it came from (a flag or a library field). */
export function checkSearchSettings(settings: Partial<RateSearchSettings>, sourceOf: (spec: SearchSpec) => string = (s) => `--${s.flag}`): void {
  for (const spec of SEARCH_SPECS) {
    const value = settings[spec.key];
    if (value === undefined) continue;
    if (spec.key === 'start_rate') checkPointParam('msg_rate', value, sourceOf(spec));
    else checkNumber(value, spec, sourceOf(spec));
  }
}
