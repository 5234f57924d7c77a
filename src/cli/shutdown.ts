/**
 * Runs cleanups (stop apps, stop the broker, flush results) when the CLI is interrupted, then
 * exits with the conventional code. A second signal while cleaning up exits at once; the apps
 * still die because their IPC channel closes.
 */
const cleanups = new Set<() => Promise<void>>();
let installed = false;
let shuttingDown = false;

/** True once a signal started the shutdown; the command's own outcome no longer matters. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

export function onShutdown(cleanup: () => Promise<void>): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function install(): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (shuttingDown) process.exit(code);
    shuttingDown = true;
    process.stderr.write(`\nhydra: ${signal} received, stopping apps and broker...\n`);
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(code));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
