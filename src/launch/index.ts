import type { LauncherKind } from '../config/options';
import type { Launcher } from './launcher';
import { LocalLauncher, type LocalLauncherOptions } from './local';

export type { AppHandle, Launcher } from './launcher';

/** What every launcher needs to start apps: the broker they talk to and where their logs go. */
export type LauncherOptions = LocalLauncherOptions;

/** The launcher named by `[launcher] kind`. The runner sees only the Launcher interface. */
export function createLauncher(kind: LauncherKind, options: LauncherOptions): Launcher {
  switch (kind) {
    case 'local':
      return new LocalLauncher(options);
  }
}
