import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, StudyError } from '../errors';
import type { PointRecord } from './record';
import type { RateFinding, StudySpec } from './spec';

const SPEC_FILE = 'study.json';
const POINTS_FILE = 'points.jsonl';
const FINDINGS_FILE = 'findings.json';

/**
 * A study on disk: `study.json` (spec, rewritten atomically), `points.jsonl` (one line per
 * finished point, appended and fsynced as each completes, never rewritten) and, for kafkarate,
 * `findings.json`. A crash can at worst leave a truncated last line, which readers skip.
 */
export class StudyStore {
  private constructor(readonly dir: string) {}

  static create(resultsDir: string, spec: StudySpec): StudyStore {
    const dir = path.join(resultsDir, spec.id);
    if (fs.existsSync(path.join(dir, SPEC_FILE))) throw new StudyError(`study '${spec.id}' already exists in ${dir}`);
    fs.mkdirSync(dir, { recursive: true });
    const store = new StudyStore(dir);
    store.writeSpec(spec);
    return store;
  }

  /** Opens the study in `dir`. */
  static atDir(dir: string): StudyStore {
    if (!fs.existsSync(path.join(dir, SPEC_FILE))) throw new StudyError(`no study in ${dir}`);
    return new StudyStore(dir);
  }

  /** Opens `results/<id>` (or a study directory path). */
  static open(resultsDir: string, idOrDir: string): StudyStore {
    const candidates = [path.join(resultsDir, idOrDir), idOrDir];
    for (const dir of candidates) if (fs.existsSync(path.join(dir, SPEC_FILE))) return new StudyStore(dir);
    throw new StudyError(`no study '${idOrDir}' in ${resultsDir} (hydra study list shows the studies there)`);
  }

  get id(): string {
    return path.basename(this.dir);
  }

  readSpec(): StudySpec {
    const file = path.join(this.dir, SPEC_FILE);
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as StudySpec;
    } catch (err) {
      throw new StudyError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  writeSpec(spec: StudySpec): void {
    writeAtomic(path.join(this.dir, SPEC_FILE), JSON.stringify(spec, null, 2) + '\n');
  }

  /** Appends one finished point and forces it to disk before returning. */
  appendPoint(record: PointRecord): void {
    const file = path.join(this.dir, POINTS_FILE);
    const fd = fs.openSync(file, 'a');
    try {
      // A previous crash may have left a partial line; start ours on a fresh line.
      const size = fs.fstatSync(fd).size;
      const prefix = size > 0 && !endsWithNewline(file, size) ? '\n' : '';
      fs.writeSync(fd, prefix + JSON.stringify(record) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Every complete point line; a truncated or garbled line (crash mid-write) is skipped. */
  readPoints(): PointRecord[] {
    return readJsonLines<PointRecord>(path.join(this.dir, POINTS_FILE));
  }

  writeFindings(findings: RateFinding[]): void {
    writeAtomic(path.join(this.dir, FINDINGS_FILE), JSON.stringify(findings, null, 2) + '\n');
  }

  readFindings(): RateFinding[] {
    const file = path.join(this.dir, FINDINGS_FILE);
    if (!fs.existsSync(file)) return [];
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as RateFinding[];
    } catch (err) {
      throw new StudyError(`cannot read ${file}: ${errorMessage(err)}`);
    }
  }
}

/** Study ids under a results directory, oldest first. */
export function listStudyIds(resultsDir: string): string[] {
  if (!fs.existsSync(resultsDir)) return [];
  return fs
    .readdirSync(resultsDir)
    .filter((name) => fs.existsSync(path.join(resultsDir, name, SPEC_FILE)))
    .sort();
}

export function readJsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // Partial line from an interrupted write: the point was not finished, so it will be redone.
    }
  }
  return out;
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

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
