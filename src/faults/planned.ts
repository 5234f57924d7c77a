import type { AppTelemetry } from '../control/wire';

/** How far around a planned freeze a stall still counts as that freeze, ms (signals and the sampler's own period). */
const FREEZE_SLACK_MS = 500;

/**
 * An app's telemetry without the stalls a planned freeze caused (stop= froze it on purpose, so its
 * event loop standing still then is the experiment, not a harness fault); any other stall stays
 * and is judged as ever. `freezes`: [began, ended] epoch ms on the app's clock.
 */
export function withoutPlannedStalls<T extends AppTelemetry | null | undefined>(telemetry: T, freezes: readonly [number, number][] | undefined): T {
  if (!telemetry || !freezes || freezes.length === 0) return telemetry;
  const planned = (at: number, ms: number): boolean => freezes.some(([from, to]) => at + ms >= from - FREEZE_SLACK_MS && at <= to + FREEZE_SLACK_MS);
  return { ...telemetry, stalls: telemetry.stalls.filter((st) => !planned(st.at_ms, st.ms)) };
}
