import type { HydraOptions } from '../config/options';
import { groupedNumber } from './point-name';

/** What a planned study asks for, as far as its warnings need it. */
export interface PlannedStudy {
  options: Pick<HydraOptions, 'test_duration' | 'consumer_max_wait_ms'>;
  /** The message rates its points request (a kafkarate search: its start rate). */
  rates: readonly number[];
  /** The loss a kafkarate search tells apart from none, %; absent for a grid. */
  lossBoundPct?: number;
}

/** Most of a point one consumer long-poll may take before rates and the window's end blur. */
const MAX_FETCH_SHARE = 0.1;
/** Fewest messages per client per point: one lost message is then at most 0.1 % loss. */
const MIN_MESSAGES = 1000;

/**
 * Where a study is likely to mislead before it runs, each with what to change (hyperfine-style):
 * points too short for the consumers' fetch wait, and too few messages for the loss asked about.
 * The study still runs: these are warnings, not refusals.
 */
export function studyWarnings(plan: PlannedStudy): string[] {
  const warnings: string[] = [];
  const { test_duration: duration, consumer_max_wait_ms: waitMs } = plan.options;
  const share = waitMs / (duration * 1000);
  if (share > MAX_FETCH_SHARE)
    warnings.push(
      `points of ${duration} s with a ${waitMs} ms fetch wait (consumer_max_wait_ms): one long-poll is ${Math.round(share * 100)} % of a point, so rates and losses at the window's end are that coarse; use test_duration=${Math.ceil(waitMs / 1000 / MAX_FETCH_SHARE)} or more`,
    );
  const slowest = Math.min(...plan.rates);
  if (!Number.isFinite(slowest) || slowest <= 0) return warnings;
  const messages = Math.floor(slowest * duration);
  const resolution = messages > 0 ? 100 / messages : Infinity;
  const at = `at ${groupedNumber(slowest)} msg/s for ${duration} s a client gets ${groupedNumber(messages)} messages per point: one lost message is ${resolution.toPrecision(2)} % loss`;
  if (plan.lossBoundPct !== undefined && resolution > plan.lossBoundPct)
    warnings.push(
      `${at}, coarser than the loss bound ${plan.lossBoundPct} % the search tells apart from none; use test_duration=${Math.ceil(100 / plan.lossBoundPct / slowest)} or more`,
    );
  else if (plan.lossBoundPct === undefined && messages < MIN_MESSAGES)
    warnings.push(`${at}, and smaller losses cannot be seen; use test_duration=${Math.ceil(MIN_MESSAGES / slowest)} or more (or higher rates)`);
  return warnings;
}
