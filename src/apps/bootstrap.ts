import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { CommandMap, CommonCommands } from '../control/protocol';
import { ControlServer } from '../control/server';
import type { AppSpec, LaunchMessage, ReadyMessage } from '../control/wire';
import { errorMessage, HydraError } from '../errors';
import { nowMs } from './message';

/** What an app hands the bootstrap: its commands and how to shut down cleanly. */
export interface AppInstance<M extends CommandMap & CommonCommands> {
  register(server: ControlServer<M>): void;
  shutdown(): Promise<void>;
}

/** How long an app waits for its launch spec before giving up, ms. */
const SPEC_TIMEOUT_MS = 15000;

/**
 * The launch spec, with the run's control credentials: the first IPC message from a local
 * launcher, or the first stdin line from a command launcher. Never the environment or argv, which
 * other local users can read.
 */
export function receiveAppSpec(env: NodeJS.ProcessEnv = process.env): Promise<AppSpec> {
  if (env.HYDRA_SPEC_FILE) return Promise.resolve(specFromFile(env));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new HydraError('no launch spec received: apps are started by the hydra launcher')), SPEC_TIMEOUT_MS);
    const accept = (raw: unknown): void => {
      clearTimeout(timer);
      const msg = raw as Partial<LaunchMessage>;
      if (msg?.type === 'spec' && typeof msg.spec === 'object' && msg.spec !== null) resolve(msg.spec);
      else reject(new HydraError('malformed launch spec'));
    };
    if (process.send) {
      process.once('message', accept);
      return;
    }
    const lines = readline.createInterface({ input: process.stdin });
    lines.once('line', (line) => {
      lines.close();
      try {
        accept(JSON.parse(line));
      } catch {
        accept(null);
      }
    });
  });
}

/**
 * A pod's spec (Kubernetes launcher): the run's common spec from the mounted Secret file, the app's
 * name and kind from its environment (not secret), its control server on the pod's address.
 */
export function specFromFile(env: NodeJS.ProcessEnv): AppSpec {
  let msg: Partial<LaunchMessage>;
  try {
    msg = JSON.parse(fs.readFileSync(env.HYDRA_SPEC_FILE as string, 'utf8')) as Partial<LaunchMessage>;
  } catch (err) {
    throw new HydraError(`cannot read the launch spec ${env.HYDRA_SPEC_FILE ?? ''}: ${errorMessage(err)}`);
  }
  const kind = env.HYDRA_APP_KIND;
  if (msg?.type !== 'spec' || typeof msg.spec !== 'object' || !env.HYDRA_APP_NAME || (kind !== 'pub' && kind !== 'sub'))
    throw new HydraError('malformed launch spec (file, HYDRA_APP_NAME, HYDRA_APP_KIND)');
  return {
    ...msg.spec,
    name: env.HYDRA_APP_NAME,
    kind,
    control_host: env.HYDRA_CONTROL_HOST || msg.spec.control_host,
    control_port: Number(env.HYDRA_CONTROL_PORT) || undefined,
  };
}

/**
 * Common life of an app process: receive the spec, bind the REP server, tell the launcher the
 * endpoint, and exit when told to stop, on SIGTERM/SIGINT, or when the launcher goes away (IPC
 * disconnect or stdin closed), so an app never outlives its runner, even one that was SIGKILLed.
 */
export async function startApp<M extends CommandMap & CommonCommands>(create: (spec: AppSpec) => AppInstance<M>): Promise<void> {
  // A full or broken log file must not kill the app: it keeps serving and says so where it can.
  process.stderr.on('error', () => undefined);
  let spec: AppSpec | undefined;
  try {
    spec = await receiveAppSpec();
    await runApp(spec, create(spec));
  } catch (err) {
    process.stderr.write(`${new Date().toISOString()} ${spec?.name ?? 'app'} fatal: ${errorMessage(err)}\n`);
    process.exit(1);
  }
}

async function runApp<M extends CommandMap & CommonCommands>(spec: AppSpec, app: AppInstance<M>): Promise<void> {
  const server = new ControlServer<M>(spec.control, spec.name);
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(code), 5000);
    forced.unref();
    try {
      await app.shutdown();
    } catch (err) {
      log(spec, `shutdown error: ${String(err)}`);
    }
    server.close();
    process.exit(code);
  };
  app.register(server);
  // Every app kind serves the common commands; register them through that view of the server.
  const common: ControlServer<CommonCommands> = server;
  common.on('clock', () => {
    const rx = nowMs();
    return { rx_ms: rx, tx_ms: nowMs() };
  });
  common.on('stop', () => {
    // Reply first, then exit.
    setTimeout(() => void stop(0), 10);
    return { stopping: true };
  });
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  if (process.send) process.on('disconnect', () => void stop(0));
  else process.stdin.on('end', () => void stop(0)).resume();
  const endpoint = await server.bind(spec.control_host, spec.control_port);
  log(spec, `control server at ${endpoint}${spec.control.curve ? ' (CURVE)' : ''}`);
  const ready: ReadyMessage = { type: 'ready', endpoint, pid: process.pid };
  if (process.send) process.send(ready);
  else process.stdout.write(JSON.stringify(ready) + '\n');
}

export function log(spec: AppSpec, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${spec.name} ${message}\n`);
}
