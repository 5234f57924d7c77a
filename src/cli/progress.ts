import type { PointParams } from '../config/options';
import type { EventSink, HydraEvent } from '../study/events';
import { searchLine } from '../present/findings';
import { faultLine } from '../present/fault';
import { pointName } from '../present/point-name';
import { pointVerdict, RemedyOnce } from '../present/verdict';
import type { CliIO } from './command';

/** Plain progress lines for a single point: one line per runner phase. */
export function phaseLogger(io: CliIO): EventSink {
  return (event) => {
    if (event.type === 'broker') io.stderr.write(`hydra: ${event.embedded ? 'embedded broker' : 'broker'} at ${event.brokers.join(',')}\n`);
    else if (event.type === 'control') io.stderr.write(controlLine(event.host) + '\n');
    else if (event.type === 'phase') io.stderr.write(`hydra: ${event.phase}${event.detail ? `: ${event.detail}` : ''}\n`);
    else if (event.type === 'cleanup') io.stderr.write(cleanupLines(event).join('\n') + '\n');
  };
}

/** What a run removed from the cluster, and what it left with the command that removes it. */
export function cleanupLines(event: { run: string; topics: number; groups: number; failed: string[] }): string[] {
  const lines = [`hydra: removed ${event.topics} topic(s) and ${event.groups} consumer group(s) of run ${event.run} from the cluster`];
  if (event.failed.length > 0)
    lines.push(
      `hydra: could not remove: ${event.failed.join('; ')} — remove them with: hydra clean --run=${event.run} --yes (or keep them next time with --keep_topics)`,
    );
  return lines;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Study progress: on a terminal, one bar redrawn in place with an ETA from the mean time of the
 * points measured so far; otherwise one plain line per event, for logs and CI.
 */
export function studyProgress(io: CliIO, pace: ProgressPace = DEFAULT_PACE): EventSink {
  let total = 0;
  let done = 0;
  let measuredTime = 0;
  let measured = 0;
  let current = '';
  let varied: readonly string[] = [];
  const describe = (p: PointParams): string => pointName(p, varied);
  let pointStart = 0;
  const tty = io.interactive;
  const remedies = new RemedyOnce();
  const out = (text: string): void => {
    io.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  };
  // The phase of the point in progress, so a long one shows it is alive (not hung).
  let phase = '';
  let phaseStart = 0;
  let lastLine = 0;
  let ticker: NodeJS.Timeout | undefined;
  const inPoint = (): string => (phase ? ` — ${phase} ${Math.round((Date.now() - phaseStart) / 1000)} s` : '');
  const bar = (): void => {
    const width = 24;
    const filled = total ? Math.round((done / total) * width) : 0;
    const eta = measured ? formatDuration((measuredTime / measured) * (total - done)) : '?';
    out(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} points  ETA ${eta}  ${current}${inPoint()}`);
  };
  const tick = (): void => {
    if (!current) return;
    if (tty) bar();
    else if (phase && Date.now() - lastLine >= pace.quietMs) {
      out(`hydra: point ${done + 1}/${total} still running: ${current}${inPoint()}`);
      lastLine = Date.now();
    }
  };
  const stopTicker = (): void => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  return (event: HydraEvent) => {
    lastLine = Date.now();
    switch (event.type) {
      case 'broker':
        out(`hydra: ${event.embedded ? 'embedded broker' : 'broker'} at ${event.brokers.join(',')}${brokerMetricsWords(event)}`);
        if (tty) io.stderr.write('\n');
        break;
      case 'control':
        out(controlLine(event.host));
        if (tty) io.stderr.write('\n');
        break;
      case 'cleanup':
        for (const text of cleanupLines(event)) {
          out(text);
          if (tty) io.stderr.write('\n');
        }
        break;
      case 'study-start':
        total = event.totalPoints;
        done = event.donePoints;
        varied = event.varied ?? [];
        out(`hydra: study ${event.studyId} in ${event.dir}: ${total} points${done ? `, ${done} already done` : ''}`);
        if (tty) io.stderr.write('\n');
        break;
      case 'point-start':
        current = describe(event.params);
        pointStart = Date.now();
        phase = '';
        // Unref'd: the ticker never keeps a finished or failed command alive.
        ticker ??= setInterval(tick, tty ? pace.barMs : Math.min(pace.quietMs, 1000)).unref();
        if (tty) bar();
        else out(`hydra: point ${event.index + 1}/${event.total}: ${current}`);
        break;
      case 'point-retry':
        out(`hydra: retry ${event.attempt}/${event.maxAttempts} of ${describe(event.params)} with fresh apps: ${event.error}`);
        if (tty) io.stderr.write('\n');
        break;
      case 'point-done': {
        current = '';
        phase = '';
        done = event.index + 1;
        measured++;
        measuredTime += (Date.now() - pointStart) / 1000;
        const rec = event.record;
        const summary =
          rec.status === 'ok'
            ? `loss ${rec.result.average_packet_loss.toFixed(3)} %, rx ${rec.result.average_rate.toFixed(1)} msg/s, tx ${rec.result.average_tx_rate.toFixed(1)} msg/s, failing ${rec.result.failing_clients}/${rec.result.client_count}` +
              pointVerdict(rec.result) +
              (rec.fault ? ` — ${faultLine(rec.fault, rec.result.lost_total)}` : '')
            : `${rec.status === 'failed' ? 'FAILED' : 'INVALID (harness fault, not a Kafka measurement)'} after ${rec.attempts} attempt${rec.attempts > 1 ? 's' : ''}: ${rec.error}`;
        // What to do about a harness limit is said once per study, the first time it is hit.
        const told = rec.status === 'ok' ? remedies.newFor(rec.result) : [];
        if (tty) {
          out(`point ${done}/${total}: ${describe(event.record.params)} → ${summary}\n`);
          for (const text of told) out(`${text}\n`);
          bar();
        } else {
          out(`hydra: point ${done}/${total} done: ${describe(event.record.params)} → ${summary}`);
          for (const text of told) out(text);
        }
        break;
      }
      case 'search-done':
        out(`hydra: ${searchLine(event.finding)}`);
        if (tty) io.stderr.write('\n');
        break;
      case 'fault':
        out(`hydra: fault ${event.what} at ${event.at_s.toFixed(1)} s: ${event.fault}${event.detail ? `: ${event.detail}` : ''}`);
        if (tty) io.stderr.write('\n');
        break;
      case 'phase':
        phase = event.phase;
        phaseStart = Date.now();
        break;
      case 'points-kept':
        out(`hydra: keeping ${describeUnmeasured(event.failed, event.invalid)} as stored; measure them again with --retry_failed`);
        if (tty) io.stderr.write('\n');
        break;
      case 'study-done':
        stopTicker();
        out(`hydra: study ${event.studyId} done: ${studyTally(event)} in ${event.dir}`);
        if (tty) io.stderr.write('\n');
        break;
    }
  };
}

/** How often a running point shows it is alive: the bar's redraw, and the plain line after a quiet spell. */
export interface ProgressPace {
  barMs: number;
  quietMs: number;
}
const DEFAULT_PACE: ProgressPace = { barMs: 1000, quietMs: 30000 };

/** "4 points (3 measured now; 1 failed, 1 harness-limited)": the one line a study ends with. */
function studyTally(e: Extract<HydraEvent, { type: 'study-done' }>): string {
  const parts = [
    e.measured !== undefined && e.measured !== e.points ? `${e.measured} measured now` : '',
    `${e.failed} failed${e.invalid ? `, ${e.invalid} invalid` : ''}${e.harnessLimited ? `, ${e.harnessLimited} harness-limited` : ''}`,
  ].filter(Boolean);
  return `${e.points} point${e.points === 1 ? '' : 's'} (${parts.join('; ')})`;
}

/** "2 failed points and 1 invalid point" */
export function describeUnmeasured(failed: number, invalid: number): string {
  const part = (n: number, what: string): string => `${n} ${what} point${n === 1 ? '' : 's'}`;
  return [failed ? part(failed, 'failed') : '', invalid ? part(invalid, 'invalid') : ''].filter(Boolean).join(' and ');
}

function controlLine(host: string): string {
  return `hydra: control plane binds ${host}, beyond loopback: CURVE encryption and per-run authentication are on`;
}

/** What the broker line adds about broker-side figures: scraped from N endpoints, or none from the embedded broker (said once). */
function brokerMetricsWords(event: { embedded: boolean; metricsEndpoints?: number }): string {
  const n = event.metricsEndpoints ?? 0;
  if (n === 0) return '';
  return event.embedded
    ? " — it has no broker metrics of its own: the [broker_metrics] endpoints are scraped, but their figures are not this broker's"
    : `; broker-side figures from ${n} Prometheus endpoint${n === 1 ? '' : 's'}`;
}
