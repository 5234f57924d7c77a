import type { CallRest } from '../control/client';
import type { Command, CommandMap, PubCommands, ReplyOf, SubCommands } from '../control/protocol';
import type { TopicConfigEntry } from '../broker/topics';
import type { AppHandle } from '../launch';
import type { ClockOffset } from './clock';
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
  ensureTopic(topic: string, partitions: number, replication: number, configEntries?: readonly TopicConfigEntry[]): Promise<void>;
  logEnd(topic: string): Promise<Record<string, number>>;
  logBounds(topic: string): Promise<{ start: Record<string, number>; end: Record<string, number> }>;
}
