/**
 * Clock offsets between the runner and its apps, NTP style. End-to-end latency compares a
 * publisher's clock (the send time in a message) with a subscriber's (the receive time); on
 * separate machines their clocks differ, and the difference would show up as latency. Each
 * exchange gives four times — runner sends (t0), app receives (t1) and answers (t2), runner
 * receives (t3) — so offset = ((t1 − t0) + (t2 − t3)) / 2 with an error of at most half the round
 * trip (t3 − t0) − (t2 − t1). Of several exchanges the one with the shortest round trip is kept.
 */

/** The app's side of one exchange: its clock when the request arrived and when it answered, ms. */
export interface ClockReading {
  rx_ms: number;
  tx_ms: number;
}

/** An app's clock relative to the runner's: app clock − runner clock, ms, within ± error_ms. */
export interface ClockOffset {
  offset_ms: number;
  error_ms: number;
}

/** Exchanges per estimate: enough for one of them to see a quiet network. */
export const CLOCK_EXCHANGES = 8;

/** Estimates an app's offset from `exchanges` request/replies; `now` is the runner's clock. */
export async function estimateClockOffset(ask: () => Promise<ClockReading>, now: () => number, exchanges = CLOCK_EXCHANGES): Promise<ClockOffset> {
  let best: ClockOffset & { rtt: number } = { offset_ms: 0, error_ms: Infinity, rtt: Infinity };
  for (let i = 0; i < exchanges; i++) {
    const t0 = now();
    const { rx_ms: t1, tx_ms: t2 } = await ask();
    const t3 = now();
    const rtt = t3 - t0 - (t2 - t1);
    if (rtt < best.rtt) best = { offset_ms: (t1 - t0 + (t2 - t3)) / 2, error_ms: Math.max(0, rtt) / 2, rtt };
  }
  return { offset_ms: best.offset_ms, error_ms: best.error_ms };
}

/**
 * What a subscriber subtracts from a latency it measured on a message of publisher p: its own
 * offset minus that publisher's (both relative to the runner), ms.
 */
export function latencyCorrections(subOffsetMs: number, pubOffsetsMs: readonly number[]): number[] {
  return pubOffsetsMs.map((pub) => subOffsetMs - pub);
}
