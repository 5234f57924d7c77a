import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { BrokerError } from '../errors';

/** A running broker hydra talks to: its bootstrap addresses and how to let go of it. */
export interface BrokerHandle {
  brokers: string[];
  embedded: boolean;
  /** Stops the embedded broker; a no-op for a configured cluster. */
  stop(): Promise<void>;
}

const MOCK_LINE = /Mock cluster enabled:.*replaced with ([0-9.:,[\]a-fA-F]+)/;
const KCAT_HINT = "install it with 'sudo apt-get install -y kcat' (Debian/Ubuntu), or set [broker] brokers in hydra.ini";

/** Live embedded brokers, so an exiting process can kill them synchronously. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts librdkafka's mock cluster through Debian's kcat. kcat is started as a producer reading
 * stdin; the mock cluster lives as long as kcat does, and kcat exits when its stdin closes, so it
 * also dies with a hydra process that was killed outright.
 */
export async function startEmbeddedBroker(opts: { brokers?: number; timeoutMs?: number; kcatPath?: string } = {}): Promise<BrokerHandle> {
  const count = opts.brokers ?? 1;
  const timeoutMs = opts.timeoutMs ?? 15000;
  const kcat = opts.kcatPath ?? 'kcat';
  const child = spawn(kcat, ['-P', '-t', 'hydra-embedded', '-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${count}`], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  let brokers: string[];
  try {
    brokers = await new Promise<string[]>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(
        () => reject(new BrokerError(`embedded broker: kcat printed no mock cluster address within ${timeoutMs} ms; stderr: ${stderr.trim()}`)),
        timeoutMs,
      );
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT'
            ? new BrokerError(`embedded broker: '${kcat}' not found; ${KCAT_HINT}`)
            : new BrokerError(`embedded broker: cannot start kcat: ${err.message}`),
        );
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new BrokerError(`embedded broker: kcat exited (code ${String(code)}) before the mock cluster was up; stderr: ${stderr.trim()}`));
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr += chunk;
        const m = MOCK_LINE.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve((m[1] as string).split(',').filter((s) => s !== ''));
        }
      });
    });
    await waitForListeners(brokers, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  // kcat keeps logging to stderr; drain it so the pipe never fills and blocks the mock cluster.
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  return { brokers, embedded: true, stop };
}

/** Resolves when every `host:port` accepts a TCP connection. */
export async function waitForListeners(brokers: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const broker of brokers) {
    const colon = broker.lastIndexOf(':');
    const host = broker.slice(0, colon);
    const port = Number(broker.slice(colon + 1));
    for (;;) {
      if (await canConnect(host, port)) break;
      if (Date.now() > deadline) throw new BrokerError(`broker ${broker} does not accept connections after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
