import * as path from 'node:path';
import { brokerMetricsSettings, type BrokerMetricsSettings } from '../config/broker-metrics';
import { BrokerWatch } from '../broker-metrics/watch';
import * as crypto from 'node:crypto';
import { acquireBroker, type BrokerHandle } from '../broker';
import { runPrefix } from '../broker/leftovers';
import { ClusterAdmin, topicConfigEntries, type ClusterInfo } from '../broker/topics';
import { loadKafkaSecurity, type KafkaSecurity } from '../config/security';
import type { HydraOptions, PointParams } from '../config/options';
import { isLoopback, newControlAuth, type ControlAuth } from '../control/auth';
import type { ControlClient } from '../control/client';
import type { CommandMap } from '../control/protocol';
import { BrokerLostError, ConfigError } from '../errors';
import { createLauncher, placementOf, type AppHandle, type Launcher } from '../launch';
import { parseHosts } from '../launch/command';
import { kubernetesSettings } from '../launch/kubernetes-settings';
import { checkPointOnMockCluster, EMBEDDED_TOPIC_PARTITIONS } from '../config/rules';
import { checkFaultPlace } from '../faults/checks';
import { CommandLedger } from '../supervise/command-ledger';
import { checkClientOnMockCluster } from '../client/rules';
import { topicNames } from '../apps/topics';
import { AppPool } from './app-pool';
import type { RunnerEventSink } from './events';
import { PointMeasurement } from './point';
import type { PointRun, PointRunner } from './point-runner';
import { SharedGroupNamer } from './shared-group';

export type { PointRun } from './point-runner';

/**
 * A live test setup: one broker, the publisher apps and a sub app group that are reused from point
 * to point (HYDRA's start_appserver / scale_sub_app / run_test). The points share one topic and
 * the consumers stay joined (each point's messages carry its epoch), so a point waits only for
 * the consumers it adds. The session opens and closes: it owns the broker (when it started one),
 * the launcher, the run's credentials and the cluster's admin; its apps are an AppPool, and each
 * point is a PointMeasurement over them. Close it to stop everything.
 */
export class TestSession implements PointRunner {
  readonly runId: string;
  /** The run's control credentials: apps serve only commands signed with them. */
  readonly auth: ControlAuth;
  private readonly pool: AppPool;
  private readonly admin: ClusterAdmin;
  /** Topics this session created on a real cluster, with their partition count. */
  private readonly ensuredTopics = new Map<string, number>();
  private readonly sharedGroups = new SharedGroupNamer();
  private pointCounter = 0;
  /** The planned faults of the point running now: closing the session ends them first (undo commands run, frozen processes go on). */
  private readonly runningFaults = new Set<{ abort(): Promise<void> }>();
  /** The configured cluster turned out to be librdkafka's mock (one `hydra broker` started): treated as the embedded broker. */
  private mockAtBrokers = false;
  /**
   * The cluster speaks like librdkafka's mock (no topic creation, 4 partitions, no idempotence),
   * whoever owns it. A broker handle a caller passes in as not embedded keeps its word on whose
   * limits the broker's are (tests pass the mock so, as a stand-in for a real cluster), but not on these.
   */
  private mockProtocol = false;
  private closed = false;
  /** Where this run's fault commands are recorded while they run (the results directory). */
  private readonly commandLedger: CommandLedger;
  private brokerLost: string | null = null;
  /**
   * Something of this run may be on the cluster: a topic was created, or apps were configured (a
   * producer may auto-create the topic, consumers join groups). Until then there is nothing to
   * clean up, and no reason to tell the user to (a refused login creates nothing).
   */
  private touchedCluster = false;

  /** The brokers' Prometheus endpoints, scraped through every point; null: none configured. */
  private brokerMetrics: BrokerMetricsSettings | null = null;

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
    this.commandLedger = new CommandLedger(options.results_dir);
    this.admin = new ClusterAdmin(broker.brokers, options.client_id, security, { client: options.kafkajs.client, admin: options.kafkajs.admin });
    void broker.lost.then((how) => {
      if (!this.closed) this.brokerLost = how;
    });
    const brokerLostError = (how: string, phase: string): BrokerLostError =>
      new BrokerLostError(
        `the embedded broker (kcat, pid ${broker.pid ?? '?'}) ${how} during ${phase}: the point is not stored, and no later point can be measured`,
      );
    this.pool = new AppPool(
      launcher,
      auth,
      options.control_timeout_ms,
      {
        watched: { ended: broker.lost, error: brokerLostError },
        lostBefore: (phase) => (this.brokerLost === null ? null : brokerLostError(this.brokerLost, phase)),
      },
      emit,
    );
  }

  /** Starts (or reuses) a broker and the launcher `[launcher] kind` names, its logs under `log_dir/<runId>`. */
  static async open(options: HydraOptions, opts: { broker?: BrokerHandle; onEvent?: RunnerEventSink; runId?: string } = {}): Promise<TestSession> {
    const emit = opts.onEvent ?? (() => undefined);
    const runId = opts.runId ?? newRunId();
    const hosts = options.launcher === 'command' ? parseHosts(options.launcher_hosts) : [];
    // Beyond loopback anyone on the network could reach an app's port: encrypt and authenticate with CURVE there.
    const { controlAddresses } = placementOf(options.launcher, { control_host: options.control_host, hosts });
    const curve = controlAddresses.some((a) => !isLoopback(a));
    const auth = newControlAuth(runId, curve);
    if (curve) emit({ type: 'control', host: controlAddresses.join(','), curve });
    // Secrets are read before anything starts, so a missing one costs one line and nothing else.
    const security = loadKafkaSecurity(options);
    const brokerMetrics = brokerMetricsSettings(options);
    if (security && (opts.broker ? opts.broker.embedded : options.brokers.length === 0))
      throw new ConfigError(
        '[security] protocol',
        options.security_protocol,
        'the embedded broker speaks plaintext only; set [broker] brokers to a secured cluster',
      );
    const broker = opts.broker ?? (await acquireBroker(options));
    emit({ type: 'broker', brokers: broker.brokers, embedded: broker.embedded, metricsEndpoints: brokerMetrics?.endpoints.length ?? 0 });
    try {
      const launcher = createLauncher(options.launcher, {
        brokers: broker.brokers,
        client_id: options.client_id,
        control_host: options.control_host,
        auth,
        kafkaSecurity: security,
        kafkajs: { client: options.kafkajs.client, producer: options.kafkajs.producer, consumer: options.kafkajs.consumer },
        librdkafka: options.librdkafka,
        logDir: path.join(options.log_dir, runId),
        hosts,
        command: options.launcher_command,
        runId,
        ...(options.launcher === 'kubernetes' ? { kubernetes: kubernetesSettings(options) } : {}),
      });
      const session = new TestSession(options, broker, launcher, !opts.broker, runId, auth, emit, security);
      session.brokerMetrics = brokerMetrics;
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
    return this.pool.publishers();
  }

  /** A signed control client for any app of this run (the runner's own, shared with the benchmark). */
  controlClient<M extends CommandMap>(app: AppHandle): ControlClient<M> {
    return this.pool.client<M>(app);
  }

  /** Launches the publishers needed and sizes the sub group; reuses every app still alive. */
  prepareApps(totalSubApps: number, totalPubApps = 1): Promise<{ pubs: AppHandle[]; subs: AppHandle[] }> {
    return this.pool.prepare(totalSubApps, totalPubApps);
  }

  /**
   * Runs one point end to end and computes HYDRA's figures (PointMeasurement). Throws PointError
   * when it cannot be measured, BrokerLostError when the broker hydra started died; returns
   * `faults` when it ran to the end but a harness app died, froze or could not send.
   */
  async runPoint(params: PointParams): Promise<PointRun> {
    if (this.mockTopics) {
      checkPointOnMockCluster(params, (key) => key);
      checkClientOnMockCluster(params, (key) => key);
    }
    // Only a broker whose process hydra holds can be frozen; only apps of this machine signalled.
    const embeddedPid = this.mockCluster ? this.broker.pid : undefined;
    checkFaultPlace(
      params.fault.faults,
      { localApps: !this.launcher.placement.otherHosts && this.options.launcher === 'local', embeddedBroker: embeddedPid !== undefined },
      'fault',
    );
    const index = this.pointCounter++;
    const topics = await this.pointTopics(index, params);
    const topic = topics[0] as string;
    // Configuring apps may put the run's groups (and an auto-created topic) on the cluster.
    this.touchedCluster = true;
    return new PointMeasurement(
      {
        options: this.options,
        apps: this.pool,
        cluster: this.admin,
        emit: this.emit,
        index,
        topic,
        topics,
        // The embedded broker's topics are created on first use with its default layout.
        topicPartitions: this.mockTopics ? 1 : this.options.topic_partitions,
        partitionCount: this.mockTopics ? EMBEDDED_TOPIC_PARTITIONS : (this.ensuredTopics.get(topic) ?? this.options.topic_partitions),
        sharedGroupFor: (config) => this.sharedGroups.nameFor(config),
        embedded: this.mockCluster,
        faultPlace: {
          ...(embeddedPid === undefined ? {} : { brokerPid: embeddedPid }),
          brokers: this.broker.brokers,
          runId: this.runId,
          ledger: this.commandLedger,
        },
        trackFaults: (running) => {
          this.runningFaults.add(running);
          return () => this.runningFaults.delete(running);
        },
        ...(this.brokerMetrics ? { brokerWatch: watchOf(this.brokerMetrics) } : {}),
      },
      params,
    ).run();
  }

  /**
   * The point's topics (`topics` of them, apps/topics.ts names them): one set per session
   * (consumers stay joined), or one per point with fresh_topic_per_point; on a real cluster
   * created (or grown) with the partitions they need.
   */
  private async pointTopics(index: number, params: PointParams): Promise<string[]> {
    const o = this.options;
    const topics = topicNames(o.fresh_topic_per_point ? `${runPrefix(this.runId)}-p${index}` : runPrefix(this.runId), params.topics);
    if (this.mockTopics) return topics;
    const needed = Math.max(o.topic_partitions, params.partitions);
    const missing = topics.filter((topic) => (this.ensuredTopics.get(topic) ?? 0) < needed);
    if (missing.length > 0) {
      const first = missing[0] as string;
      this.emit({
        type: 'phase',
        phase: 'topic',
        detail: missing.length === 1 ? `${first} (${needed} partitions)` : `${missing.length} topics from ${first} (${needed} partitions each)`,
      });
      // Something of this run is on the cluster once a request of them was answered (a refused login made nothing).
      await this.admin.ensureTopics({
        topics: missing,
        partitions: needed,
        replication: o.topic_replication,
        configEntries: topicConfigEntries(o),
        made: () => (this.touchedCluster = true),
      });
      for (const topic of missing) this.ensuredTopics.set(topic, needed);
    }
    return topics;
  }

  /**
   * librdkafka's mock cluster (the embedded broker, also when reached through --brokers after
   * `hydra broker` started it): it cannot create or delete topics, its topics have 4 partitions,
   * kafkajs's idempotent producer cannot run on it, and what holds a point back there is hydra's.
   */
  private get mockCluster(): boolean {
    return this.broker.embedded || this.mockAtBrokers;
  }

  /** The cluster's protocol is the mock's: its topics are auto-created with 4 partitions. */
  private get mockTopics(): boolean {
    return this.mockCluster || this.mockProtocol;
  }

  /** The mock names itself in its cluster id (`mockCluster…`); a real cluster never does. `adopt`: the cluster came from the options, so a mock there is hydra's own. */
  private async detectMockCluster(adopt: boolean): Promise<void> {
    const info = await this.admin.describe().catch(() => null);
    this.mockProtocol = info?.cluster_id.startsWith('mockCluster') ?? false;
    if (adopt) this.mockAtBrokers = this.mockProtocol;
  }

  /** Kills every app (fresh apps for a retry); the broker stays. */
  async resetApps(): Promise<void> {
    await this.pool.resetAll();
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
    try {
      // First what a planned fault changed: a broker stopped by its command is started again.
      await Promise.all([...this.runningFaults].map((f) => f.abort().catch(() => undefined)));
      await this.pool.close();
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

/** A fresh watch of the brokers' endpoints for one point. */
function watchOf(settings: BrokerMetricsSettings): () => BrokerWatch {
  return () => new BrokerWatch(settings.endpoints, settings.access, settings.overrides);
}
