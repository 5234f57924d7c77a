import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { acquireBroker, type BrokerHandle } from '../broker';
import { runPrefix } from '../broker/leftovers';
import { ClusterAdmin, topicConfigEntries, type ClusterInfo } from '../broker/topics';
import { loadKafkaSecurity, type KafkaSecurity } from '../kafkajs/security';
import type { HydraOptions, PointParams } from '../config/options';
import { isLoopback, newControlAuth, type ControlAuth } from '../control/auth';
import { ControlClient } from '../control/client';
import type { CommandMap, PubCommands, SubCommands } from '../control/protocol';
import type { PubStatus, SubConfig, SubStatus } from '../control/wire';
import { BrokerLostError, ConfigError, ControlTimeoutError, PointError } from '../errors';
import { createLauncher, type AppHandle, type Launcher } from '../launch';
import { parseHosts } from '../launch/command';
import { kubernetesSettings } from '../launch/kubernetes-settings';
import { computeResult, type SubAppReport } from '../stats/result';
import { watchWhile, type Watched } from '../supervise/watch';
import { pointMarks, pubConfigFor, publisherPartitions, subConfigFor } from './app-config';
import { SharedGroupNamer, sharedGroupSettled } from './shared-group';
import { estimateClockOffset, latencyCorrections, type ClockOffset } from './clock';
import { nowMs } from '../apps/message';
import { requestMaxMessages } from '../apps/pacing';
import { checkPointOnMockCluster, checkPublisherShare, EMBEDDED_TOPIC_PARTITIONS } from '../config/rules';
import type { PointPhase, RunnerEventSink } from './events';
import type { AppFate, PointRun, PointRunner } from './point-runner';

export type { PointRun } from './point-runner';

const POLL_MS = 200;
/** Poll while kept consumers make their next fetch (one fetch wait, 100 ms by default). */
const REFETCH_POLL_MS = 25;
/** How far ahead several publishers are given their common start time, ms. */
const START_LEAD_MS = 100;
/** How long an app's clock offset estimate is reused before it is measured again, ms. */
const CLOCK_REFRESH_MS = 60_000;

/**
 * A live test setup: one broker, the publisher apps and a sub app group that are reused from point
 * to point (HYDRA's start_appserver / scale_sub_app / run_test). The points share one topic and
 * the consumers stay joined (each point's messages carry its epoch), so a point waits only for
 * the consumers it adds. Every process it owns is watched:
 * each wait ends as soon as one it depends on exits, a point whose apps did not all survive comes
 * back with its faults (never as Kafka loss), and the loss of a broker it started stops the run.
 * Close it to stop everything.
 */
export class TestSession implements PointRunner {
  readonly runId: string;
  /** The run's control credentials: apps serve only commands signed with them. */
  readonly auth: ControlAuth;
  /** Publisher apps, by index (pub_id). */
  private pubs: AppHandle[] = [];
  /** Topics this session created on a real cluster, with their partition count. */
  private readonly ensuredTopics = new Map<string, number>();
  /** One control client per app, by app name. */
  private readonly clients = new Map<string, ControlClient<CommandMap>>();
  private pointCounter = 0;
  /** The configured cluster turned out to be librdkafka's mock (one `hydra broker` started): treated as the embedded broker. */
  private mockAtBrokers = false;
  /**
   * The cluster speaks like librdkafka's mock (no topic creation, 4 partitions, no idempotence),
   * whoever owns it. A broker handle a caller passes in as not embedded keeps its word on whose
   * limits the broker's are (tests pass the mock so, as a stand-in for a real cluster), but not on these.
   */
  private mockProtocol = false;
  private readonly sharedGroups = new SharedGroupNamer();
  /** The last clock estimate of each app (by name; a replaced app has another pid). */
  private readonly clocks = new Map<string, ClockOffset & { at: number; pid: number | undefined }>();
  private closed = false;
  /** Apps that died or were dropped since the last point, replaced by fresh ones at the next. */
  private pendingReplacements: string[] = [];
  private brokerLost: string | null = null;
  private readonly admin: ClusterAdmin;
  /**
   * Something of this run may be on the cluster: a topic was created, or apps were configured (a
   * producer may auto-create the topic, consumers join groups). Until then there is nothing to
   * clean up, and no reason to tell the user to (a refused login creates nothing).
   */
  private touchedCluster = false;

  private constructor(
    readonly options: HydraOptions,
    readonly broker: BrokerHandle,
    readonly launcher: Launcher,
    private readonly ownsBroker: boolean,
    runId: string,
    auth: ControlAuth,
    private readonly emit: RunnerEventSink,
    security: KafkaSecurity | null,
  ) {
    this.runId = runId;
    this.auth = auth;
    this.admin = new ClusterAdmin(broker.brokers, options.client_id, security, { client: options.kafkajs.client, admin: options.kafkajs.admin });
    void broker.lost.then((how) => {
      if (!this.closed) this.brokerLost = how;
    });
  }

  /** Starts (or reuses) a broker and the launcher `[launcher] kind` names, its logs under `log_dir/<runId>`. */
  static async open(options: HydraOptions, opts: { broker?: BrokerHandle; onEvent?: RunnerEventSink; runId?: string } = {}): Promise<TestSession> {
    const emit = opts.onEvent ?? (() => undefined);
    const runId = opts.runId ?? newRunId();
    // Beyond loopback anyone on the network could reach an app's port: encrypt and authenticate with CURVE there.
    const hosts = options.launcher === 'command' ? parseHosts(options.launcher_hosts) : [];
    // Pods are reached on their pod IPs: always beyond loopback.
    const controlAddresses =
      options.launcher === 'command' ? hosts.map((h) => h.address) : options.launcher === 'kubernetes' ? ['pod IPs'] : [options.control_host];
    const curve = controlAddresses.some((a) => !isLoopback(a));
    const auth = newControlAuth(runId, curve);
    if (curve) emit({ type: 'control', host: controlAddresses.join(','), curve });
    // Secrets are read before anything starts, so a missing one costs one line and nothing else.
    const security = loadKafkaSecurity(options);
    if (security && (opts.broker ? opts.broker.embedded : options.brokers.length === 0))
      throw new ConfigError(
        '[security] protocol',
        options.security_protocol,
        'the embedded broker speaks plaintext only; set [broker] brokers to a secured cluster',
      );
    const broker = opts.broker ?? (await acquireBroker(options));
    emit({ type: 'broker', brokers: broker.brokers, embedded: broker.embedded });
    try {
      const launcher = createLauncher(options.launcher, {
        brokers: broker.brokers,
        client_id: options.client_id,
        control_host: options.control_host,
        auth,
        kafkaSecurity: security,
        kafkajs: { client: options.kafkajs.client, producer: options.kafkajs.producer, consumer: options.kafkajs.consumer },
        logDir: path.join(options.log_dir, runId),
        hosts,
        command: options.launcher_command,
        runId,
        ...(options.launcher === 'kubernetes' ? { kubernetes: kubernetesSettings(options) } : {}),
      });
      const session = new TestSession(options, broker, launcher, !opts.broker, runId, auth, emit, security);
      // A cluster named in the options may be a mock one started with `hydra broker`. (A broker handle
      // given by the caller says itself what it is: tests use the mock as a stand-in real cluster.)
      if (!broker.embedded) await session.detectMockCluster(!opts.broker);
      return session;
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

  /** The publisher apps now running, by pub_id. */
  publisherApps(): readonly AppHandle[] {
    return [...this.pubs];
  }

  /** A signed control client for any app of this run (the runner's own, shared with the benchmark). */
  controlClient<M extends CommandMap>(app: AppHandle): ControlClient<M> {
    let c = this.clients.get(app.name);
    if (!c) {
      c = new ControlClient(app.endpoint, this.options.control_timeout_ms, this.auth, app.name);
      this.clients.set(app.name, c);
    }
    return c as ControlClient<M>;
  }

  private pubClient(app: AppHandle): ControlClient<PubCommands> {
    return this.controlClient<PubCommands>(app);
  }

  private subClient(app: AppHandle): ControlClient<SubCommands> {
    return this.controlClient<SubCommands>(app);
  }

  private async dropApp(app: AppHandle, force = false): Promise<void> {
    this.clients.get(app.name)?.close();
    this.clients.delete(app.name);
    await this.launcher.remove(app, { force });
  }

  private watchedApp(app: AppHandle): Watched {
    return {
      ended: app.exited.then((code) => (typeof code === 'string' ? `was killed by ${code}` : `exited with code ${String(code)}`)),
      error: (how, phase) => new PointError(`${app.name} (pid ${app.pid ?? '?'}) ${how} during ${phase}; see ${app.logFile}`),
    };
  }

  private brokerWatch(): Watched {
    return {
      ended: this.broker.lost,
      error: (how, phase) => this.brokerLostError(how, phase),
    };
  }

  private brokerLostError(how: string, phase: string): BrokerLostError {
    return new BrokerLostError(
      `the embedded broker (kcat, pid ${this.broker.pid ?? '?'}) ${how} during ${phase}: the point is not stored, and no later point can be measured`,
    );
  }

  /** Runs `work` until it ends, or fails as soon as one of `apps` or the broker ends. */
  private guard<T>(phase: PointPhase, apps: readonly AppHandle[], work: Promise<T>): Promise<T> {
    return watchWhile([this.brokerWatch(), ...apps.map((a) => this.watchedApp(a))], phase, work);
  }

  private checkBroker(phase: PointPhase): void {
    if (this.brokerLost !== null) throw this.brokerLostError(this.brokerLost, phase);
  }

  /** Launches the publishers needed and sizes the sub group; reuses every app still alive. */
  async prepareApps(totalSubApps: number, totalPubApps = 1): Promise<{ pubs: AppHandle[]; subs: AppHandle[] }> {
    if (this.closed) throw new PointError('session is closed');
    this.checkBroker('launch');
    for (const pub of this.pubs) {
      if (pub.isAlive()) continue;
      this.pendingReplacements.push(pub.name);
      await this.dropApp(pub);
    }
    this.pubs = this.pubs.filter((p) => p.isAlive());
    // Publishers beyond the point's count are stopped: an idle one would still hold a core's share.
    for (const extra of this.pubs.splice(totalPubApps)) await this.dropApp(extra);
    if (this.pubs.length < totalPubApps) {
      this.emit({ type: 'phase', phase: 'launch', detail: totalPubApps === 1 ? 'publisher' : `publishers ${this.pubs.length} → ${totalPubApps}` });
      const taken = new Set(this.pubs.map((p) => p.name));
      const names: string[] = [];
      for (let n = 0; names.length < totalPubApps - this.pubs.length; n++) {
        const name = n === 0 ? 'pub' : `pub-${n}`;
        if (!taken.has(name)) names.push(name);
      }
      const launched = await this.guard('launch', [], Promise.all(names.map((name) => this.launcher.launch('pub', name))));
      this.pubs.push(...launched);
    }
    const before = this.launcher.subApps().length;
    if (before !== totalSubApps) this.emit({ type: 'phase', phase: 'scale', detail: `sub apps ${before} → ${totalSubApps}` });
    const { apps, removed } = await this.guard('scale', this.pubs, this.launcher.scaleSubGroup(totalSubApps));
    for (const r of removed) {
      this.clients.get(r.name)?.close();
      this.clients.delete(r.name);
    }
    return { pubs: [...this.pubs], subs: apps };
  }

  /** The point's topic: one per session (consumers stay joined), or one per point with fresh_topic_per_point. */
  private topicFor(pointIndex: number): string {
    return this.options.fresh_topic_per_point ? `${runPrefix(this.runId)}-p${pointIndex}` : runPrefix(this.runId);
  }

  /**
   * Runs one point end to end and computes HYDRA's figures. Throws PointError when it cannot be
   * measured (the publisher died, a wait timed out), BrokerLostError when the broker hydra started
   * died; returns `faults` when it ran to the end but a sub app died or froze during it or the
   * publisher saw send errors — then its figures are not a measurement of Kafka.
   */
  async runPoint(params: PointParams): Promise<PointRun> {
    const o = this.options;
    const pubCount = params.total_pub_apps;
    checkPublisherShare(params, (key) => key);
    const { pubs, subs } = await this.prepareApps(params.total_sub_apps, pubCount);
    const replaced = this.pendingReplacements;
    this.pendingReplacements = [];
    const everyone = [...pubs, ...subs];
    const pubCtls = pubs.map((p) => this.pubClient(p));
    const pointIndex = this.pointCounter++;
    const topic = this.topicFor(pointIndex);
    const marks = pointMarks(pointIndex);

    const wanted = params.partitions;
    if (this.mockTopics) checkPointOnMockCluster(params, (key) => key);
    if (!this.mockTopics) {
      const needed = Math.max(o.topic_partitions, wanted);
      const has = this.ensuredTopics.get(topic);
      if (has === undefined || has < needed) {
        this.emit({ type: 'phase', phase: 'topic', detail: `${topic} (${needed} partitions)` });
        await this.admin.ensureTopic(topic, needed, o.topic_replication, topicConfigEntries(o));
        this.touchedCluster = true;
        this.ensuredTopics.set(topic, needed);
      }
    }
    // The embedded broker's topics are created on first use with its default layout.
    const topicPartitions = this.mockTopics ? 1 : o.topic_partitions;
    /** Partitions the topic has: what a shared group's members divide among them. */
    const partitionCount = this.mockTopics ? EMBEDDED_TOPIC_PARTITIONS : (this.ensuredTopics.get(topic) ?? o.topic_partitions);
    const shared = params.consumer_group === 'shared';

    this.emit({ type: 'phase', phase: 'configure', detail: `${topic}: ${subs.length} sub apps × ${params.clients_per_app} clients` });
    const joinMs = o.join_timeout * 1000;
    const unshared = subConfigFor(params, o, topic, marks);
    const subConfig = shared ? { ...unshared, shared_group: this.sharedGroups.nameFor(unshared) } : unshared;
    // Apps on other hosts have other clocks: estimate each one's offset, so latencies compare like with like.
    const clocks = o.launcher === 'local' ? new Map<string, ClockOffset>() : await this.guard('configure', everyone, this.clockOffsets(everyone));
    const pubOffsets = pubs.map((p) => clocks.get(p.name)?.offset_ms ?? 0);
    const configOfSub = (s: AppHandle): SubConfig => {
      const own = clocks.get(s.name);
      return own ? { ...subConfig, latency_corrections_ms: latencyCorrections(own.offset_ms, pubOffsets) } : subConfig;
    };
    this.touchedCluster = true;
    const configured = await this.guard(
      'configure',
      everyone,
      Promise.all([
        ...pubCtls.map((c, i) => c.call('updateconfig', pubConfigFor(params, topic, marks, i, publisherPartitions(params, i, topicPartitions)))),
        ...subs.map((s) => this.subClient(s).call('updateconfig', configOfSub(s), joinMs)),
      ]),
    );
    const joining = configured.slice(pubs.length).reduce((n, r) => n + ('joined_now' in r ? r.joined_now : 0), 0);

    this.emit({
      type: 'phase',
      phase: 'join',
      detail: joining > 0 ? `waiting for ${joining} new consumers to join and fetch` : 'every consumer still joined from the last point',
    });
    await this.guard(
      'join',
      everyone,
      this.waitUntil(
        joinMs,
        'consumers joined',
        async () => {
          const polled = await Promise.all(subs.map((s) => this.patiently(s, this.subClient(s).call('teststatus'))));
          const slow = subs.filter((_, i) => polled[i] === null);
          if (slow.length > 0) return `not answering yet: ${slow.map((a) => a.name).join(', ')}`;
          const statuses = polled as SubStatus[];
          // A consumer kafkajs stopped for good will never join: fail now (a study retries with fresh apps) instead of at the timeout.
          const dead = statuses.flatMap((st) => st.dead ?? []);
          if (dead.length > 0) throw new PointError(`a consumer stopped while joining (${dead.length}): ${dead[0] ?? ''}`);
          const notReady = statuses.map((st, i) => ({ st, app: subs[i] as AppHandle })).filter(({ st }) => st.positioned < params.clients_per_app);
          if (notReady.length > 0)
            return `not positioned: ${notReady.map(({ app, st }) => `${app.name} ${st.positioned}/${params.clients_per_app}${st.errors.length ? ` (${st.errors[0]})` : ''}`).join(', ')}`;
          // A shared group must also have settled: its members still dividing partitions would be hydra's own rebalance.
          return shared
            ? sharedGroupSettled(
                statuses.flatMap((st) => st.assigned),
                partitionCount,
              )
            : true;
        },
        joining > 0 ? POLL_MS : REFETCH_POLL_MS,
      ),
    );

    await this.guard('join', everyone, Promise.all([...pubCtls.map((c) => c.call('resetstats')), ...subs.map((s) => this.subClient(s).call('resetstats'))]));
    // Where the log ended before publishing: what lies below belongs to earlier points.
    const logStart = this.options.fresh_topic_per_point ? {} : await this.admin.logEnd(topic).catch(() => undefined);

    // From here a sub app that dies or freezes does not stop the point: it is found at collection
    // and reported as a fault of this point, with the app named.
    this.emit({
      type: 'phase',
      phase: 'publish',
      detail: `${params.msg_rate} msg/s for ${params.test_duration} s${pubs.length > 1 ? ` from ${pubs.length} publishers` : ''}`,
    });
    let statuses: PubStatus[] = [];
    await this.guard(
      'publish',
      pubs,
      (async () => {
        // Several publishers get one start time a little ahead, so their windows line up.
        const startArgs = pubs.length > 1 ? { start_at_ms: Date.now() + START_LEAD_MS } : undefined;
        await Promise.all(pubCtls.map((c) => c.call('teststart', startArgs)));
        await this.waitUntil((params.test_duration + params.warmup) * 1000 + 30000, 'publishers finished', async () => {
          const polled = await Promise.all(pubCtls.map((c, i) => this.patiently(pubs[i] as AppHandle, c.call('teststatus'))));
          if (polled.some((st) => st === null)) return 'a publisher is not answering yet';
          statuses = polled as PubStatus[];
          const running = statuses.filter((st) => st.state !== 'done' && st.state !== 'failed');
          return running.length === 0 ? true : running.map((st) => `publisher ${st.state}, ${st.msg_cnt} sent`).join('; ');
        });
      })(),
    );
    this.checkBroker('publish');
    statuses.forEach((st, i) => {
      const pub = pubs[i] as AppHandle;
      if (st.state === 'failed') throw new PointError(`${pub.name} failed: ${st.error ?? 'unknown error'} (log: ${pub.logFile})`);
    });
    // A publisher that just finished on a busy host may answer late: give its stats longer than a poll.
    const pubStats = await this.guard('publish', pubs, Promise.all(pubCtls.map((c) => c.call('getstats', undefined, 3 * o.control_timeout_ms))));
    const packetTx = pubStats.reduce((n, p) => n + p.msg_cnt, 0);
    if (packetTx === 0)
      throw new PointError(
        `publisher sent nothing (${pubStats.find((p) => p.last_error)?.last_error ?? 'no error reported'}; log: ${pubs[0]?.logFile ?? '?'})`,
      );

    this.emit({ type: 'phase', phase: 'drain', detail: `up to ${o.drain_timeout} s` });
    await this.guard('drain', [], this.drain(subs, packetTx, o.drain_timeout * 1000, shared));

    this.emit({ type: 'phase', phase: 'collect', detail: `${subs.length} sub apps` });
    const collected = await this.guard(
      'collect',
      [],
      Promise.all(
        subs.map(async (s): Promise<{ report: SubAppReport; fate: AppFate }> => {
          const fate = (status: AppFate['status']): AppFate => ({ name: s.name, kind: 'sub', pid: s.pid ?? null, status });
          if (!s.isAlive()) return { report: { app: s.name, clients: null }, fate: fate('died') };
          try {
            const stats = await this.subClient(s).call('getstats');
            return { report: { app: s.name, clients: stats.clients, telemetry: stats.telemetry, fetch: stats.fetch }, fate: fate('ok') };
          } catch {
            return { report: { app: s.name, clients: null }, fate: fate(s.isAlive() ? 'unresponsive' : 'died') };
          }
        }),
      ),
    );
    this.checkBroker('collect');
    const faults: string[] = [];
    for (const { fate } of collected) {
      if (fate.status === 'ok') continue;
      const app = subs.find((s) => s.name === fate.name) as AppHandle;
      faults.push(
        fate.status === 'died'
          ? `sub app ${app.name} (pid ${app.pid ?? '?'}) died during the point`
          : `sub app ${app.name} (pid ${app.pid ?? '?'}) stopped answering (frozen or overloaded)`,
      );
      // A dead or frozen app is killed and replaced at the next point (HYDRA remove_unresponsive_tasks).
      this.pendingReplacements.push(app.name);
      await this.dropApp(app, true);
    }
    pubStats.forEach((p, i) => {
      if (p.send_errors > 0)
        faults.push(
          `${pubs.length > 1 ? (pubs[i] as AppHandle).name : 'publisher'} send errors: ${p.send_errors} messages not acknowledged (${p.last_error ?? 'no error text'})`,
        );
    });
    const reports = collected.map((c) => c.report);
    if (shared) {
      // After the join wait the group had settled; a member joining again inside the window means
      // hydra's own consumers rebalanced it (a message can then reach two members): not Kafka's figure.
      const rejoined = reports.flatMap((r) => (r.clients ?? []).filter((c) => (c.rejoins ?? 0) > 0).map((c) => c.client_id));
      if (rejoined.length > 0)
        faults.push(`shared group ${subConfig.shared_group ?? ''} rebalanced during the point (members joined again: ${rejoined.slice(0, 5).join(', ')})`);
    }
    // Where the log ends tells lag from loss; without it (an admin error), lost counts every message not received.
    const bounds = await this.admin.logBounds(topic).catch(() => undefined);
    const logEnd = bounds?.end;
    const thresholds = {
      pub_achieved_min: o.verdict_pub_achieved_min,
      app_cpu_max_pct: o.verdict_app_cpu_max_pct,
      app_elu_max: o.verdict_app_elu_max,
      host_cpu_max_pct: o.verdict_host_cpu_max_pct,
      app_run_wait_max_pct: o.verdict_app_run_wait_max_pct,
      stall_max_ms: o.verdict_stall_max_ms,
    };
    const result = computeResult(pubStats, reports, params.clients_per_app, params.msg_rate, {
      logEnd,
      logFirst: bounds?.start,
      logStart: logEnd ? logStart : undefined,
      thresholds,
      sharedGroup: shared,
      maxInFlight: params.max_in_flight,
      embeddedBroker: this.mockCluster,
      fetchWaitMs: params.consumer_max_wait_ms,
      requestMaxMessages: requestMaxMessages(params.batch_bytes, params.msg_size),
      pubNames: pubs.map((p) => p.name),
    });
    // An app that stood still without being scheduled (stopped, a paused machine) bent the point's
    // latency and loss: a harness fault, measured again with fresh apps.
    faults.push(...result.stalled_apps);
    return {
      result,
      topic,
      subPids: subs.map((s) => s.pid ?? -1),
      apps: [
        ...pubs.map((p): AppFate => ({ name: p.name, kind: 'pub', pid: p.pid ?? null, status: p.isAlive() ? 'ok' : 'died' })),
        ...collected.map((c) => c.fate),
      ].map((fate) => {
        const clock = clocks.get(fate.name);
        return clock ? { ...fate, clock_offset_ms: clock.offset_ms, clock_error_ms: clock.error_ms } : fate;
      }),
      replaced,
      faults,
    };
  }

  /**
   * librdkafka's mock cluster (the embedded broker, also when reached through --brokers after
   * `hydra broker` started it): it cannot create or delete topics, its topics have 4 partitions,
   * kafkajs's idempotent producer cannot run on it, and what its bounded log drops is hydra's limit.
   */
  private get mockCluster(): boolean {
    return this.broker.embedded || this.mockAtBrokers;
  }

  /** The mock names itself in its cluster id (`mockCluster…`); a real cluster never does. `adopt`: the cluster came from the options, so a mock there is hydra's own. */
  private async detectMockCluster(adopt: boolean): Promise<void> {
    const info = await this.admin.describe().catch(() => null);
    this.mockProtocol = info?.cluster_id.startsWith('mockCluster') ?? false;
    if (adopt) this.mockAtBrokers = this.mockProtocol;
  }

  /** The cluster's protocol is the mock's: its topics are auto-created with 4 partitions. */
  private get mockTopics(): boolean {
    return this.mockCluster || this.mockProtocol;
  }

  /**
   * Each app's clock offset from the runner's, estimated over the control channel in parallel for
   * the apps that have none younger than CLOCK_REFRESH_MS: estimating costs the runner about 5 ms
   * of work per app (npm run bench -- --control-plane), while clocks drift by microseconds a minute.
   */
  private async clockOffsets(apps: readonly AppHandle[]): Promise<Map<string, ClockOffset>> {
    const now = Date.now();
    const stale = apps.filter((app) => {
      const known = this.clocks.get(app.name);
      return !known || known.pid !== app.pid || now - known.at > CLOCK_REFRESH_MS;
    });
    await Promise.all(
      stale.map(async (app) => {
        const client = app.kind === 'pub' ? this.pubClient(app) : this.subClient(app);
        this.clocks.set(app.name, { ...(await estimateClockOffset(() => client.call('clock'), nowMs)), at: Date.now(), pid: app.pid });
      }),
    );
    return new Map(apps.map((app) => [app.name, this.clocks.get(app.name) as ClockOffset]));
  }

  /**
   * Waits until every client has every message (a shared group: until its members have them all
   * between them) or the grace period ends; dead or silent apps are skipped.
   */
  private async drain(subs: AppHandle[], packetTx: number, graceMs: number, shared = false): Promise<void> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const statuses = await Promise.all(
        subs.map(async (s) => {
          if (!s.isAlive()) return null;
          const timeoutMs = Math.max(100, Math.min(this.options.control_timeout_ms, deadline - Date.now()));
          return this.subClient(s)
            .call('teststatus', undefined, timeoutMs)
            .catch(() => null);
        }),
      );
      const complete = shared
        ? statuses.reduce((n, st) => n + (st?.unique.reduce((a, b) => a + b, 0) ?? 0), 0) >= packetTx
        : statuses.every((st) => st === null || st.unique.every((u) => u >= packetTx));
      if (complete || Date.now() >= deadline) return;
      await sleep(POLL_MS);
    }
  }

  /**
   * A status poll's answer, or null when the app did not answer in time but is still alive: a
   * frozen or starved app misses polls without ending the point (the wait's own deadline and the
   * process watch do that), and its stall is judged with the point's figures.
   */
  private async patiently<T>(app: AppHandle, reply: Promise<T>): Promise<T | null> {
    try {
      return await reply;
    } catch (err) {
      if (err instanceof ControlTimeoutError && app.isAlive()) return null;
      throw err;
    }
  }

  /** Polls `check` every `pollMs` until it says true, or fails after `timeoutMs` with the last state. */
  private async waitUntil(timeoutMs: number, what: string, check: () => Promise<true | string>, pollMs = POLL_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const state = await check();
      if (state === true) return;
      last = state;
      if (Date.now() >= deadline) throw new PointError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${last}`);
      await sleep(pollMs);
    }
  }

  /** Kills every app (fresh apps for a retry); the broker stays. */
  async resetApps(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    // Every app is replaced: the next point says which ones it ran without.
    const gone = [...this.pubs, ...this.launcher.subApps()].map((a) => a.name);
    this.pendingReplacements = [...new Set([...this.pendingReplacements, ...gone])];
    this.pubs = [];
    await this.launcher.removeAll();
  }

  /** Deletes this run's topics and consumer groups from the cluster; reports, never throws (the measurements are already stored). */
  private async removeLeftovers(): Promise<void> {
    const run = this.runId;
    try {
      const found = await this.admin.leftovers(runPrefix(run));
      const { removed, failed } = await this.admin.remove(found);
      this.emit({ type: 'cleanup', run, topics: removed.topics.length, groups: removed.groups.length, failed });
    } catch (err) {
      this.emit({ type: 'cleanup', run, topics: 0, groups: 0, failed: [`listing them failed: ${err instanceof Error ? err.message : String(err)}`] });
    }
  }

  /** Which cluster this session measures; null when the admin cannot say. */
  async cluster(): Promise<ClusterInfo | null> {
    return this.admin.describe().catch(() => null);
  }

  /** Stops all apps and, when this session started it, the broker; on a real cluster removes the run's topics and groups (unless keep_topics). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    try {
      await this.launcher.removeAll();
      // Only now: a group with live members cannot be deleted.
      if (!this.mockCluster && !this.options.keep_topics && this.touchedCluster) await this.removeLeftovers();
      await this.admin.close();
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
