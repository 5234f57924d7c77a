import type { AppKind } from '../control/wire';

/** A launched app: where its control server listens and how it is doing. */
export interface AppHandle {
  name: string;
  kind: AppKind;
  pid: number | undefined;
  /** ZeroMQ endpoint of the app's REP server, e.g. tcp://127.0.0.1:40123. */
  endpoint: string;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the app ends. */
  exited: Promise<number | string | null>;
  isAlive(): boolean;
}

/**
 * Where a launcher's apps are: the addresses their control servers bind (beyond loopback the
 * control plane needs CURVE), and whether they run on hosts other than the runner's (then each has
 * a clock of its own, to be estimated and taken out of latencies).
 */
export interface Placement {
  controlAddresses: string[];
  otherHosts: boolean;
}

/**
 * Where apps run. The runner only talks to this interface, so a cluster engine can replace local
 * child processes without touching the runner.
 */
export interface Launcher {
  readonly logDir: string;
  readonly placement: Placement;
  launch(kind: AppKind, name: string): Promise<AppHandle>;
  /** Grows or shrinks the sub group to `count` apps; keeps the ones already running (HYDRA scale_sub_app). */
  scaleSubGroup(count: number): Promise<{ apps: AppHandle[]; added: AppHandle[]; removed: AppHandle[] }>;
  subApps(): AppHandle[];
  /** Stops an app: gracefully (SIGTERM, then SIGKILL after a grace period), or at once with `force` (a frozen or unresponsive app). */
  remove(app: AppHandle, opts?: { force?: boolean }): Promise<void>;
  removeAll(): Promise<void>;
}

/** The sub apps among `handles`, in launch order (sub-0, sub-1, ...): the order scaling keeps and removes them in. */
export function subAppsIn(handles: readonly AppHandle[]): AppHandle[] {
  return handles.filter((h) => h.kind === 'sub').sort((a, b) => Number(a.name.slice(4)) - Number(b.name.slice(4)));
}
