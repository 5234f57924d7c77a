import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppKind, AppSpec, ReadyMessage } from '../control/wire';
import { AppLaunchError } from '../errors';
import type { AppHandle, Launcher } from './launcher';

/** Every live child of this process, so the exit hook can kill them synchronously. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface LocalLauncherOptions {
  brokers: string[];
  client_id: string;
  control_host: string;
  /** Directory for this run's app logs (created). */
  logDir: string;
  /** How long an app may take to bind its control server, ms. */
  readyTimeoutMs?: number;
}

const APP_ENTRY: Record<AppKind, string> = {
  pub: path.join(__dirname, '..', 'apps', 'pub.js'),
  sub: path.join(__dirname, '..', 'apps', 'sub.js'),
};

/**
 * Runs apps as child processes of this one, with an IPC channel: the app reports its control
 * endpoint over it, and exits by itself when the channel closes, so no app outlives its runner,
 * whether the runner exits, throws, is interrupted or is killed.
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
    const spec: AppSpec = { kind, name, brokers: this.options.brokers, client_id: this.options.client_id, control_host: this.options.control_host };
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = fork(APP_ENTRY[kind], [], {
        stdio: ['ignore', fd, fd, 'ipc'],
        env: { ...process.env, HYDRA_APP_SPEC: JSON.stringify(spec), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
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
    const timeoutMs = this.options.readyTimeoutMs ?? 20000;
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
      await killChild(child, exited);
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
    return [...this.apps.values()].map((a) => a.handle).filter((h) => h.kind === 'sub');
  }

  async scaleSubGroup(count: number): Promise<{ apps: AppHandle[]; added: AppHandle[]; removed: AppHandle[] }> {
    const current = this.subApps();
    const removed = current.slice(count);
    const toAdd = Math.max(0, count - current.length);
    const [added] = await Promise.all([
      Promise.all(Array.from({ length: toAdd }, () => this.launch('sub', `sub-${this.nextSub++}`))),
      Promise.all(removed.map((h) => this.remove(h))),
    ]);
    return { apps: this.subApps(), added, removed };
  }

  async remove(app: AppHandle): Promise<void> {
    const entry = this.apps.get(app.name);
    if (!entry) return;
    this.apps.delete(app.name);
    await killChild(entry.child, entry.handle.exited);
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((a) => this.remove(a.handle)));
  }
}

/** SIGTERM (the app shuts its Kafka clients down), SIGKILL after a grace period. */
async function killChild(child: ChildProcess, exited: Promise<unknown>, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
