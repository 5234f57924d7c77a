import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { acquireBroker, type BrokerHandle } from '../broker';
import { ensureTopic } from '../broker/topics';
import type { HydraOptions, PointParams } from '../config/options';
import { ControlClient } from '../control/client';
import type { CommandMap, PubCommands, SubCommands } from '../control/protocol';
import type { PubStatus } from '../control/wire';
import { PointError } from '../errors';
import { createLauncher, type AppHandle, type Launcher } from '../launch';
import { computeResult, type SubAppReport } from '../stats/result';
import { pubConfigFor, subConfigFor } from './app-config';
import type { RunnerEventSink } from './events';
import type { PointRun, PointRunner } from './point-runner';

export type { PointRun } from './point-runner';

const POLL_MS = 200;

/**
 * A live test setup: one broker, one publisher app and a sub app group that are reused from point
 * to point (HYDRA's start_appserver / scale_sub_app / run_test). Close it to stop everything.
 */
export class TestSession implements PointRunner {
  readonly runId: string;
  private pub: AppHandle | null = null;
  /** One control client per app, by app name; typed by the app's kind. */
  private readonly clients = new Map<string, ControlClient<CommandMap>>();
  private pointCounter = 0;
  private closed = false;

  private constructor(
    readonly options: HydraOptions,
    readonly broker: BrokerHandle,
    readonly launcher: Launcher,
    private readonly ownsBroker: boolean,
    runId: string,
    private readonly emit: RunnerEventSink,
  ) {
    this.runId = runId;
  }

  /** Starts (or reuses) a broker and the launcher `[launcher] kind` names, its logs under `log_dir/<runId>`. */
  static async open(options: HydraOptions, opts: { broker?: BrokerHandle; onEvent?: RunnerEventSink; runId?: string } = {}): Promise<TestSession> {
    const emit = opts.onEvent ?? (() => undefined);
    const runId = opts.runId ?? newRunId();
    const broker = opts.broker ?? (await acquireBroker(options));
    emit({ type: 'broker', brokers: broker.brokers, embedded: broker.embedded });
    try {
      const launcher = createLauncher(options.launcher, {
        brokers: broker.brokers,
        client_id: options.client_id,
        control_host: options.control_host,
        logDir: path.join(options.log_dir, runId),
      });
      return new TestSession(options, broker, launcher, !opts.broker, runId, emit);
    } catch (err) {
      if (!opts.broker) await broker.stop();
      throw err;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get logDir(): string {
    return this.launcher.logDir;
  }

  // Clients are stored untyped; the app's kind decides which command map its client speaks.
  private clientOf(app: AppHandle): ControlClient<CommandMap> {
    let c = this.clients.get(app.name);
    if (!c) {
      c = new ControlClient(app.endpoint, this.options.control_timeout_ms);
      this.clients.set(app.name, c);
    }
    return c;
  }

  private pubClient(app: AppHandle): ControlClient<PubCommands> {
    return this.clientOf(app) as unknown as ControlClient<PubCommands>;
  }

  private subClient(app: AppHandle): ControlClient<SubCommands> {
    return this.clientOf(app) as unknown as ControlClient<SubCommands>;
  }

  private async dropApp(app: AppHandle): Promise<void> {
    this.clients.get(app.name)?.close();
    this.clients.delete(app.name);
    await this.launcher.remove(app);
  }

  /** Launches the publisher if needed and sizes the sub group; reuses every app still alive. */
  async prepareApps(totalSubApps: number): Promise<{ pub: AppHandle; subs: AppHandle[] }> {
    if (this.closed) throw new PointError('session is closed');
    if (this.pub && !this.pub.isAlive()) {
      await this.dropApp(this.pub);
      this.pub = null;
    }
    for (const sub of this.launcher.subApps()) if (!sub.isAlive()) await this.dropApp(sub);
    if (!this.pub) {
      this.emit({ type: 'phase', phase: 'launch', detail: 'publisher' });
      this.pub = await this.launcher.launch('pub', 'pub');
    }
    const before = this.launcher.subApps().length;
    if (before !== totalSubApps) this.emit({ type: 'phase', phase: 'scale', detail: `sub apps ${before} → ${totalSubApps}` });
    const { apps, removed } = await this.launcher.scaleSubGroup(totalSubApps);
    for (const r of removed) {
      this.clients.get(r.name)?.close();
      this.clients.delete(r.name);
    }
    return { pub: this.pub, subs: apps };
  }

  /** Runs one point end to end and computes HYDRA's figures. Throws PointError when it cannot be measured. */
  async runPoint(params: PointParams): Promise<PointRun> {
    const o = this.options;
    const { pub, subs } = await this.prepareApps(params.total_sub_apps);
    const pubCtl = this.pubClient(pub);
    const topic = `hydra-${this.runId}-p${this.pointCounter++}`;

    if (!this.broker.embedded) {
      this.emit({ type: 'phase', phase: 'topic', detail: topic });
      await ensureTopic(this.broker.brokers, o.client_id, topic, o.topic_partitions, o.topic_replication);
    }

    this.emit({ type: 'phase', phase: 'configure', detail: `${topic}: ${subs.length} sub apps × ${params.clients_per_app} clients` });
    const joinMs = o.join_timeout * 1000;
    await pubCtl.call('updateconfig', pubConfigFor(params, topic));
    const subConfig = subConfigFor(params, o, topic);
    await Promise.all(subs.map((s) => this.subClient(s).call('updateconfig', subConfig, joinMs)));

    this.emit({ type: 'phase', phase: 'join', detail: `waiting for ${subs.length * params.clients_per_app} consumers to join and fetch` });
    await this.waitUntil(joinMs, 'consumers joined', async () => {
      const statuses = await Promise.all(subs.map((s) => this.subClient(s).call('teststatus')));
      const notReady = statuses.map((st, i) => ({ st, app: subs[i] as AppHandle })).filter(({ st }) => st.positioned < params.clients_per_app);
      return notReady.length === 0
        ? true
        : `not positioned: ${notReady.map(({ app, st }) => `${app.name} ${st.positioned}/${params.clients_per_app}${st.errors.length ? ` (${st.errors[0]})` : ''}`).join(', ')}`;
    });

    await Promise.all([pubCtl.call('resetstats'), ...subs.map((s) => this.subClient(s).call('resetstats'))]);

    this.emit({ type: 'phase', phase: 'publish', detail: `${params.msg_rate} msg/s for ${params.test_duration} s` });
    await pubCtl.call('teststart');
    let pubStatus: PubStatus | undefined;
    await this.waitUntil(params.test_duration * 1000 + 30000, 'publisher finished', async () => {
      if (!pub.isAlive()) throw new PointError(`publisher app died during the test; see ${pub.logFile}`);
      pubStatus = await pubCtl.call('teststatus');
      return pubStatus.state === 'done' || pubStatus.state === 'failed' ? true : `publisher ${pubStatus.state}, ${pubStatus.msg_cnt} sent`;
    });
    if (pubStatus?.state === 'failed') throw new PointError(`publisher failed: ${pubStatus.error ?? 'unknown error'} (log: ${pub.logFile})`);
    const pubStats = await pubCtl.call('getstats');
    if (pubStats.msg_cnt === 0) throw new PointError(`publisher sent nothing (${pubStats.last_error ?? 'no error reported'}; log: ${pub.logFile})`);

    this.emit({ type: 'phase', phase: 'drain', detail: `up to ${o.drain_timeout} s` });
    await this.drain(subs, pubStats.msg_cnt, o.drain_timeout * 1000);

    this.emit({ type: 'phase', phase: 'collect', detail: `${subs.length} sub apps` });
    const reports = await Promise.all(
      subs.map(async (s): Promise<SubAppReport> => {
        try {
          const stats = await this.subClient(s).call('getstats');
          return { app: s.name, clients: stats.clients };
        } catch {
          return { app: s.name, clients: null };
        }
      }),
    );
    // An app that did not answer is dropped, so the next point relaunches it (HYDRA remove_unresponsive_tasks).
    for (const r of reports) {
      const app = subs.find((s) => s.name === r.app);
      if (r.clients === null && app) await this.dropApp(app);
    }
    return {
      result: computeResult(pubStats, reports, params.clients_per_app, params.msg_rate),
      topic,
      subPids: subs.map((s) => s.pid ?? -1),
    };
  }

  /** Waits until every client has every message or the grace period ends; silent apps are skipped. */
  private async drain(subs: AppHandle[], packetTx: number, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const statuses = await Promise.all(
        subs.map((s) =>
          this.subClient(s)
            .call('teststatus')
            .catch(() => null),
        ),
      );
      const complete = statuses.every((st) => st === null || st.unique.every((u) => u >= packetTx));
      if (complete || Date.now() >= deadline) return;
      await sleep(POLL_MS);
    }
  }

  private async waitUntil(timeoutMs: number, what: string, check: () => Promise<true | string>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const state = await check();
      if (state === true) return;
      last = state;
      if (Date.now() >= deadline) throw new PointError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${last}`);
      await sleep(POLL_MS);
    }
  }

  /** Kills every app (fresh apps for a retry); the broker stays. */
  async resetApps(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.pub = null;
    await this.launcher.removeAll();
  }

  /** Stops all apps and, when this session started it, the broker. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    try {
      await this.launcher.removeAll();
    } finally {
      if (this.ownsBroker) await this.broker.stop();
    }
  }
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
