import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';

/**
 * Planned faults: what a point does to its own setup on purpose, and when. Written
 * `at=3s for=5s <action>`, several joined with `;`; the actions:
 *
 * - `stop=<app>`: freeze a sub app or a publisher (SIGSTOP) for `for`, then let it go on (SIGCONT);
 * - `kill=<app>`: kill a sub app (a consumer dying; its partitions go to a shared group's others);
 * - `command='<cmd>' [undo='<cmd>']`: run a command at `at` and its undo after `for`, no shell;
 * - `broker=stop`: freeze hydra's embedded broker for `for` (it owns that process).
 *
 * Times count from the start of the measuring window; the fault must end inside it.
 */
export type FaultAction =
  { kind: 'stop'; app: string } | { kind: 'kill'; app: string } | { kind: 'command'; command: string[]; undo: string[] | null } | { kind: 'broker-stop' };

export interface PlannedFault {
  /** The fault as written (one of the `;`-separated parts). */
  text: string;
  /** From the start of the measuring window, ms. */
  at_ms: number;
  /** How long it lasts, ms (0 for a kill: the app stays dead for the rest of the point). */
  for_ms: number;
  action: FaultAction;
}

/** The words a schedule is made of, quotes kept together (`command='ssh k2 sudo systemctl stop kafka'`). */
function words(text: string, source: string): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | null = null;
  let started = false;
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (quote !== null) throw new ConfigError(source, text, `a ${quote} quote is not closed`);
  if (started) out.push(word);
  return out;
}

/** Splits on `;` outside quotes: a command may hold one. */
function parts(raw: string): string[] {
  const out: string[] = [];
  let part = '';
  let quote: string | null = null;
  for (const ch of raw) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ';') {
      out.push(part);
      part = '';
      continue;
    }
    part += ch;
  }
  out.push(part);
  return out.map((p) => p.trim()).filter((p) => p !== '' && p !== 'none');
}

/** `3s`, `500ms`, `1.5s`, `2` (seconds) → ms. */
function durationMs(value: string, source: string, key: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  if (!m) throw new ConfigError(source, `${key}=${value}`, 'expected a duration such as 3s, 1.5s or 500ms');
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : n * 1000);
}

const KEYS = ['at', 'for', 'stop', 'kill', 'command', 'undo', 'broker'] as const;
type Key = (typeof KEYS)[number];

/** Reads a schedule (`fault`, `;`-separated); '' or `none` plans nothing. Checks its syntax only (checkFaultSchedule checks it fits a point). */
export function parseFaultSchedule(raw: string, source: string): PlannedFault[] {
  return parts(raw).map((text) => {
    const fields = new Map<Key, string>();
    for (const word of words(text, source)) {
      const eq = word.indexOf('=');
      const key = (eq > 0 ? word.slice(0, eq) : word) as Key;
      if (!KEYS.includes(key))
        throw new ConfigError(source, text, `'${word}' is not part of a fault (at=, for=, and one of stop=, kill=, command= [undo=], broker=stop)`);
      if (eq < 0 || word.length === eq + 1) throw new ConfigError(source, text, `${key}= needs a value`);
      if (fields.has(key)) throw new ConfigError(source, text, `${key}= is given twice`);
      fields.set(key, word.slice(eq + 1));
    }
    const actions = (['stop', 'kill', 'command', 'broker'] as const).filter((k) => fields.has(k));
    if (actions.length !== 1)
      throw new ConfigError(
        source,
        text,
        actions.length === 0
          ? 'names no action (stop=<app>, kill=<app>, command=..., broker=stop)'
          : `names ${actions.length} actions (${actions.join(', ')}): one per fault`,
      );
    const at = fields.get('at');
    if (at === undefined) throw new ConfigError(source, text, 'needs at= (when it starts, from the start of the measuring window, e.g. at=3s)');
    const kind = actions[0] as (typeof actions)[number];
    const forText = fields.get('for');
    if (kind === 'kill' && forText !== undefined)
      throw new ConfigError(source, text, 'a killed app stays dead for the rest of the point: kill= takes no for= (stop= freezes an app for a while)');
    if (kind !== 'kill' && forText === undefined) throw new ConfigError(source, text, 'needs for= (how long it lasts, e.g. for=2s)');
    if (fields.has('undo') && kind !== 'command') throw new ConfigError(source, text, 'undo= goes with command=');
    const at_ms = durationMs(at, source, 'at');
    const for_ms = forText === undefined ? 0 : durationMs(forText, source, 'for');
    if (kind !== 'kill' && for_ms <= 0) throw new ConfigError(source, text, 'for= must be longer than 0');
    const value = fields.get(kind) as string;
    let action: FaultAction;
    if (kind === 'broker') {
      if (value !== 'stop')
        throw new ConfigError(source, text, `broker=${value}: the embedded broker can only be stopped (broker=stop); stop a real broker with command=`);
      action = { kind: 'broker-stop' };
    } else if (kind === 'command') {
      const undo = fields.get('undo');
      action = { kind: 'command', command: words(value, source), undo: undo === undefined ? null : words(undo, source) };
    } else action = { kind, app: value };
    return { text, at_ms, for_ms, action };
  });
}

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

/** Where a command would be found: its path, or null when it is not (no shell: PATH is searched here). */
export function findCommand(name: string, envPath = process.env['PATH'] ?? ''): string | null {
  const executable = (file: string): boolean => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name === '{node}') return process.execPath;
  if (name.includes('/')) return executable(name) ? path.resolve(name) : null;
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return null;
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
