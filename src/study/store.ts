import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ConfigError, errorMessage, StudyError, StudyStopped, UnknownStudyError } from '../errors';
import { didYouMean } from '../config/suggest';
import { makeDirectory, removeCreated } from '../dirs';
import { eachLine, readBounded } from '../files';
import { upgradeFinding, upgradeRecord, upgradeSpec } from './migrate';
import type { PointRecord } from './record';
import type { RateFinding, StudySpec } from './spec';

const SPEC_FILE = 'study.json';
const POINTS_FILE = 'points.jsonl';
const FINDINGS_FILE = 'findings.json';
const LOCK_FILE = '.lock';

/** Study ids are directory names: letters, digits, '.', '_' and '-', starting with a letter or digit. */
const STUDY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The most of a study hydra reads, bytes: a spec or findings file is a few KB, a point's line a few
 * (a faulted point's timelines some hundred KB). Beyond these a file is not one hydra wrote, and
 * reading it would only cost the machine its memory.
 */
export const STUDY_LIMITS = { spec: 4 * 1024 * 1024, findings: 4 * 1024 * 1024, points: 256 * 1024 * 1024, pointLine: 16 * 1024 * 1024 } as const;

/** A line of points.jsonl that could not be read: its number (from 1) and why. */
export interface DamagedLine {
  line: number;
  reason: string;
}

/** A study's stored points, and the lines of points.jsonl that held none (named by every reader). */
export interface StoredPoints {
  points: PointRecord[];
  damaged: DamagedLine[];
}

/**
 * Refuses an id that is not a plain directory name (`..`, `a/b`, absolute paths) or that would
 * put the study where hydra keeps something else (the default log directory, `logs`).
 */
export function checkStudyId(id: string, source = 'study id'): void {
  if (!STUDY_ID.test(id) || id === '..' || id === '.')
    throw new ConfigError(source, id, "use letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit");
  if (id === 'logs') throw new ConfigError(source, id, 'reserved: hydra keeps app logs there');
}

/** Locks of studies this process holds, removed synchronously if it exits without releasing them. */
const heldLocks = new Set<string>();
process.on('exit', () => {
  for (const file of heldLocks) {
    try {
      fs.unlinkSync(file);
    } catch {
      // Already gone.
    }
  }
});

/**
 * A study on disk: `study.json` (spec, rewritten atomically), `points.jsonl` (one line per
 * finished point, appended and fsynced as each completes, never rewritten) and, for kafkarate,
 * `findings.json`. A crash can at worst leave a truncated last line, which readers skip. What an
 * older hydra stored is read in the current shape (migrate.ts); the files are not rewritten.
 */
export class StudyStore {
  private constructor(
    readonly dir: string,
    /** The spec this store wrote when it created the study: what a run of the new study starts from, not read back. */
    readonly createdSpec: StudySpec | null = null,
  ) {}

  /**
   * Creates the study, all or nothing: its spec is on disk (written and synced) or nothing of it
   * is — a full disk takes back the file and the directories it made, so the id can be used
   * again. A study left with an unreadable spec and no points (a creation cut short before this
   * rule) is taken over.
   */
  static create(resultsDir: string, spec: StudySpec): StudyStore {
    checkStudyId(spec.id);
    const dir = path.join(resultsDir, spec.id);
    const file = path.join(dir, SPEC_FILE);
    let created: string[] = [];
    let fd: number | undefined;
    try {
      created = makeDirectory(dir);
      // Exclusive create: of two runs creating one study id at once, exactly one wins.
      fd = openExclusive(file, dir);
      const bytes = Buffer.from(JSON.stringify(spec, null, 2) + '\n');
      for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      fs.fsyncSync(fd);
    } catch (err) {
      if (fd !== undefined) {
        fs.closeSync(fd);
        fd = undefined;
        fs.rmSync(file, { force: true });
      }
      removeCreated(created);
      if (err instanceof StudyError) throw err;
      throw diskError(file, err);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return new StudyStore(dir, spec);
  }

  /** Opens the study in `dir`. */
  static atDir(dir: string): StudyStore {
    if (!fs.existsSync(path.join(dir, SPEC_FILE))) throw new StudyError(`no study in ${dir}`);
    return new StudyStore(dir);
  }

  /**
   * Opens `results/<id>` by its id only — never a path, never outside the results directory (what
   * `hydra serve` hands out).
   */
  static openById(resultsDir: string, id: string): StudyStore {
    const dir = path.join(resultsDir, id);
    if (!STUDY_ID.test(id) || !fs.existsSync(path.join(dir, SPEC_FILE))) throw new UnknownStudyError(id, resultsDir);
    return new StudyStore(dir);
  }

  /** Opens `results/<id>`, or a study directory given as a path (`./results/x`, `/data/studies/x`). */
  static open(resultsDir: string, idOrDir: string): StudyStore {
    const candidates = STUDY_ID.test(idOrDir) ? [path.join(resultsDir, idOrDir)] : idOrDir.includes('/') ? [idOrDir] : [];
    for (const dir of candidates) if (fs.existsSync(path.join(dir, SPEC_FILE))) return new StudyStore(dir);
    throw new UnknownStudyError(idOrDir, resultsDir, didYouMean(idOrDir, listStudyIds(resultsDir)));
  }

  get id(): string {
    return path.basename(this.dir);
  }

  /** The study's spec, in the current shape whatever hydra stored it (migrate.ts). */
  readSpec(): StudySpec {
    const file = path.join(this.dir, SPEC_FILE);
    const text = readBounded(file, STUDY_LIMITS.spec, 'a study spec');
    try {
      return upgradeSpec(JSON.parse(text) as StudySpec);
    } catch (err) {
      throw new StudyError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  writeSpec(spec: StudySpec): void {
    const file = path.join(this.dir, SPEC_FILE);
    try {
      writeAtomic(file, JSON.stringify(spec, null, 2) + '\n');
    } catch (err) {
      throw diskError(file, err);
    }
  }

  /**
   * Appends one finished point and forces it to disk before returning. A short write (a full disk)
   * is cut back to the previous end of file, so no partial line is left, and stops the study.
   */
  appendPoint(record: PointRecord): void {
    const file = path.join(this.dir, POINTS_FILE);
    let fd: number | undefined;
    let size = 0;
    try {
      fd = fs.openSync(file, 'a');
      size = fs.fstatSync(fd).size;
      // A previous crash may have left a partial line; start ours on a fresh line.
      const prefix = size > 0 && !endsWithNewline(file, size) ? '\n' : '';
      const bytes = Buffer.from(prefix + JSON.stringify(record) + '\n');
      for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      fs.fsyncSync(fd);
    } catch (err) {
      if (fd !== undefined) {
        try {
          fs.ftruncateSync(fd, size);
        } catch {
          // The reader skips a partial line anyway.
        }
      }
      throw diskError(file, err);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The file of the study's points. */
  get pointsFile(): string {
    return path.join(this.dir, POINTS_FILE);
  }

  /**
   * The study's points: the latest record of each point (a point measured again after it failed
   * has two lines; the later one counts).
   */
  readPoints(): PointRecord[] {
    return this.readStored().points;
  }

  /**
   * The study's points and the lines that held none: a line cut short (a crash mid-write), one
   * that is not JSON or not a point, one longer than hydra writes. Such a line's point is not
   * stored — a resume measures it again — and every reader names the line.
   */
  readStored(): StoredPoints {
    const latest = new Map<string, PointRecord>();
    const damaged: DamagedLine[] = [];
    eachLine(this.pointsFile, { maxBytes: STUDY_LIMITS.points, maxLineBytes: STUDY_LIMITS.pointLine, what: 'a study’s points' }, (text, line) => {
      const stored = parsePointLine(text);
      if (stored === null) return;
      if (typeof stored === 'string') {
        damaged.push({ line, reason: stored });
        return;
      }
      const record = upgradeRecord(stored);
      latest.delete(record.key);
      latest.set(record.key, record);
    });
    return { points: [...latest.values()], damaged };
  }

  /**
   * Locks the study for this process; returns the release. A lock held by a live process refuses
   * the run; one left by a process that died is taken over.
   */
  lock(): () => void {
    const file = path.join(this.dir, LOCK_FILE);
    const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
    for (let tries = 0; ; tries++) {
      try {
        fs.writeFileSync(file, mine, { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0)
          throw new StudyError(`cannot lock study '${this.id}' (${file}): ${errorMessage(err)}`);
        const holder = readLock(file);
        if (holder && holder.host === os.hostname() && isAlive(holder.pid)) {
          throw new StudyError(`study '${this.id}' is being run by process ${holder.pid} (since ${holder.since}); wait for it to finish or stop it first`);
        }
        // A stale lock from a process that died: take it over.
        fs.rmSync(file, { force: true });
      }
    }
    heldLocks.add(file);
    return () => {
      heldLocks.delete(file);
      if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    };
  }

  /** The live process running the study on this host, if any (its lock's holder). */
  activeRun(): { pid: number; since: string } | null {
    const holder = readLock(path.join(this.dir, LOCK_FILE));
    return holder && holder.host === os.hostname() && isAlive(holder.pid) ? { pid: holder.pid, since: holder.since } : null;
  }

  writeFindings(findings: RateFinding[]): void {
    writeAtomic(path.join(this.dir, FINDINGS_FILE), JSON.stringify(findings, null, 2) + '\n');
  }

  readFindings(): RateFinding[] {
    const file = path.join(this.dir, FINDINGS_FILE);
    if (!fs.existsSync(file)) return [];
    const text = readBounded(file, STUDY_LIMITS.findings, 'a study’s findings');
    try {
      return (JSON.parse(text) as RateFinding[]).map(upgradeFinding);
    } catch (err) {
      throw new StudyError(`cannot read ${file}: ${errorMessage(err)}`);
    }
  }
}

/**
 * Opens `file` for a new study, exclusively; an abandoned one (an unreadable spec, no points) is
 * replaced, any other existing study is refused.
 */
function openExclusive(file: string, dir: string): number {
  try {
    return fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const id = path.basename(dir);
    if (!abandoned(dir)) throw new StudyError(`study '${id}' already exists in ${dir}`);
    fs.rmSync(file, { force: true });
    return fs.openSync(file, 'wx');
  }
}

/**
 * A study directory whose creation was cut short: its spec cannot be read, it holds no point,
 * and the spec is older than a creation in progress could be (another run's create, between its
 * exclusive open and its write, must not look abandoned).
 */
function abandoned(dir: string): boolean {
  const file = path.join(dir, SPEC_FILE);
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'));
    return false;
  } catch {
    const ageMs = Date.now() - fs.statSync(file).mtimeMs;
    return ageMs > ABANDONED_AFTER_MS && !hasContent(path.join(dir, POINTS_FILE));
  }
}

/** How old an unreadable spec must be before a create takes its study over, ms. */
const ABANDONED_AFTER_MS = 10_000;

/** Study ids under a results directory, oldest first. */
export function listStudyIds(resultsDir: string): string[] {
  if (!fs.existsSync(resultsDir)) return [];
  return fs
    .readdirSync(resultsDir)
    .filter((name) => fs.existsSync(path.join(resultsDir, name, SPEC_FILE)))
    .sort();
}

/** A file that exists and holds more than white space. */
function hasContent(file: string): boolean {
  try {
    return fs.statSync(file).size > 0 && fs.readFileSync(file, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** A line of points.jsonl as a stored point; null for a blank line; why not, for a damaged one. */
function parsePointLine(text: string | null): PointRecord | string | null {
  if (text === null) return `longer than ${STUDY_LIMITS.pointLine / 1024 / 1024} MB`;
  if (text.trim() === '') return null;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return 'not JSON (a write cut short, or edited)';
  }
  return isPointLike(stored) ? stored : 'not a point (no key, params or status)';
}

/** What a stored point line must have to be read as one (older hydras' shapes included: migrate.ts fills the rest). */
function isPointLike(value: unknown): value is PointRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.key === 'string' && typeof v.params === 'object' && v.params !== null && typeof v.status === 'string';
}

/** The damaged lines of a study's points file, one warning each: what a reader prints before it uses the study. */
export function damageWarnings(store: StudyStore, damaged: readonly DamagedLine[]): string[] {
  return damaged.map(
    (d) => `${store.pointsFile} line ${d.line}: ${d.reason} — skipped; the point it held is not stored (hydra study resume ${store.id} measures it again)`,
  );
}

function endsWithNewline(file: string, size: number): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1);
    fs.readSync(fd, buf, 0, 1, size - 1);
    return buf[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

function readLock(file: string): { pid: number; host: string; since: string } | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; host: string; since: string };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A write to the results directory failed: the study cannot go on, and says what to do. */
function diskError(file: string, err: unknown): StudyStopped {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOSPC' || code === 'EDQUOT' ? ' (the disk is full: free space there)' : '';
  return new StudyStopped(`cannot write ${file}: ${code ?? errorMessage(err)}${hint}`, { cause: err });
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Every JSON line of `file` that parses, skipping the rest (tests read what was written with it). */
export function readJsonLines<T>(file: string): T[] {
  const out: T[] = [];
  eachLine(file, { maxBytes: STUDY_LIMITS.points, maxLineBytes: STUDY_LIMITS.pointLine, what: 'JSON lines' }, (text) => {
    if (text === null || text.trim() === '') return;
    try {
      out.push(JSON.parse(text) as T);
    } catch {
      // Skipped: readStored names such lines.
    }
  });
  return out;
}
