import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appAuthOf, type ControlAuth } from '../control/auth';
import type { AppKind, AppSpec, KafkaSecurity } from '../control/wire';
import { makeDirectory } from '../dirs';
import { AppLaunchError, errorMessage, StudyStopped } from '../errors';
import { isStopped } from '../supervise/process';
import { subAppsIn, type AppHandle, type Launcher, type Placement } from './launcher';

/** Every live child of this process, so the exit hook can kill them synchronously. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** What every process launcher needs: the broker the apps talk to, the run's credentials, where logs go. */
export interface ProcessLauncherOptions {
  brokers: string[];
  client_id: string;
  control_host: string;
  /** The run's control credentials, handed to each app in its launch spec. */
  auth: ControlAuth;
  /** TLS/SASL for the apps' Kafka clients, handed over the same channel (never argv or env). */
  kafkaSecurity?: KafkaSecurity | null;
  /** kafkajs passthrough options for the apps' clients ([client], [producer], [consumer] of hydra.ini). */
  kafkajs?: AppSpec['kafkajs'];
  /** librdkafka passthrough properties, likewise (client_library=librdkafka). */
  librdkafka?: AppSpec['librdkafka'];
  /** Directory for this run's app logs (created). */
  logDir: string;
  /** How long an app may take to bind its control server, ms. */
  readyTimeoutMs?: number;
}

/** Apps started at once when the sub group grows: forking hundreds at once starves the machine. */
const LAUNCH_CONCURRENCY = 16;

/** A started app process, before it reported its control address. */
export interface StartedApp {
  child: ChildProcess;
  /** Resolves with the endpoint the app reports once its REP server is bound; rejects if it reports something else. */
  ready: Promise<string>;
}

/**
 * What launchers of app processes share: the sub group, the logs, the stop sequence and the
 * guarantee that no app outlives the runner. A subclass says how an app is started, how its spec
 * reaches it and how it reports its control address.
 */
export abstract class ProcessLauncher implements Launcher {
  readonly logDir: string;
  abstract readonly placement: Placement;
  private readonly apps = new Map<string, { handle: AppHandle; child: ChildProcess }>();
  private nextSub = 0;

  constructor(protected readonly options: ProcessLauncherOptions) {
    this.logDir = options.logDir;
    makeLogDirectory(this.logDir);
  }

  /** Starts app `name` with `spec` (its log file open as `logFd`, closed by the caller once this returns). */
  protected abstract start(spec: AppSpec, logFd: number): StartedApp;

  /** The address app `name` binds its control server to. */
  protected abstract controlHostFor(kind: AppKind, name: string): string;

  /** Asks a running app to stop gracefully (it shuts its Kafka clients down). */
  protected abstract requestStop(child: ChildProcess): void;

  async launch(kind: AppKind, name: string): Promise<AppHandle> {
    if (this.apps.has(name)) throw new AppLaunchError(`app '${name}' is already running`);
    const o = this.options;
    const spec: AppSpec = {
      kind,
      name,
      brokers: o.brokers,
      client_id: o.client_id,
      control_host: this.controlHostFor(kind, name),
      control: appAuthOf(o.auth),
      ...(o.kafkaSecurity ? { kafka_security: o.kafkaSecurity } : {}),
      ...(o.kafkajs ? { kafkajs: o.kafkajs } : {}),
      ...(o.librdkafka ? { librdkafka: o.librdkafka } : {}),
    };
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = openLog(logFile, name);
    let started: StartedApp;
    try {
      started = this.start(spec, fd);
    } finally {
      fs.closeSync(fd);
    }
    const { child } = started;
    liveChildren.add(child);
    const exited = new Promise<number | string | null>((resolve) => {
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        resolve(code ?? signal);
      });
    });
    const timeoutMs = o.readyTimeoutMs ?? 20000;
    let endpoint: string;
    try {
      endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new AppLaunchError(`${name} did not report its control address within ${timeoutMs} ms (log: ${logFile})`)),
          timeoutMs,
        );
        started.ready.then(
          (ep) => {
            clearTimeout(timer);
            resolve(ep);
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof AppLaunchError ? err : new AppLaunchError(`${name}: ${errorMessage(err)} (log: ${logFile})`));
          },
        );
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(new AppLaunchError(`cannot start ${name}: ${err.message}`));
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new AppLaunchError(`${name} exited (${String(code)}) before it was ready; see ${logFile}`));
        });
      });
    } catch (err) {
      await this.stopChild(child, exited, true);
      throw err;
    }
    const handle: AppHandle = {
      name,
      kind,
      pid: child.pid,
      endpoint,
      logFile,
      exited,
      isAlive: () => child.exitCode === null && child.signalCode === null,
    };
    this.apps.set(name, { handle, child });
    void exited.then(() => this.apps.delete(name));
    return handle;
  }

  subApps(): AppHandle[] {
    return subAppsIn([...this.apps.values()].map((a) => a.handle));
  }

  async scaleSubGroup(count: number): Promise<{ apps: AppHandle[]; added: AppHandle[]; removed: AppHandle[] }> {
    const current = this.subApps();
    const removed = current.slice(count);
    const names = Array.from({ length: Math.max(0, count - current.length) }, () => `sub-${this.nextSub++}`);
    const [added] = await Promise.all([
      inBatches(names, LAUNCH_CONCURRENCY, (name) => this.launch('sub', name)),
      Promise.all(removed.map((h) => this.remove(h))),
    ]);
    return { apps: this.subApps(), added, removed };
  }

  async remove(app: AppHandle, opts: { force?: boolean } = {}): Promise<void> {
    const entry = this.apps.get(app.name);
    if (!entry) return;
    this.apps.delete(app.name);
    await this.stopChild(entry.child, entry.handle.exited, opts.force ?? false);
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => this.remove(a.handle)));
  }

  /**
   * A graceful stop, SIGKILL after a grace period. A frozen app (SIGSTOP) or one removed with
   * `force` is killed outright: it could not act on the request.
   */
  private async stopChild(child: ChildProcess, exited: Promise<unknown>, force: boolean, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (force || (child.pid !== undefined && isStopped(child.pid))) {
      child.kill('SIGKILL');
      await exited;
      return;
    }
    this.requestStop(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Creates the run's log directory. It not being writable stops the run, not one point: no app
 * could be launched with a log, so every later point would fail the same way.
 */
export function makeLogDirectory(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (err) {
    throw new StudyStopped(`cannot create the app log directory ${dir}: ${errorCode(err)} (set --log_dir or [launcher] log_dir to a writable directory)`, {
      cause: err,
    });
  }
}

/**
 * Opens an app's log for appending and writes its first line, so a full disk is reported here, not
 * as a silent app. A full log disk stops the run with one line: every later app would fail alike.
 */
function openLog(logFile: string, name: string): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `${new Date().toISOString()} ${name} launching\n`);
    return fd;
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    throw new StudyStopped(`cannot write app log ${logFile}: ${errorCode(err)} (free space there or set --log_dir)`, { cause: err });
  }
}

/** "ENOSPC" for a system error, else its message. */
function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? errorMessage(err);
}

/** Runs `start` over `items`, at most `limit` at a time; results in input order. */
async function inBatches<T, R>(items: readonly T[], limit: number, start: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(start))));
  return results;
}
