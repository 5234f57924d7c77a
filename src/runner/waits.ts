import { ControlTimeoutError, PointError } from '../errors';
import type { AppHandle } from '../launch';

/**
 * The waits of a point's phases: a poll until a condition holds (or a deadline), and a status
 * poll's answer that tolerates a late reply from an app that is still alive.
 */

/**
 * A status poll's answer, or null when the app did not answer in time but is still alive: a
 * frozen or starved app misses polls without ending the point (the wait's own deadline and the
 * process watch do that), and its stall is judged with the point's figures.
 */
export async function patiently<T>(app: AppHandle, reply: Promise<T>): Promise<T | null> {
  try {
    return await reply;
  } catch (err) {
    if (err instanceof ControlTimeoutError && app.isAlive()) return null;
    throw err;
  }
}

/** Polls `check` every `pollMs` until it says true, or fails after `timeoutMs` with the last state. */
export async function waitUntil(timeoutMs: number, what: string, check: () => Promise<true | string>, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const state = await check();
    if (state === true) return;
    last = state;
    if (Date.now() >= deadline) throw new PointError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${last}`);
    await sleep(pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
