import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { AppKind, AppSpec, LaunchMessage, ReadyMessage } from '../control/wire';
import { AppLaunchError } from '../errors';
import { parentDeathWrapper } from '../supervise/process';
import type { Placement } from './launcher';
import { ProcessLauncher, type ProcessLauncherOptions, type StartedApp } from './process-launcher';

export type LocalLauncherOptions = ProcessLauncherOptions;

/** The app entry points, run by the local launcher and named by `{app}` in a command launcher's template. */
export const APP_ENTRY: Record<AppKind, string> = {
  pub: path.join(__dirname, '..', 'apps', 'pub.js'),
  sub: path.join(__dirname, '..', 'apps', 'sub.js'),
};

/**
 * Runs apps as child processes of this one, with an IPC channel: the launcher hands the app its
 * spec (with the run's control secret) over it, the app reports its control endpoint over it, and
 * exits by itself when the channel closes. Where util-linux's setpriv exists the kernel also
 * kills the app when its runner dies (parent-death signal), which reaches an app even when it is
 * frozen (SIGSTOP) and cannot notice the channel closing.
 */
export class LocalLauncher extends ProcessLauncher {
  /** Child processes of this one: on this host, bound to `controlHost`. */
  static placementFor(controlHost: string): Placement {
    return { controlAddresses: [controlHost], otherHosts: false };
  }

  get placement(): Placement {
    return LocalLauncher.placementFor(this.options.control_host);
  }

  protected controlHostFor(): string {
    return this.options.control_host;
  }

  protected start(spec: AppSpec, logFd: number): StartedApp {
    const wrapper = parentDeathWrapper();
    const child = fork(APP_ENTRY[spec.kind], [], {
      stdio: ['ignore', logFd, logFd, 'ipc'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      ...(wrapper ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath] } : {}),
    });
    const launchMessage: LaunchMessage = { type: 'spec', spec };
    child.send(launchMessage);
    const ready = new Promise<string>((resolve, reject) => {
      child.once('message', (msg: ReadyMessage) => {
        if (msg?.type === 'ready' && typeof msg.endpoint === 'string') resolve(msg.endpoint);
        else reject(new AppLaunchError(`${spec.name} sent an unexpected first message: ${JSON.stringify(msg)}`));
      });
    });
    return { child, ready };
  }

  /** SIGTERM: the app shuts its Kafka clients down and exits. */
  protected requestStop(child: ChildProcess): void {
    child.kill('SIGTERM');
  }
}
