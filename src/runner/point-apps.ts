import type { CallRest } from '../control/client';
import type { BrokerWatch } from '../broker-metrics/watch';
import type { Command, CommandMap, PubCommands, ReplyOf, SubCommands } from '../control/protocol';
import type { TopicsRequest } from '../broker/topics';
import type { AppHandle } from '../launch';
import type { HydraOptions } from '../config/options';
import type { SubConfig } from '../control/wire';
import type { FaultPlace } from '../faults/point-faults';
import type { ClockOffset } from './clock';
import type { RunnerEventSink } from './events';
import type { PointPhase } from './events';

/**
 * The seams below a point: what its phases need of the apps that serve it and of the cluster.
 * The session hands it the real ones (AppPool, ClusterAdmin); the unit tier hands it scripted
 * apps (a dead one, a frozen one, a late one, one that sees duplicates) and runs every phase in
 * milliseconds.
 */

/** A typed control call to one app: ControlClient is one, a test's scripted app another. */
export interface Caller<M extends CommandMap> {
  call<C extends keyof M & Command>(cmd: C, ...rest: CallRest<M, C>): Promise<ReplyOf<M, C>>;
}

/** What a point needs of the apps that serve it. */
export interface PointApps {
  /** Launches the publishers needed and sizes the sub group; reuses every app still alive. */
  prepare(totalSubApps: number, totalPubApps: number): Promise<{ pubs: AppHandle[]; subs: AppHandle[] }>;
  pub(app: AppHandle): Caller<PubCommands>;
  sub(app: AppHandle): Caller<SubCommands>;
  /** Runs `work` until it ends, or fails as soon as one of `apps` (or a broker hydra started) ends. */
  guard<T>(phase: PointPhase, apps: readonly AppHandle[], work: Promise<T>): Promise<T>;
  /** Fails when a broker hydra started was lost (before or during `phase`). */
  checkBroker(phase: PointPhase): void;
  /** Kills an app that died or stopped answering during the point; a fresh one replaces it at the next. */
  drop(app: AppHandle): Promise<void>;
  /** The apps replaced since the last point, taken once. */
  takeReplaced(): string[];
  /** Each app's clock offset from the runner's; empty where the apps share the runner's clock. */
  clockOffsets(apps: readonly AppHandle[]): Promise<Map<string, ClockOffset>>;
}

/** What a point needs of the cluster: its topic, and where each partition's log starts and ends. */
export interface PointCluster {
  ensureTopics(request: TopicsRequest): Promise<void>;
  logEnd(topic: string): Promise<Record<string, number>>;
  logBounds(topic: string): Promise<{ start: Record<string, number>; end: Record<string, number> }>;
}

/** What the session hands a point: its apps and cluster, its topic, and how to name a shared group. */
export interface PointSetup {
  options: HydraOptions;
  apps: PointApps;
  cluster: PointCluster;
  emit: RunnerEventSink;
  /** The point's number in its session (its epoch). */
  index: number;
  /** The point's first topic (its name in events, records and fault commands' {topic}). */
  topic: string;
  /** Every topic of the point (at least one; `topic` is the first). */
  topics: readonly string[];
  /** Partitions publishers spread over by default (1 on the embedded broker, whose topics come with 4). */
  topicPartitions: number;
  /** Partitions the topic has: what a shared group's members divide among them. */
  partitionCount: number;
  /** The one group a shared point's clients join (the same while the consumer settings stay). */
  sharedGroupFor(config: SubConfig): string;
  /** The broker is hydra's embedded one: what holds a point back there is hydra's. */
  embedded: boolean;
  /** Poll interval of the waits, ms (tests shorten it). */
  pollMs?: number;
  /** Watches the brokers' Prometheus endpoints through a point's window; absent: none configured. */
  brokerWatch?: () => BrokerWatch;
  /** What planned faults act on beyond the apps: the embedded broker's process, the values of a fault command's placeholders, the record of running commands. */
  faultPlace?: Omit<FaultPlace, 'topic'>;
  /**
   * Hands the session a point's running faults, so closing it (Ctrl-C) ends them — lets go of what
   * was frozen and runs the undo commands — before the process exits; returns the release.
   */
  trackFaults?: (running: { abort(): Promise<void> }) => () => void;
}
