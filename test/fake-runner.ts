import type { HydraOptions, PointParams } from '../src/config/options';
import { emptyPubStats, type ClientStats, type PubStats } from '../src/control/wire';
import { PointError } from '../src/errors';
import type { RunnerEventSink } from '../src/runner/events';
import type { OpenPointRunner, PointRun, PointRunner } from '../src/runner/point-runner';
import { LatencyHistogram } from '../src/stats/histogram';
import { computeResult, type SubAppReport } from '../src/stats/result';
import { fixtureTelemetry } from './fixtures';

/**
 * A synthetic Kafka for the study layer: each subscriber client receives min(rate, capRate) msg/s
 * of what the publisher sends, so loss starts above `capRate`. Statistics are built as apps would
 * report them and go through the real computeResult.
 */
export interface SyntheticSystem {
  /** Received rate per client saturates here, msg/s (default: never). */
  capRate?: number;
  /** Publisher reaches at most this rate, at full CPU: the harness's limit, msg/s (default: whatever was asked). */
  pubCapRate?: number;
  /** The broker accepts at most this rate, the publisher idle and waiting on its answers: Kafka's limit on a real cluster, msg/s (default: none). */
  brokerCapRate?: number;
  /** The synthetic broker is a real cluster, not hydra's embedded one (whose limits are hydra's). */
  realCluster?: boolean;
  /** How a call ends instead of measuring: an error to throw, or sub apps that do not answer. Called once per runPoint. */
  fault?: (params: PointParams, call: number) => Error | { unresponsive: number; hopeless?: string } | null;
  /** Runs inside runPoint before it answers (e.g. to close the runner, as Ctrl-C does). */
  during?: (runner: FakeRunner, params: PointParams, call: number) => void | Promise<void>;
}

/** Throws a retriable point error `times` times, then measures. */
export function failsTimes(times: number, message = 'publisher app died during the test'): SyntheticSystem['fault'] {
  return (_params, call) => (call < times ? new PointError(message) : null);
}

export class FakeRunner implements PointRunner {
  readonly broker: { brokers: string[]; embedded: boolean };
  /** Where the study writes the run's own log (runner.log): nowhere unless a test points it at a directory. */
  logDir = '/nonexistent/fake-logs';
  readonly calls: PointParams[] = [];
  resets = 0;
  closes = 0;
  private closed = false;

  constructor(private readonly system: SyntheticSystem = {}) {
    this.broker = { brokers: ['127.0.0.1:1'], embedded: !system.realCluster };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async runPoint(params: PointParams): Promise<PointRun> {
    if (this.closed) throw new PointError('session is closed');
    const call = this.calls.length;
    this.calls.push(params);
    await this.system.during?.(this, params, call);
    if (this.closed) throw new PointError('session closed during the point');
    const fault = this.system.fault?.(params, call) ?? null;
    if (fault instanceof Error) throw fault;
    const unresponsive = fault?.unresponsive ?? 0;
    const result = syntheticResult(params, this.system, unresponsive);
    const subs = Array.from({ length: params.total_sub_apps }, (_, i) => ({
      name: `sub-${i}`,
      kind: 'sub' as const,
      pid: 1000 + i,
      status: i < unresponsive ? ('unresponsive' as const) : ('ok' as const),
    }));
    return {
      result,
      topic: `fake-p${call}`,
      subPids: subs.map((s) => s.pid),
      apps: [{ name: 'pub', kind: 'pub', pid: 999, status: 'ok' }, ...subs],
      replaced: [],
      faults: subs.filter((s) => s.status !== 'ok').map((s) => `sub app ${s.name} (pid ${s.pid}) stopped answering (frozen or overloaded)`),
      ...(fault?.hopeless ? { retryHopeless: fault.hopeless } : {}),
    };
  }

  async resetApps(): Promise<void> {
    this.resets++;
  }

  async close(): Promise<void> {
    this.closes++;
    this.closed = true;
  }
}

/** An opener that hands out `runner` (as TestSession.open would a real one), recording the options it was opened with. */
export function openFake(runner: FakeRunner, opened: HydraOptions[] = []): OpenPointRunner {
  return async (options: HydraOptions, onEvent: RunnerEventSink) => {
    opened.push(options);
    onEvent({ type: 'broker', brokers: [...runner.broker.brokers], embedded: runner.broker.embedded });
    return runner;
  };
}

function syntheticResult(params: PointParams, system: SyntheticSystem, unresponsiveApps: number) {
  const pubCapped = params.msg_rate > (system.pubCapRate ?? Infinity);
  const brokerCapped = params.msg_rate > (system.brokerCapRate ?? Infinity);
  const txRate = Math.min(params.msg_rate, system.pubCapRate ?? Infinity, system.brokerCapRate ?? Infinity);
  const sent = Math.round(txRate * params.test_duration);
  const received = Math.round(Math.min(txRate, system.capRate ?? Infinity) * params.test_duration);
  const windowMs = params.test_duration * 1000;
  const pub: PubStats = {
    ...emptyPubStats(),
    msg_cnt: sent,
    rate: txRate,
    'time:start': 1000,
    'time:end': 1000 + params.test_duration,
    'cpu:end': [0.5, 0.1],
    requests: Math.max(1, Math.round(sent / 100)),
    // A publisher at its own limit is busy; one held back by the broker waits on its answers.
    telemetry: fixtureTelemetry(pubCapped ? { cpu_pct: 99, elu: 1 } : { cpu_pct: 20, elu: 0.2 }),
    broker_wait_ms: brokerCapped && !pubCapped ? 0.95 * windowMs : 0.02 * windowMs,
  };
  const subs: SubAppReport[] = Array.from({ length: params.total_sub_apps }, (_, app) => ({
    app: `sub-${app}`,
    clients:
      app < unresponsiveApps ? null : Array.from({ length: params.clients_per_app }, (_, c) => clientStats(`sub-${app}-c${c}`, received, params.test_duration)),
  }));
  return computeResult(pub, subs, params.clients_per_app, params.msg_rate, { embeddedBroker: !system.realCluster });
}

function clientStats(id: string, received: number, durationS: number): ClientStats {
  const latency = new LatencyHistogram();
  latency.record(2000);
  return {
    client_id: id,
    msg_cnt: received,
    first_ms: 1_000_000,
    last_ms: 1_000_000 + durationS * 1000,
    rate: received / durationS,
    unique: received,
    duplicates: 0,
    out_of_order: 0,
    max_seq: received - 1,
    gaps: 0,
    latency: latency.toJSON(),
    latency_intended: latency.toJSON(),
    next_offsets: { '0': received },
    stale: 0,
    malformed: 0,
    errors: 0,
  };
}
