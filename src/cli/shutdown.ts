/**
 * Runs cleanups (stop apps, stop the broker, flush results) when the CLI is interrupted, then
 * exits with the conventional code. A second signal while cleaning up exits at once; the apps
 * still die because their IPC channel closes.
 */
const cleanups = new Map<() => Promise<void>, string>();
let installed = false;
let shuttingDown = false;

/** True once a signal started the shutdown; the command's own outcome no longer matters. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/** Runs `cleanup` on SIGINT/SIGTERM; `what` says what it stops, in the line printed then. */
export function onShutdown(cleanup: () => Promise<void>, what = 'apps and broker'): () => void {
  install();
  cleanups.set(cleanup, what);
  return () => cleanups.delete(cleanup);
}

function install(): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (shuttingDown) process.exit(code);
    shuttingDown = true;
    const what = [...new Set(cleanups.values())].join(', ') || 'nothing left running';
    process.stderr.write(`\nhydra: ${signal} received, stopping ${what}...\n`);
    void Promise.allSettled([...cleanups.keys()].map((c) => c())).then(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
