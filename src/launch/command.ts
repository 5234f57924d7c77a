import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppKind, AppSpec, LaunchMessage, ReadyMessage } from '../control/wire';
import { AppLaunchError } from '../errors';
import { parentDeathWrapper } from '../supervise/process';
import type { Placement } from './launcher';
import { APP_ENTRY } from './local';
import { ProcessLauncher, type ProcessLauncherOptions, type StartedApp } from './process-launcher';

/** One machine (or network namespace) apps run on: the name the command template uses, and the address its apps' control servers bind. */
export interface LauncherHost {
  name: string;
  address: string;
}

export interface CommandLauncherOptions extends ProcessLauncherOptions {
  hosts: LauncherHost[];
  /**
   * The command that starts one app, split on spaces, with {host}, {address}, {kind}, {name},
   * {node} (this Node binary) and {app} (this checkout's app entry point) replaced, e.g.
   * `ssh {host} node /opt/hydra/dist/src/apps/{kind}.js` or `ip netns exec {host} {node} {app}`.
   */
  command: string;
}

/** Reads `name@address` host entries ([launcher] hosts). */
export function parseHosts(entries: readonly string[]): LauncherHost[] {
  return entries.map((entry) => {
    const at = entry.lastIndexOf('@');
    return at > 0 ? { name: entry.slice(0, at), address: entry.slice(at + 1) } : { name: entry, address: entry };
  });
}

/** The argv of `template` for one app; no shell is involved, so a value cannot inject a command. */
export function commandArgv(template: string, values: Record<'host' | 'address' | 'kind' | 'name' | 'node' | 'app', string>): string[] {
  return template
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/\{(host|address|kind|name|node|app)\}/g, (_, key: keyof typeof values) => values[key]));
}

/**
 * Runs each app through a command (ssh, `ip netns exec`, a site's own wrapper), on the hosts of
 * `[launcher] hosts`: the publishers on the first host, the sub apps round-robin over the others
 * (HYDRA put its publisher on a node of its own). The spec goes to the app as the first line of
 * its stdin and the app answers with its control address as the first line of its stdout; the
 * rest of its output goes to its log here. The app exits when its stdin closes, so when the
 * runner dies — even by SIGKILL — the pipe closes and the app stops, on whatever host it runs.
 */
export class CommandLauncher extends ProcessLauncher {
  /** On the listed hosts, each app bound to its host's address. */
  static placementFor(hosts: readonly LauncherHost[]): Placement {
    return { controlAddresses: hosts.map((h) => h.address), otherHosts: true };
  }

  get placement(): Placement {
    return CommandLauncher.placementFor(this.hosts);
  }

  private readonly hosts: LauncherHost[];
  private readonly hostOf = new Map<string, LauncherHost>();
  private nextSubHost = 0;

  constructor(private readonly commandOptions: CommandLauncherOptions) {
    super(commandOptions);
    if (commandOptions.hosts.length === 0) throw new AppLaunchError('the command launcher needs at least one host ([launcher] hosts)', { retriable: false });
    this.hosts = commandOptions.hosts;
  }

  /** Where an app runs: the publishers on the first host, sub apps round-robin over the rest (or the one host there is). */
  private hostFor(kind: AppKind, name: string): LauncherHost {
    let host = this.hostOf.get(name);
    if (!host) {
      const subHosts = this.hosts.length > 1 ? this.hosts.slice(1) : this.hosts;
      host = kind === 'pub' ? (this.hosts[0] as LauncherHost) : (subHosts[this.nextSubHost++ % subHosts.length] as LauncherHost);
      this.hostOf.set(name, host);
    }
    return host;
  }

  protected controlHostFor(kind: AppKind, name: string): string {
    return this.hostFor(kind, name).address;
  }

  protected start(spec: AppSpec, logFd: number): StartedApp {
    const host = this.hostFor(spec.kind, spec.name);
    const argv = commandArgv(this.commandOptions.command, {
      host: host.name,
      address: host.address,
      kind: spec.kind,
      name: spec.name,
      node: process.execPath,
      app: APP_ENTRY[spec.kind],
    });
    const wrapper = parentDeathWrapper();
    const [command, ...args] = wrapper ? [wrapper.command, ...wrapper.args, ...argv] : argv;
    const child = spawn(command as string, args, { stdio: ['pipe', 'pipe', logFd], env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
    const launchMessage: LaunchMessage = { type: 'spec', spec };
    // The spec (with the run's secrets) goes through the pipe, never argv or the environment.
    child.stdin?.on('error', () => undefined);
    child.stdin?.write(JSON.stringify(launchMessage) + '\n');
    const logFile = path.join(this.logDir, `${spec.name}.log`);
    const ready = new Promise<string>((resolve, reject) => {
      let head = '';
      let log: fs.WriteStream | null = null;
      child.stdout?.on('data', (chunk: Buffer) => {
        if (log) {
          log.write(chunk);
          return;
        }
        head += chunk.toString('utf8');
        const nl = head.indexOf('\n');
        if (nl === -1) return;
        log = fs.createWriteStream(logFile, { flags: 'a' });
        if (head.length > nl + 1) log.write(head.slice(nl + 1));
        child.once('exit', () => log?.end());
        try {
          const msg = JSON.parse(head.slice(0, nl)) as ReadyMessage;
          if (msg?.type === 'ready' && typeof msg.endpoint === 'string') resolve(msg.endpoint);
          else throw new Error('not a ready message');
        } catch {
          reject(new AppLaunchError(`${spec.name} printed something else than its control address first: ${head.slice(0, Math.min(nl, 200))}`));
        }
      });
    });
    return { child, ready };
  }

  /** Closes the app's stdin: it shuts its Kafka clients down and exits (and so does a remote one, through ssh). */
  protected requestStop(child: ChildProcess): void {
    child.stdin?.end();
  }
}
