import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PointParams } from '../config/options';
import { errorMessage, retryClass, StudyInterrupted, StudyStopped } from '../errors';
import type { PointRunner } from '../runner/point-runner';
import type { EventSink } from './events';
import { pointKey } from './grid';
import type { PointRecord } from './record';
import { repeatKey } from './repeats';

/** HYDRA retried a point up to 4 times. */
export const MAX_ATTEMPTS = 4;

/**
 * Measures one point. A retriable failure, or a run whose apps did not all survive (faults), is
 * retried with fresh apps up to `maxAttempts` times; after the last attempt the point is stored
 * as failed (no figures) or invalid (figures kept for diagnosis, never plotted). A deterministic
 * failure (a rejected configuration) is stored as failed at once; a failure that stops the whole
 * study (the broker hydra started died, StudyStopped) is not stored at all.
 */
export async function measureWithRetries(
  session: PointRunner,
  params: PointParams,
  maxAttempts: number,
  emit: EventSink,
  tags?: PointRecord['tags'],
  repeat = 0,
): Promise<PointRecord> {
  const started = new Date();
  // Why each earlier attempt was measured again: the record says it, not only how many there were.
  const retriedBecause: string[] = [];
  const base = (
    attempts: number,
  ): Pick<PointRecord, 'key' | 'params' | 'started_at' | 'elapsed_s' | 'attempts' | 'repeat' | 'retried_because'> & { tags?: PointRecord['tags'] } => ({
    key: repeatKey(pointKey(params), repeat),
    params,
    ...(repeat > 0 ? { repeat } : {}),
    started_at: started.toISOString(),
    elapsed_s: (Date.now() - started.getTime()) / 1000,
    attempts,
    ...(retriedBecause.length ? { retried_because: [...retriedBecause] } : {}),
    ...(tags ? { tags } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    if (session.isClosed) throw new StudyInterrupted('study interrupted; finished points are saved');
    let retryBecause: string;
    try {
      const run = await session.runPoint(params);
      const served = {
        topic: run.topic,
        sub_pids: run.subPids,
        apps: run.apps,
        ...(run.replaced.length ? { replaced: run.replaced } : {}),
        ...(run.fault ? { fault: run.fault } : {}),
        ...(run.broker ? { broker: run.broker } : {}),
      };
      if (run.faults.length === 0) return { ...base(attempt), status: 'ok', result: run.result, error: null, ...served };
      const reason = run.faults.join('; ');
      if (run.retryHopeless)
        return { ...base(attempt), status: 'invalid', result: run.result, error: `${reason} (not retried: ${run.retryHopeless})`, ...served };
      if (attempt >= maxAttempts) return { ...base(attempt), status: 'invalid', result: run.result, error: reason, ...served };
      retryBecause = `invalid (harness fault): ${reason}`;
    } catch (err) {
      if (session.isClosed) throw new StudyInterrupted('study interrupted; finished points are saved');
      if (err instanceof StudyStopped) throw err;
      const reason = errorMessage(err);
      const retry = retryClass(err);
      // A bug is stored at once, its stack kept where a developer will look.
      const error = !retry.retriable && retry.why === 'bug' ? `${reason} (a bug in hydra: ${logBug(session, params, err)})` : reason;
      if (!retry.retriable || attempt >= maxAttempts) return { ...base(attempt), status: 'failed', result: null, error, topic: null };
      retryBecause = reason;
    }
    retriedBecause.push(retryBecause);
    emit({ type: 'point-retry', attempt: attempt + 1, maxAttempts, params, error: retryBecause });
    // A retry gets fresh apps: the old ones may be the reason the point failed.
    await session.resetApps();
  }
}

/** Appends a bug's stack to the run's `runner.log`; says where it went. */
function logBug(session: PointRunner, params: PointParams, err: unknown): string {
  const file = path.join(session.logDir, 'runner.log');
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    fs.appendFileSync(file, `${new Date().toISOString()} point ${pointKey(params)}: ${stack}\n`);
    return `its stack is in ${file}`;
  } catch {
    return `its stack: ${stack.split('\n').slice(0, 3).join(' | ')}`;
  }
}
