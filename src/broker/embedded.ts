import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { BrokerError } from '../errors';
import { parentDeathWrapper } from '../supervise/process';

/** A running broker hydra talks to: its bootstrap addresses and how to let go of it. */
export interface BrokerHandle {
  brokers: string[];
  embedded: boolean;
  /** The embedded broker's process id; undefined for a configured cluster. */
  pid?: number;
  /**
   * Resolves with a description ("exited with code 1", "killed by SIGKILL") if a broker hydra
   * started ends without being stopped; never resolves for a configured cluster, which hydra
   * does not own.
   */
  lost: Promise<string>;
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
  // Look kcat up first: behind the parent-death wrapper a missing program is only an exit code.
  if (!findExecutable(kcat)) throw new BrokerError(`embedded broker: '${kcat}' not found; ${KCAT_HINT}`);
  const kcatArgs = ['-P', '-t', 'hydra-embedded', '-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${count}`];
  // With the parent-death guard the broker dies with hydra even when it is frozen and cannot see its stdin close.
  const wrapper = parentDeathWrapper();
  const child = wrapper
    ? spawn(wrapper.command, [...wrapper.args, kcat, ...kcatArgs], { stdio: ['pipe', 'ignore', 'pipe'] })
    : spawn(kcat, kcatArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
  live.add(child);
  let stopping = false;
  const lost = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (!stopping) resolve(signal ? `was killed by ${signal}` : `exited with code ${String(code)}`);
    });
  });

  const stop = async (): Promise<void> => {
    stopping = true;
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
  return { brokers, embedded: true, pid: child.pid, lost, stop };
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

export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
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

/** The path of an executable: `name` itself when it contains a slash, else the first match on PATH. */
function findExecutable(name: string): string | null {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '')
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return null;
}
