import { ControlServer } from '../control/server';
import type { CommandMap, CommonCommands } from '../control/protocol';
import type { AppSpec, ReadyMessage } from '../control/wire';
import { HydraError } from '../errors';

/** What an app hands the bootstrap: its commands and how to shut down cleanly. */
export interface AppInstance<M extends CommandMap & CommonCommands> {
  register(server: ControlServer<M>): void;
  shutdown(): Promise<void>;
}

/** The launch spec from the environment; an app started by hand says how it is meant to be started. */
export function readAppSpec(): AppSpec {
  const raw = process.env.HYDRA_APP_SPEC;
  if (!raw) throw new HydraError('HYDRA_APP_SPEC is not set: apps are started by the hydra launcher');
  try {
    return JSON.parse(raw) as AppSpec;
  } catch {
    throw new HydraError('HYDRA_APP_SPEC is not JSON: apps are started by the hydra launcher');
  }
}

/**
 * Common life of an app process: bind the REP server, tell the launcher the endpoint, and exit
 * when told to stop, on SIGTERM/SIGINT, or when the launcher goes away (IPC disconnect), so an
 * app never outlives its runner, even one that was SIGKILLed.
 */
export async function runApp<M extends CommandMap & CommonCommands>(spec: AppSpec, app: AppInstance<M>): Promise<void> {
  const server = new ControlServer<M>();
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
  common.on('stop', () => {
    // Reply first, then exit.
    setTimeout(() => void stop(0), 10);
    return { stopping: true };
  });
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('disconnect', () => void stop(0));
  const endpoint = await server.bind(spec.control_host);
  log(spec, `control server at ${endpoint}`);
  const ready: ReadyMessage = { type: 'ready', endpoint, pid: process.pid };
  if (process.send) process.send(ready);
  else process.stdout.write(JSON.stringify(ready) + '\n');
}

export function log(spec: AppSpec, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${spec.name} ${message}\n`);
}
