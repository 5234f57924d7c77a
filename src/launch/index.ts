import type { LauncherKind } from '../config/options';
import { CommandLauncher, type LauncherHost } from './command';
import type { Launcher } from './launcher';
import { LocalLauncher, type LocalLauncherOptions } from './local';

export type { AppHandle, Launcher } from './launcher';

/** What every launcher needs to start apps (the broker they talk to, where their logs go), and the command launcher's hosts and template. */
export type LauncherOptions = LocalLauncherOptions & { hosts?: LauncherHost[]; command?: string };

/** The launcher named by `[launcher] kind`. The runner sees only the Launcher interface. */
export function createLauncher(kind: LauncherKind, options: LauncherOptions): Launcher {
  switch (kind) {
    case 'local':
      return new LocalLauncher(options);
    case 'command':
      return new CommandLauncher({ ...options, hosts: options.hosts ?? [], command: options.command ?? '' });
  }
}
