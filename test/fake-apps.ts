import type { PubCommands, SubCommands } from '../src/control/protocol';
import {
  emptyBrokerRequests,
  emptyPubStats,
  type ClientStats,
  type PubConfig,
  type PubStats,
  type SubConfig,
  type SubStats,
  type SubStatus,
} from '../src/control/wire';
import { ControlTimeoutError, StateError } from '../src/errors';
import type { AppHandle } from '../src/launch';
import type { ClockOffset } from '../src/runner/clock';
import type { PointPhase } from '../src/runner/events';
import type { Caller, PointApps, PointCluster } from '../src/runner/point-apps';
import { LatencyHistogram } from '../src/stats/histogram';
import { watchWhile } from '../src/supervise/watch';
import { fixtureTelemetry } from './fixtures';

/**
 * What a scripted sub app does during a point: serve it (ok), die during publishing, freeze (its
 * getstats goes unanswered), join late (its consumers positioned only after `late` status polls),
 * see every message twice (duplicates), have a consumer kafkajs stopped for good while joining,
 * or have its consumers join their shared group again inside the window.
 */
export type SubScript = 'ok' | 'dies' | 'freezes' | { late: number } | 'duplicates' | 'consumer-dies' | 'rejoins';

/**
 * Scripted apps and cluster below a point (the PointApps / PointCluster seams): every command is
 * answered in process, as the real apps' protocol types say, so the point's phases — configure,
 * join, reset, publish, drain, collect, fault sorting — run in milliseconds with no broker.
 */
export class FakeApps implements PointApps {
  readonly calls: string[] = [];
  readonly dropped: string[] = [];
  private replaced: string[] = [];
  private readonly handles = new Map<string, AppHandle & { kill(): void }>();
  private readonly polls = new Map<string, number>();
  private pid = 4000;
  /** Messages the publisher sends in a point. */
  readonly sent: number;

  constructor(private readonly script: { subs: SubScript[]; sent?: number; sendErrors?: number }) {
    this.sent = script.sent ?? 1000;
  }

  private handle(kind: 'pub' | 'sub', name: string): AppHandle & { kill(): void } {
    const known = this.handles.get(name);
    if (known) return known;
    let alive = true;
    let ended: (code: string) => void = () => undefined;
    const exited = new Promise<string>((resolve) => (ended = resolve));
    const handle = {
      name,
      kind,
      pid: this.pid++,
      endpoint: `fake://${name}`,
      logFile: `/fake/${name}.log`,
      exited,
      isAlive: () => alive,
      kill: () => {
        alive = false;
        ended('SIGKILL');
      },
    };
    this.handles.set(name, handle);
    return handle;
  }

  async prepare(totalSubApps: number, totalPubApps: number): Promise<{ pubs: AppHandle[]; subs: AppHandle[] }> {
    const pubs = Array.from({ length: totalPubApps }, (_, i) => this.handle('pub', i === 0 ? 'pub' : `pub-${i}`));
    const subs = Array.from({ length: totalSubApps }, (_, i) => this.handle('sub', `sub-${i}`));
    return { pubs, subs };
  }

  private scriptOf(app: AppHandle): SubScript {
    return this.script.subs[Number(app.name.slice(4))] ?? 'ok';
  }

  pub(app: AppHandle): Caller<PubCommands> {
    const respond = (cmd: string, args: unknown): unknown => {
      this.calls.push(`${app.name} ${cmd}`);
      switch (cmd) {
        case 'updateconfig':
          return args as PubConfig;
        case 'resetstats':
          return null;
        case 'teststart':
          // A sub app scripted to die does so while the publisher publishes.
          for (const sub of this.handles.values()) if (sub.kind === 'sub' && this.scriptOf(sub) === 'dies') sub.kill();
          return { started: true };
        case 'teststatus':
          return { state: 'done', msg_cnt: this.sent, error: null };
        case 'getstats':
          return this.pubStats();
        default:
          throw new StateError(`fake publisher: ${cmd} not scripted`);
      }
    };
    return { call: async (cmd, ...rest) => respond(cmd, rest[0]) as never };
  }

  sub(app: AppHandle): Caller<SubCommands> {
    const script = this.scriptOf(app);
    const clients = 2;
    const respond = (cmd: string, args: unknown): unknown => {
      this.calls.push(`${app.name} ${cmd}`);
      switch (cmd) {
        case 'updateconfig':
          return { clients: (args as SubConfig).clients_per_app, joined_now: (args as SubConfig).clients_per_app };
        case 'resetstats':
          return null;
        case 'teststatus': {
          const polls = (this.polls.get(app.name) ?? 0) + 1;
          this.polls.set(app.name, polls);
          const late = typeof script === 'object' && polls <= script.late;
          const status: SubStatus = {
            topic: 't',
            clients,
            joined: late ? 0 : clients,
            positioned: late ? 0 : clients,
            dead: script === 'consumer-dies' ? [`${app.name}-c0: KafkaJSNonRetriableError: INVALID_REQUEST`] : [],
            // One partition per client across the apps, as a settled shared group divides them.
            assigned: Array.from({ length: clients }, (_, i) => [Number(app.name.slice(4)) * clients + i]),
            unique: Array.from({ length: clients }, () => this.sent),
            errors: [],
          };
          return status;
        }
        case 'getstats': {
          if (script === 'freezes') throw new ControlTimeoutError(app.endpoint, 'getstats', 100, app.name);
          const stats: SubStats = {
            app: app.name,
            pid: app.pid ?? 0,
            clients: Array.from({ length: clients }, (_, i) => this.client(`${app.name}-c${i}`, script)),
            telemetry: fixtureTelemetry(),
            fetch: emptyBrokerRequests(),
          };
          return stats;
        }
        default:
          throw new StateError(`fake sub app: ${cmd} not scripted`);
      }
    };
    return { call: async (cmd, ...rest) => respond(cmd, rest[0]) as never };
  }

  private pubStats(): PubStats {
    return {
      ...emptyPubStats(),
      msg_cnt: this.sent,
      rate: this.sent,
      'time:start': 1_000,
      'time:end': 1_001,
      'cpu:end': [0.05, 0.01],
      requests: 10,
      send_errors: this.script.sendErrors ?? 0,
      last_error: this.script.sendErrors ? 'KafkaJSNumberOfRetriesExceeded' : null,
      telemetry: fixtureTelemetry({ cpu_pct: 10, elu: 0.1 }),
    };
  }

  private client(id: string, script: SubScript): ClientStats {
    const latency = new LatencyHistogram();
    latency.record(2000);
    const copies = script === 'duplicates' ? 2 : 1;
    return {
      client_id: id,
      msg_cnt: this.sent * copies,
      first_ms: 1_000_000,
      last_ms: 1_001_000,
      rate: this.sent,
      unique: this.sent,
      duplicates: this.sent * (copies - 1),
      out_of_order: 0,
      max_seq: this.sent - 1,
      gaps: 0,
      latency: latency.toJSON(),
      latency_intended: latency.toJSON(),
      next_offsets: { '0': this.sent },
      stale: 0,
      malformed: 0,
      errors: 0,
      rejoins: script === 'rejoins' ? 1 : 0,
    };
  }

  guard<T>(phase: PointPhase, apps: readonly AppHandle[], work: Promise<T>): Promise<T> {
    return watchWhile(
      apps.map((app) => ({
        ended: app.exited.then((how) => `was killed by ${String(how)}`),
        error: (how, during) => new Error(`${app.name} ${how} during ${during}`),
      })),
      phase,
      work,
    );
  }

  checkBroker(): void {
    // The scripted cluster is never lost.
  }

  async drop(app: AppHandle): Promise<void> {
    this.dropped.push(app.name);
    this.replaced.push(app.name);
    this.handles.get(app.name)?.kill();
    this.handles.delete(app.name);
  }

  takeReplaced(): string[] {
    const taken = this.replaced;
    this.replaced = [];
    return taken;
  }

  async clockOffsets(): Promise<Map<string, ClockOffset>> {
    return new Map();
  }
}

/** A cluster whose one partition holds exactly what the fake publisher sent. */
export function fakeCluster(apps: FakeApps): PointCluster {
  return {
    ensureTopics: async () => undefined,
    logEnd: async () => ({ '0': 0 }),
    logBounds: async () => ({ start: { '0': 0 }, end: { '0': apps.sent } }),
  };
}
