import { ConfigError } from '../errors';

/**
 * The grammar of planned faults, the `fault` option's value: what a point does to its own setup on
 * purpose, and when (what is checked against a point, and what runs them, is src/faults/). Written
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

/** The most faults one schedule plans: a point with more is not a fault study but a storm. */
export const MAX_FAULTS = 32;

/** Reads a schedule (`fault`, `;`-separated); '' or `none` plans nothing. Checks its syntax only (faults/checks.ts checks it fits a point). */
export function parseFaultSchedule(raw: string, source: string): PlannedFault[] {
  const texts = parts(raw);
  if (texts.length > MAX_FAULTS) throw new ConfigError(source, `${raw.slice(0, 40)}…`, `plans ${texts.length} faults; at most ${MAX_FAULTS} in one point`);
  return texts.map((text) => parseFault(text, source));
}

function parseFault(text: string, source: string): PlannedFault {
  {
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
  }
}

/**
 * A point's planned faults as a value: parsed once, where the value enters hydra (a flag, an ini
 * key, a workload file, a stored study), and carried typed from there to the driver that runs
 * them. Its text is what is stored and what a point's key holds (toJSON, toString): the same
 * `fault=` as before, so stored studies and keys are unchanged.
 */
export class FaultSchedule {
  /** No planned fault (the default). */
  static readonly NONE = new FaultSchedule('', []);

  private constructor(
    /** As written: the stored value and the point key's. */
    readonly text: string,
    readonly faults: readonly PlannedFault[],
    /** Why a stored text could not be read again (FaultSchedule.stored); null when it was. */
    readonly unreadable: string | null = null,
  ) {}

  /** Reads a schedule as written, refusing (naming `source`) what is not one. */
  static parse(raw: string, source: string): FaultSchedule {
    if (raw === '') return FaultSchedule.NONE;
    return new FaultSchedule(raw, parseFaultSchedule(raw, source));
  }

  /**
   * A schedule as a point of a stored study holds it, for reading its figures: one a later hydra
   * would refuse keeps its text, plans nothing, and says why (a study that runs it again reads its
   * spec with parse, and is refused).
   */
  static stored(text: string): FaultSchedule {
    try {
      return FaultSchedule.parse(text, 'fault');
    } catch (err) {
      return new FaultSchedule(text, [], err instanceof Error ? err.message : String(err));
    }
  }

  /** It plans at least one fault. */
  get planned(): boolean {
    return this.faults.length > 0;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}
