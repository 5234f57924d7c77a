import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appAuthOf, type ControlAuth } from '../control/auth';
import type { AppKind, AppSpec, KafkaSecurity, LaunchMessage, ReadyMessage } from '../control/wire';
import { AppLaunchError, errorMessage } from '../errors';
import type { AppHandle, Launcher } from './launcher';
import { isStopped, parentDeathWrapper } from '../supervise/process';

/** Every live child of this process, so the exit hook can kill them synchronously. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface LocalLauncherOptions {
  brokers: string[];
  client_id: string;
  control_host: string;
  /** The run's control credentials, handed to each app over its IPC channel. */
  auth: ControlAuth;
  /** TLS/SASL for the apps' Kafka clients, handed over the same channel (never argv or env). */
  kafkaSecurity?: KafkaSecurity | null;
  /** kafkajs passthrough options for the apps' clients ([client], [producer], [consumer] of hydra.ini). */
  kafkajs?: AppSpec['kafkajs'];
  /** Directory for this run's app logs (created). */
  logDir: string;
  /** How long an app may take to bind its control server, ms. */
  readyTimeoutMs?: number;
}

const APP_ENTRY: Record<AppKind, string> = {
  pub: path.join(__dirname, '..', 'apps', 'pub.js'),
  sub: path.join(__dirname, '..', 'apps', 'sub.js'),
};

/** Apps started at once when the sub group grows: forking hundreds at once starves the machine. */
const LAUNCH_CONCURRENCY = 16;

/**
 * Runs apps as child processes of this one, with an IPC channel: the launcher hands the app its
 * spec (with the run's control secret) over it, the app reports its control endpoint over it, and
 * exits by itself when the channel closes. Where util-linux's setpriv exists the kernel also
 * kills the app when its runner dies (parent-death signal), which reaches an app even when it is
 * frozen (SIGSTOP) and cannot notice the channel closing.
 */
export class LocalLauncher implements Launcher {
  readonly logDir: string;
  private readonly apps = new Map<string, { handle: AppHandle; child: ChildProcess }>();
  private nextSub = 0;

  constructor(private readonly options: LocalLauncherOptions) {
    this.logDir = options.logDir;
    fs.mkdirSync(this.logDir, { recursive: true });
  }

  async launch(kind: AppKind, name: string): Promise<AppHandle> {
    if (this.apps.has(name)) throw new AppLaunchError(`app '${name}' is already running`);
    const o = this.options;
    const spec: AppSpec = {
      kind,
      name,
      brokers: o.brokers,
      client_id: o.client_id,
      control_host: o.control_host,
      control: appAuthOf(o.auth),
      ...(o.kafkaSecurity ? { kafka_security: o.kafkaSecurity } : {}),
      ...(o.kafkajs ? { kafkajs: o.kafkajs } : {}),
    };
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = openLog(logFile, name);
    let child: ChildProcess;
    try {
      const wrapper = parentDeathWrapper();
      child = fork(APP_ENTRY[kind], [], {
        stdio: ['ignore', fd, fd, 'ipc'],
        env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        ...(wrapper ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath] } : {}),
      });
    } finally {
      fs.closeSync(fd);
    }
    liveChildren.add(child);
    const exited = new Promise<number | string | null>((resolve) => {
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        resolve(code ?? signal);
      });
    });
    const launchMessage: LaunchMessage = { type: 'spec', spec };
    child.send(launchMessage);
    const timeoutMs = o.readyTimeoutMs ?? 20000;
    let endpoint: string;
    try {
      endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new AppLaunchError(`${name} did not report its control address within ${timeoutMs} ms (log: ${logFile})`)),
          timeoutMs,
        );
        child.once('message', (msg: ReadyMessage) => {
          clearTimeout(timer);
          if (msg?.type === 'ready' && typeof msg.endpoint === 'string') resolve(msg.endpoint);
          else reject(new AppLaunchError(`${name} sent an unexpected first message: ${JSON.stringify(msg)}`));
        });
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
      await killChild(child, exited, true);
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
    return [...this.apps.values()]
      .map((a) => a.handle)
      .filter((h) => h.kind === 'sub')
      .sort((a, b) => Number(a.name.slice(4)) - Number(b.name.slice(4)));
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
    await killChild(entry.child, entry.handle.exited, opts.force ?? false);
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => this.remove(a.handle)));
  }
}

/** Opens an app's log for appending and writes its first line, so a full disk is reported here, not as a silent app. */
function openLog(logFile: string, name: string): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(logFile, 'a');
    fs.writeSync(fd, `${new Date().toISOString()} ${name} launching\n`);
    return fd;
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    throw new AppLaunchError(`cannot write app log ${logFile}: ${errorMessage(err)} (free space there or set --log_dir)`, { retriable: false });
  }
}

/** Runs `start` over `items`, at most `limit` at a time; results in input order. */
async function inBatches<T, R>(items: readonly T[], limit: number, start: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(start))));
  return results;
}

/**
 * SIGTERM (the app shuts its Kafka clients down), SIGKILL after a grace period. A frozen app
 * (SIGSTOP) or one removed with `force` is killed outright: SIGTERM would stay pending on it.
 */
async function killChild(child: ChildProcess, exited: Promise<unknown>, force: boolean, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (force || (child.pid !== undefined && isStopped(child.pid))) {
    child.kill('SIGKILL');
    await exited;
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
