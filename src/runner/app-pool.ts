import { nowMs } from '../apps/message';
import type { ControlAuth } from '../control/auth';
import { ControlClient } from '../control/client';
import type { CommandMap, PubCommands, SubCommands } from '../control/protocol';
import { PointError } from '../errors';
import type { AppHandle, Launcher } from '../launch';
import { watchWhile, type Watched } from '../supervise/watch';
import { estimateClockOffset, type ClockOffset } from './clock';
import type { PointPhase, RunnerEventSink } from './events';
import type { PointApps } from './point-apps';

/** How long an app's clock offset estimate is reused before it is measured again, ms. */
const CLOCK_REFRESH_MS = 60_000;

/** What the pool needs of the broker: whether the one hydra started is gone, and how to say so. */
export interface BrokerWatch {
  watched: Watched;
  /** The error for a broker lost before `phase`, or null while it lives (always null for a cluster hydra does not own). */
  lostBefore(phase: PointPhase): Error | null;
}

/**
 * The live apps of a session: the publishers, by pub_id, and the sub group the launcher keeps;
 * one signed control client each; every process watched while a phase waits on it; the apps
 * replaced since the last point; and, for apps on other hosts, their clock offsets.
 */
export class AppPool implements PointApps {
  private pubs: AppHandle[] = [];
  private readonly clients = new Map<string, ControlClient<CommandMap>>();
  /** Apps that died, were dropped or reset since the last point, replaced by fresh ones at the next. */
  private replaced: string[] = [];
  /** The last clock estimate of each app (by name; a replaced app has another pid). */
  private readonly clocks = new Map<string, ClockOffset & { at: number; pid: number | undefined }>();
  closed = false;

  constructor(
    readonly launcher: Launcher,
    private readonly auth: ControlAuth,
    private readonly timeoutMs: number,
    private readonly broker: BrokerWatch,
    private readonly emit: RunnerEventSink,
  ) {}

  /** The publishers now running, by pub_id. */
  publishers(): readonly AppHandle[] {
    return [...this.pubs];
  }

  /** The app's signed control client (one per app, shared by the runner and the benchmark). */
  client<M extends CommandMap>(app: AppHandle): ControlClient<M> {
    let c = this.clients.get(app.name);
    if (!c) {
      c = new ControlClient(app.endpoint, this.timeoutMs, this.auth, app.name);
      this.clients.set(app.name, c);
    }
    return c as ControlClient<M>;
  }

  pub(app: AppHandle): ControlClient<PubCommands> {
    return this.client<PubCommands>(app);
  }

  sub(app: AppHandle): ControlClient<SubCommands> {
    return this.client<SubCommands>(app);
  }

  private forget(name: string): void {
    this.clients.get(name)?.close();
    this.clients.delete(name);
  }

  /** Runs `work` until it ends, or fails as soon as one of `apps` or the broker ends. */
  guard<T>(phase: PointPhase, apps: readonly AppHandle[], work: Promise<T>): Promise<T> {
    return watchWhile([this.broker.watched, ...apps.map(watchedApp)], phase, work);
  }

  checkBroker(phase: PointPhase): void {
    const lost = this.broker.lostBefore(phase);
    if (lost) throw lost;
  }

  async drop(app: AppHandle): Promise<void> {
    this.replaced.push(app.name);
    this.forget(app.name);
    await this.launcher.remove(app, { force: true });
  }

  takeReplaced(): string[] {
    const taken = this.replaced;
    this.replaced = [];
    return taken;
  }

  async prepare(totalSubApps: number, totalPubApps: number): Promise<{ pubs: AppHandle[]; subs: AppHandle[] }> {
    if (this.closed) throw new PointError('session is closed');
    this.checkBroker('launch');
    for (const pub of this.pubs.filter((p) => !p.isAlive())) {
      this.replaced.push(pub.name);
      this.forget(pub.name);
      await this.launcher.remove(pub);
    }
    this.pubs = this.pubs.filter((p) => p.isAlive());
    // Publishers beyond the point's count are stopped: an idle one would still hold a core's share.
    for (const extra of this.pubs.splice(totalPubApps)) {
      this.forget(extra.name);
      await this.launcher.remove(extra);
    }
    if (this.pubs.length < totalPubApps) {
      this.emit({ type: 'phase', phase: 'launch', detail: totalPubApps === 1 ? 'publisher' : `publishers ${this.pubs.length} → ${totalPubApps}` });
      const taken = new Set(this.pubs.map((p) => p.name));
      const names: string[] = [];
      for (let n = 0; names.length < totalPubApps - this.pubs.length; n++) {
        const name = n === 0 ? 'pub' : `pub-${n}`;
        if (!taken.has(name)) names.push(name);
      }
      this.pubs.push(...(await this.guard('launch', [], Promise.all(names.map((name) => this.launcher.launch('pub', name))))));
    }
    const before = this.launcher.subApps().length;
    if (before !== totalSubApps) this.emit({ type: 'phase', phase: 'scale', detail: `sub apps ${before} → ${totalSubApps}` });
    const { apps, removed } = await this.guard('scale', this.pubs, this.launcher.scaleSubGroup(totalSubApps));
    for (const r of removed) this.forget(r.name);
    return { pubs: [...this.pubs], subs: apps };
  }

  /**
   * Each app's clock offset from the runner's, where the launcher puts apps on other hosts:
   * estimated over the control channel in parallel for the apps that have none younger than
   * CLOCK_REFRESH_MS (about 5 ms of the runner's work per app; clocks drift by microseconds a minute).
   */
  async clockOffsets(apps: readonly AppHandle[]): Promise<Map<string, ClockOffset>> {
    if (!this.launcher.placement.otherHosts) return new Map();
    const now = Date.now();
    const stale = apps.filter((app) => {
      const known = this.clocks.get(app.name);
      return !known || known.pid !== app.pid || now - known.at > CLOCK_REFRESH_MS;
    });
    await Promise.all(
      stale.map(async (app) => {
        const client = this.client<PubCommands | SubCommands>(app);
        this.clocks.set(app.name, { ...(await estimateClockOffset(() => client.call('clock'), nowMs)), at: Date.now(), pid: app.pid });
      }),
    );
    return new Map(apps.map((app) => [app.name, this.clocks.get(app.name) as ClockOffset]));
  }

  /** Kills every app (fresh apps for a retry); the next point says which ones it ran without. */
  async resetAll(): Promise<void> {
    for (const name of [...this.clients.keys()]) this.forget(name);
    const gone = [...this.pubs, ...this.launcher.subApps()].map((a) => a.name);
    this.replaced = [...new Set([...this.replaced, ...gone])];
    this.pubs = [];
    await this.launcher.removeAll();
  }

  /** Stops every app and closes every control client. */
  async close(): Promise<void> {
    this.closed = true;
    for (const name of [...this.clients.keys()]) this.forget(name);
    await this.launcher.removeAll();
  }
}

function watchedApp(app: AppHandle): Watched {
  return {
    ended: app.exited.then((code) => (typeof code === 'string' ? `was killed by ${code}` : `exited with code ${String(code)}`)),
    error: (how, phase) => new PointError(`${app.name} (pid ${app.pid ?? '?'}) ${how} during ${phase}; see ${app.logFile}`),
  };
}
