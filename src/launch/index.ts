import type { LauncherKind } from '../config/options';
import { CommandLauncher, type LauncherHost } from './command';
import type * as KubernetesModule from './kubernetes';
import type { KubernetesSettings } from './kubernetes-settings';
import type { Launcher, Placement } from './launcher';
import { LocalLauncher, type LocalLauncherOptions } from './local';

export type { AppHandle, Launcher, Placement } from './launcher';

/**
 * What every launcher needs to start apps (the broker they talk to, where their logs go), the
 * command launcher's hosts and template, and the Kubernetes launcher's settings and run id.
 */
export type LauncherOptions = LocalLauncherOptions & { hosts?: LauncherHost[]; command?: string; runId?: string; kubernetes?: KubernetesSettings };

/** The launcher named by `[launcher] kind`. The runner sees only the Launcher interface. */
export function createLauncher(kind: LauncherKind, options: LauncherOptions): Launcher {
  switch (kind) {
    case 'local':
      return new LocalLauncher(options);
    case 'command':
      return new CommandLauncher({ ...options, hosts: options.hosts ?? [], command: options.command ?? '' });
    case 'kubernetes':
      if (!options.kubernetes || !options.runId) throw new Error('the kubernetes launcher needs its settings and the run id');
      return new (loadKubernetes().KubernetesLauncher)({ ...options, runId: options.runId, kubernetes: options.kubernetes });
  }
}

/**
 * Where the launcher `[launcher] kind` names will put its apps, known before it exists: whether
 * the control plane needs CURVE is decided before the run's credentials are made.
 */
export function placementOf(kind: LauncherKind, options: { control_host: string; hosts?: readonly LauncherHost[] }): Placement {
  switch (kind) {
    case 'local':
      return LocalLauncher.placementFor(options.control_host);
    case 'command':
      return CommandLauncher.placementFor(options.hosts ?? []);
    case 'kubernetes':
      // Not loaded for this: pods are always reached on their pod IPs.
      return { controlAddresses: ['pod IPs'], otherHosts: true };
  }
}

/** The Kubernetes client is loaded only by a run that uses it: it adds about 0.6 s to every start. */
function loadKubernetes(): typeof KubernetesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./kubernetes') as typeof KubernetesModule;
}
