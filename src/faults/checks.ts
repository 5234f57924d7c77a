import { ConfigError } from '../errors';
import type { PlannedFault } from '../config/fault-schedule';
import { findCommand } from '../supervise/find-command';

/**
 * A planned-fault schedule against the point it is for and the setup it runs in: refused, naming
 * where it was written, before anything starts; and what a schedule implies for a point (when its
 * faults begin and end, what they may cause on purpose).
 */

/** What a point's schedule is checked against; without the app counts (a study's options before its grid) app names are not checked. */
export interface FaultPointShape {
  test_duration: number;
  total_sub_apps?: number;
  total_pub_apps?: number;
}

/** The names of a point's apps a fault may act on. */
function appNames(p: { total_sub_apps: number; total_pub_apps: number }): { subs: string[]; pubs: string[] } {
  return {
    subs: Array.from({ length: p.total_sub_apps }, (_, i) => `sub-${i}`),
    pubs: Array.from({ length: p.total_pub_apps }, (_, i) => (i === 0 ? 'pub' : `pub-${i}`)),
  };
}

/** The values a fault command's placeholders take. */
export interface FaultCommandValues {
  /** This Node binary. */
  node: string;
  /** The bootstrap brokers, comma-joined. */
  brokers: string;
  /** The point's topic. */
  topic: string;
  /** The run's id. */
  run: string;
}

/** A fault command's argv with its placeholders replaced; no shell is involved. */
export function faultArgv(argv: readonly string[], values: FaultCommandValues): string[] {
  return argv.map((word) => word.replace(/\{(node|brokers|topic|run)\}/g, (_, key: keyof FaultCommandValues) => values[key]));
}

/**
 * Refuses a schedule that cannot run as planned in a point, before anything starts: a fault not
 * ending inside the measuring window, an app the point does not have, a publisher killed (its
 * count of sent messages would go with it), two faults on one target at once, a command not found.
 */
export function checkFaultSchedule(faults: readonly PlannedFault[], p: FaultPointShape, source: string): void {
  const windowMs = p.test_duration * 1000;
  const named = p.total_sub_apps !== undefined && p.total_pub_apps !== undefined;
  const { subs, pubs } = appNames({ total_sub_apps: p.total_sub_apps ?? 0, total_pub_apps: p.total_pub_apps ?? 1 });
  for (const f of faults) {
    if (f.at_ms + f.for_ms >= windowMs || f.at_ms >= windowMs)
      throw new ConfigError(
        source,
        f.text,
        `ends at ${(f.at_ms + f.for_ms) / 1000} s, not inside the ${p.test_duration} s measuring window (test_duration): a fault must start and end inside it, with time left to see the recovery`,
      );
    const a = f.action;
    if (a.kind === 'stop' || a.kind === 'kill') {
      if (a.kind === 'kill' && /^pub(-\d+)?$/.test(a.app))
        throw new ConfigError(
          source,
          f.text,
          `a killed publisher takes its count of sent messages with it, so loss could not be told; freeze it with stop=${a.app} for=...`,
        );
      if (!/^(sub-\d+|pub(-\d+)?)$/.test(a.app))
        throw new ConfigError(source, f.text, `'${a.app}' is not an app name (pub, pub-1, ... for publishers; sub-0, sub-1, ... for sub apps)`);
      if (named && !subs.includes(a.app) && !pubs.includes(a.app))
        throw new ConfigError(
          source,
          f.text,
          `the point has no app '${a.app}' (its apps: ${[...pubs, ...subs.slice(0, 6)].join(', ')}${subs.length > 6 ? ', ...' : ''})`,
        );
    }
    if (a.kind === 'command')
      for (const argv of [a.command, ...(a.undo ? [a.undo] : [])]) {
        const name = argv[0];
        if (name === undefined) throw new ConfigError(source, f.text, 'the command is empty');
        if (findCommand(name) === null)
          throw new ConfigError(source, f.text, `command not found: ${name} (it runs without a shell; give its path or put it on PATH)`);
      }
  }
  const targetOf = (f: PlannedFault): string =>
    f.action.kind === 'stop' || f.action.kind === 'kill' ? f.action.app : f.action.kind === 'broker-stop' ? 'broker' : f.text;
  for (const [i, f] of faults.entries())
    for (const g of faults.slice(i + 1)) {
      const overlap = f.at_ms < g.at_ms + Math.max(g.for_ms, 1) && g.at_ms < f.at_ms + Math.max(f.for_ms, 1);
      if (targetOf(f) === targetOf(g) && overlap) throw new ConfigError(source, g.text, `overlaps '${f.text}' on the same target`);
    }
}

/** Where a schedule can run: stop=/kill= on apps hydra runs on this machine, broker=stop on the broker hydra started. */
export function checkFaultPlace(faults: readonly PlannedFault[], where: { localApps: boolean; embeddedBroker: boolean }, source: string): void {
  for (const f of faults) {
    const a = f.action;
    if ((a.kind === 'stop' || a.kind === 'kill') && !where.localApps)
      throw new ConfigError(
        source,
        f.text,
        `${a.kind}= signals apps hydra runs on this machine; with apps on other hosts or Kubernetes use command= (e.g. command='kubectl delete pod ...')`,
      );
    if (a.kind === 'broker-stop' && !where.embeddedBroker)
      throw new ConfigError(
        source,
        f.text,
        "broker=stop freezes hydra's embedded broker; to stop a broker of a real cluster use command='ssh kafka-2 sudo systemctl stop kafka' undo='ssh kafka-2 sudo systemctl start kafka'",
      );
  }
}

/** When the faults of a schedule begin and end, from the start of the window, ms: the first start, the last end. */
export function faultSpan(faults: readonly PlannedFault[]): { from_ms: number; to_ms: number } | null {
  if (faults.length === 0) return null;
  return { from_ms: Math.min(...faults.map((f) => f.at_ms)), to_ms: Math.max(...faults.map((f) => f.at_ms + f.for_ms)) };
}

/** What a schedule may cause on purpose: publisher send errors (a fault on the broker side or on a publisher) and a consumer group's rebalance. */
export function plannedEffects(faults: readonly PlannedFault[]): { sendErrors: boolean; rebalance: boolean } {
  const kinds = faults.map((f) => f.action);
  return {
    sendErrors: kinds.some((a) => a.kind === 'broker-stop' || a.kind === 'command' || (a.kind === 'stop' && a.app.startsWith('pub'))),
    rebalance: kinds.some((a) => a.kind === 'broker-stop' || a.kind === 'command' || ((a.kind === 'stop' || a.kind === 'kill') && a.app.startsWith('sub-'))),
  };
}
