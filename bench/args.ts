/** The benchmark's command line (`npm run bench -- --quick --clients ...`). */

export const quick = process.argv.includes('--quick');
/** Only the control-plane section (`npm run bench -- --control-plane [--apps=N]`). */
export const controlPlaneOnly = process.argv.includes('--control-plane');
/** Only the two clients side by side (`npm run bench -- --clients`). */
export const clientsOnly = process.argv.includes('--clients');
/** Only a sub app's per-message bookkeeping, with and without a faulted point's timeline (`npm run bench -- --receive`). */
export const receiveOnly = process.argv.includes('--receive');
export const controlPlaneApps = Number(/^--apps=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--apps=')) ?? '')?.[1] ?? (quick ? 50 : 200));
export const WINDOW_S = quick ? 3 : 5;
export const IN_FLIGHT = 16;
/** Messages kcat sends from its file. */
export const KCAT_MESSAGES = quick ? 500_000 : 2_000_000;
/** A real cluster to measure against (`npm run bench -- --brokers=host:port,...`); none: the embedded broker. */
export const benchBrokers = (/^--brokers=(.+)$/.exec(process.argv.find((a) => a.startsWith('--brokers=')) ?? '')?.[1] ?? '').split(',').filter((b) => b !== '');
