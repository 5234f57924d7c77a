import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_OPTIONS, type HydraOptions } from '../src/config/options';
import type { PointResult } from '../src/stats/result';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HYDRA_BIN = path.join(REPO_ROOT, 'bin', 'hydra');

export function uniqueTag(prefix = 'hydratest'): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

export function tempDir(prefix = 'hydra-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI as a child process with a hard timeout (SIGKILL). `tag` is put in the
 * environment, which every app and kcat inherit, so leftovers can be found by it afterwards.
 */
export function runHydra(
  args: string[],
  opts: { tag: string; cwd?: string; timeoutMs?: number; onStderr?: (chunk: string, kill: (sig: NodeJS.Signals) => void) => void },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HYDRA_BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, HYDRA_TEST_TAG: opts.tag },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(d, (sig) => child.kill(sig));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes flush.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

/** The command line of a live process, '' when it is gone. */
export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** PIDs of live processes whose environment carries HYDRA_TEST_TAG=tag. */
export function processesWithTag(tag: string): number[] {
  const needle = Buffer.from(`HYDRA_TEST_TAG=${tag}\0`);
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`);
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Zombies are already dead; only their parent's wait is missing.
      if (/\) Z /.test(stat)) continue;
      if (env.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls until no process carries the tag, or returns the survivors after `timeoutMs`. */
export async function waitNoProcesses(tag: string, timeoutMs = 8000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesWithTag(tag);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function killTagged(tag: string): void {
  for (const pid of processesWithTag(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * Per-suite sandbox for CLI tests: a temp directory and fresh process tags; after the suite,
 * anything still carrying one of the tags is killed and the directory removed.
 */
export function cliSandbox(): { dir(): string; tag(): string } {
  let dir = '';
  const tags: string[] = [];
  before(() => {
    dir = tempDir();
  });
  after(() => {
    for (const t of tags) killTagged(t);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    tag: () => {
      const t = uniqueTag();
      tags.push(t);
      return t;
    },
  };
}

/** The pids of `pids` still running: an orphan check for tests that know their apps' pids. */
export function stillAlive(pids: Iterable<number>): number[] {
  return [...pids].filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/** Options of an in-process session test: 2 sub apps × 2 clients at 1 000 msg/s, short timeouts, no ini file. */
export function sessionTestOptions(over: Partial<HydraOptions> = {}): HydraOptions {
  return {
    ...DEFAULT_OPTIONS,
    config_file: '',
    log_dir: '',
    control_timeout_ms: 3000,
    drain_timeout: 3,
    total_sub_apps: 2,
    clients_per_app: 2,
    test_duration: 3,
    msg_rate: 1000,
    ...over,
  };
}

type Judged = Pick<PointResult, 'verdict' | 'harness_limits' | 'harness_notes'>;

/**
 * CI shares a 2-core machine: a point there may rightly be held back by the host. A test whose
 * subject is not the host accepts that, but only as a true verdict: the host named with its run
 * queue, and said on the test's output (never a silent pass). Returns whether the host was a limit.
 */
export function busyHost(r: Judged, what = 'point'): boolean {
  if (!r.harness_limits.includes('host')) return false;
  assert.equal(r.verdict, 'harness_limited', `${what}: a host limit makes the point harness-limited`);
  const note = r.harness_notes.find((n) => n.startsWith('the host')) ?? '';
  assert.match(note, /^the host, not Kafka, was the limit: .*(runnable on \d+ cores|waiting for a CPU|starved of CPU)/, `${what}: the host's note: ${note}`);
  process.stderr.write(`      (busy host: ${what} held back by the host — ${note})\n`);
  return true;
}

/** The harness limits other than the host's (which a busy CI machine may add to any point). */
export function limitsBesidesHost(r: Judged): string[] {
  return r.harness_limits.filter((l) => l !== 'host');
}

/** A clean point on the embedded broker — or, on a busy host, one the host held back, said so. */
export function assertRehearsalOrBusyHost(r: Judged, what = 'point'): void {
  if (busyHost(r, what)) assert.deepEqual(limitsBesidesHost(r), [], `${what}: ${r.harness_notes.join('; ')}`);
  else assert.equal(r.verdict, 'rehearsal', `${what}: ${r.harness_notes.join('; ')}`);
}
