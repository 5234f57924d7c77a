import { CLIENT_LINGERS } from '../client/seam';
import { requestMaxMessages } from '../apps/pacing';
import type { HydraOptions, PointParams } from '../config/options';
import type { PubStats, PubStatus, SubConfig, SubStatus } from '../control/wire';
import { ControlTimeoutError, PointError } from '../errors';
import type { AppHandle } from '../launch';
import { computeResult } from '../stats/result';
import type { VerdictThresholds } from '../stats/verdict';
import { pointMarks, pubConfigFor, publisherPartitions, subConfigFor, type PointMarks } from './app-config';
import { latencyCorrections, type ClockOffset } from './clock';
import type { RunnerEventSink } from './events';
import { sortFaults, type Collected } from './faults';
import type { PointApps, PointCluster } from './point-apps';
import type { AppFate, PointRun } from './point-runner';
import { sharedGroupSettled } from './shared-group';

/** Poll of a wait, ms. */
const POLL_MS = 200;
/** Poll while kept consumers make their next fetch (one fetch wait, 100 ms by default). */
const REFETCH_POLL_MS = 25;
/** How far ahead several publishers are given their common start time, ms. */
const START_LEAD_MS = 100;

/** What the session hands a point: its apps and cluster, its topic, and how to name a shared group. */
export interface PointSetup {
  options: HydraOptions;
  apps: PointApps;
  cluster: PointCluster;
  emit: RunnerEventSink;
  /** The point's number in its session (its epoch). */
  index: number;
  topic: string;
  /** Partitions publishers spread over by default (1 on the embedded broker, whose topics come with 4). */
  topicPartitions: number;
  /** Partitions the topic has: what a shared group's members divide among them. */
  partitionCount: number;
  /** The one group a shared point's clients join (the same while the consumer settings stay). */
  sharedGroupFor(config: SubConfig): string;
  /** The broker is hydra's embedded one: what holds a point back there is hydra's. */
  embedded: boolean;
  /** Poll interval of the waits, ms (tests shorten it). */
  pollMs?: number;
}

/**
 * One point on reused apps, phase by phase — configure, join, reset, publish, drain, collect,
 * judge — each a method, each wait ending as soon as an app it depends on ends (PointApps.guard).
 * Throws PointError when the point cannot be measured; returns its faults when it ran to the end
 * but a harness app died, froze, stood still or could not send (then it is not Kafka's).
 */
export class PointMeasurement {
  private readonly o: HydraOptions;
  private readonly poll: number;

  constructor(
    private readonly s: PointSetup,
    private readonly params: PointParams,
  ) {
    this.o = s.options;
    this.poll = s.pollMs ?? POLL_MS;
  }

  async run(): Promise<PointRun> {
    const p = this.params;
    const { pubs, subs } = await this.s.apps.prepare(p.total_sub_apps, p.total_pub_apps);
    const replaced = this.s.apps.takeReplaced();
    const marks = pointMarks(this.s.index);
    const { subConfig, clocks, joining } = await this.configure(pubs, subs, marks);
    await this.join(pubs, subs, joining, subConfig.shared_group !== null);
    const logStart = await this.reset(pubs, subs);
    const pubStats = await this.publish(pubs);
    const packetTx = pubStats.reduce((n, s) => n + s.msg_cnt, 0);
    await this.drain(subs, packetTx, subConfig.shared_group !== null);
    const collected = await this.collect(subs);
    return { ...(await this.judge(pubs, subs, pubStats, collected, logStart, subConfig, clocks)), replaced };
  }

  /** Every app gets the point's settings; consumers the point adds join their groups (this waits for it to start). */
  private async configure(
    pubs: AppHandle[],
    subs: AppHandle[],
    marks: PointMarks,
  ): Promise<{ subConfig: SubConfig; clocks: Map<string, ClockOffset>; joining: number }> {
    const { o, params: p, s } = this;
    s.emit({ type: 'phase', phase: 'configure', detail: `${s.topic}: ${subs.length} sub apps × ${p.clients_per_app} clients` });
    const unshared = subConfigFor(p, o, s.topic, marks);
    const subConfig = p.consumer_group === 'shared' ? { ...unshared, shared_group: s.sharedGroupFor(unshared) } : unshared;
    const everyone = [...pubs, ...subs];
    // Apps on other hosts have other clocks: each one's offset is taken out of the latencies it measures.
    const clocks = await s.apps.guard('configure', everyone, s.apps.clockOffsets(everyone));
    const pubOffsets = pubs.map((app) => clocks.get(app.name)?.offset_ms ?? 0);
    const configOf = (app: AppHandle): SubConfig => {
      const own = clocks.get(app.name);
      return own ? { ...subConfig, latency_corrections_ms: latencyCorrections(own.offset_ms, pubOffsets) } : subConfig;
    };
    const configured = await s.apps.guard(
      'configure',
      everyone,
      Promise.all([
        ...pubs.map((app, i) => s.apps.pub(app).call('updateconfig', pubConfigFor(p, s.topic, marks, i, publisherPartitions(p, i, s.topicPartitions)))),
        ...subs.map((app) => s.apps.sub(app).call('updateconfig', configOf(app), o.join_timeout * 1000)),
      ]),
    );
    const joining = configured.slice(pubs.length).reduce((n, r) => n + ('joined_now' in r ? r.joined_now : 0), 0);
    return { subConfig, clocks, joining };
  }

  /** Waits until every consumer has joined and fetched (and a shared group has settled). */
  private async join(pubs: AppHandle[], subs: AppHandle[], joining: number, shared: boolean): Promise<void> {
    const { s, params: p } = this;
    s.emit({
      type: 'phase',
      phase: 'join',
      detail: joining > 0 ? `waiting for ${joining} new consumers to join and fetch` : 'every consumer still joined from the last point',
    });
    const check = async (): Promise<true | string> => {
      const polled = await Promise.all(subs.map((app) => patiently(app, s.apps.sub(app).call('teststatus'))));
      const slow = subs.filter((_, i) => polled[i] === null);
      if (slow.length > 0) return `not answering yet: ${slow.map((a) => a.name).join(', ')}`;
      const statuses = polled as SubStatus[];
      // A consumer kafkajs stopped for good will never join: fail now (a study retries with fresh apps) instead of at the timeout.
      const dead = statuses.flatMap((st) => st.dead ?? []);
      if (dead.length > 0) throw new PointError(`a consumer stopped while joining (${dead.length}): ${dead[0] ?? ''}`);
      const notReady = statuses.map((st, i) => ({ st, app: subs[i] as AppHandle })).filter(({ st }) => st.positioned < p.clients_per_app);
      if (notReady.length > 0)
        return `not positioned: ${notReady.map(({ app, st }) => `${app.name} ${st.positioned}/${p.clients_per_app}${st.errors.length ? ` (${st.errors[0]})` : ''}`).join(', ')}`;
      // A shared group must also have settled: its members still dividing partitions would be hydra's own rebalance.
      return shared
        ? sharedGroupSettled(
            statuses.flatMap((st) => st.assigned),
            s.partitionCount,
          )
        : true;
    };
    const pollMs = joining > 0 ? this.poll : Math.min(this.poll, REFETCH_POLL_MS);
    await s.apps.guard('join', [...pubs, ...subs], waitUntil(this.o.join_timeout * 1000, 'consumers joined', check, pollMs));
  }

  /** Zeroes every app's counts; returns where the log ended before publishing (what lies below is earlier points'). */
  private async reset(pubs: AppHandle[], subs: AppHandle[]): Promise<Record<string, number> | undefined> {
    const { s } = this;
    await s.apps.guard(
      'join',
      [...pubs, ...subs],
      Promise.all([...pubs.map((app) => s.apps.pub(app).call('resetstats')), ...subs.map((app) => s.apps.sub(app).call('resetstats'))]),
    );
    return this.o.fresh_topic_per_point ? {} : await s.cluster.logEnd(s.topic).catch(() => undefined);
  }

  /**
   * Publishes the point's window and returns the publishers' statistics. From here a sub app that
   * dies or freezes does not stop the point: it is found at collection and named as a fault.
   */
  private async publish(pubs: AppHandle[]): Promise<PubStats[]> {
    const { s, params: p } = this;
    s.emit({
      type: 'phase',
      phase: 'publish',
      detail: `${p.msg_rate} msg/s for ${p.test_duration} s${pubs.length > 1 ? ` from ${pubs.length} publishers` : ''}`,
    });
    let statuses: PubStatus[] = [];
    await s.apps.guard(
      'publish',
      pubs,
      (async () => {
        // Several publishers get one start time a little ahead, so their windows line up.
        const startArgs = pubs.length > 1 ? { start_at_ms: Date.now() + START_LEAD_MS } : undefined;
        await Promise.all(pubs.map((app) => s.apps.pub(app).call('teststart', startArgs)));
        await waitUntil(
          (p.test_duration + p.warmup) * 1000 + 30000,
          'publishers finished',
          async () => {
            const polled = await Promise.all(pubs.map((app) => patiently(app, s.apps.pub(app).call('teststatus'))));
            if (polled.some((st) => st === null)) return 'a publisher is not answering yet';
            statuses = polled as PubStatus[];
            const running = statuses.filter((st) => st.state !== 'done' && st.state !== 'failed');
            return running.length === 0 ? true : running.map((st) => `publisher ${st.state}, ${st.msg_cnt} sent`).join('; ');
          },
          this.poll,
        );
      })(),
    );
    s.apps.checkBroker('publish');
    statuses.forEach((st, i) => {
      const pub = pubs[i] as AppHandle;
      if (st.state === 'failed') throw new PointError(`${pub.name} failed: ${st.error ?? 'unknown error'} (log: ${pub.logFile})`);
    });
    // A publisher that just finished on a busy host may answer late: give its stats longer than a poll.
    const stats = await s.apps.guard(
      'publish',
      pubs,
      Promise.all(pubs.map((app) => s.apps.pub(app).call('getstats', undefined, 3 * this.o.control_timeout_ms))),
    );
    if (stats.reduce((n, st) => n + st.msg_cnt, 0) === 0)
      throw new PointError(`publisher sent nothing (${stats.find((st) => st.last_error)?.last_error ?? 'no error reported'}; log: ${pubs[0]?.logFile ?? '?'})`);
    return stats;
  }

  /**
   * Waits until every client has every message (a shared group: until its members have them all
   * between them) or the grace period ends; dead or silent apps are skipped.
   */
  private async drain(subs: AppHandle[], packetTx: number, shared: boolean): Promise<void> {
    const { s } = this;
    s.emit({ type: 'phase', phase: 'drain', detail: `up to ${this.o.drain_timeout} s` });
    const deadline = Date.now() + this.o.drain_timeout * 1000;
    for (;;) {
      const statuses = await Promise.all(
        subs.map(async (app) => {
          if (!app.isAlive()) return null;
          const timeoutMs = Math.max(100, Math.min(this.o.control_timeout_ms, deadline - Date.now()));
          return s.apps
            .sub(app)
            .call('teststatus', undefined, timeoutMs)
            .catch(() => null);
        }),
      );
      const complete = shared
        ? statuses.reduce((n, st) => n + (st?.unique.reduce((a, b) => a + b, 0) ?? 0), 0) >= packetTx
        : statuses.every((st) => st === null || st.unique.every((u) => u >= packetTx));
      if (complete || Date.now() >= deadline) return;
      await sleep(this.poll);
    }
  }

  /** Every sub app's statistics; one that died or does not answer is named, killed and replaced at the next point. */
  private async collect(subs: AppHandle[]): Promise<Collected[]> {
    const { s } = this;
    s.emit({ type: 'phase', phase: 'collect', detail: `${subs.length} sub apps` });
    const collected = await Promise.all(
      subs.map(async (app): Promise<Collected> => {
        const fate = (status: AppFate['status']): AppFate => ({ name: app.name, kind: 'sub', pid: app.pid ?? null, status });
        if (!app.isAlive()) return { report: { app: app.name, clients: null }, fate: fate('died') };
        try {
          const stats = await s.apps.sub(app).call('getstats');
          return { report: { app: app.name, clients: stats.clients, telemetry: stats.telemetry, fetch: stats.fetch }, fate: fate('ok') };
        } catch {
          return { report: { app: app.name, clients: null }, fate: fate(app.isAlive() ? 'unresponsive' : 'died') };
        }
      }),
    );
    s.apps.checkBroker('collect');
    // A dead or frozen app is killed and replaced at the next point (HYDRA remove_unresponsive_tasks).
    for (const { fate } of collected) if (fate.status !== 'ok') await s.apps.drop(subs.find((app) => app.name === fate.name) as AppHandle);
    return collected;
  }

  /** HYDRA's figures and the verdict from what was collected, and the point's harness faults. */
  private async judge(
    pubs: AppHandle[],
    subs: AppHandle[],
    pubStats: PubStats[],
    collected: Collected[],
    logStart: Record<string, number> | undefined,
    subConfig: SubConfig,
    clocks: Map<string, ClockOffset>,
  ): Promise<Omit<PointRun, 'replaced'>> {
    const { o, params: p, s } = this;
    // Where the log ends tells lag from loss; without it (an admin error), lost counts every message not received.
    const bounds = await s.cluster.logBounds(s.topic).catch(() => undefined);
    const result = computeResult(
      pubStats,
      collected.map((c) => c.report),
      p.clients_per_app,
      p.msg_rate,
      {
        logEnd: bounds?.end,
        logFirst: bounds?.start,
        logStart: bounds ? logStart : undefined,
        thresholds: thresholdsOf(o),
        sharedGroup: subConfig.shared_group !== null,
        maxInFlight: p.max_in_flight,
        clientLibrary: p.client_library,
        idempotent: p.idempotent,
        embeddedBroker: s.embedded,
        fetchWaitMs: p.consumer_max_wait_ms,
        sendLingerMs: CLIENT_LINGERS[p.client_library] ? p.linger_ms : 0,
        requestMaxMessages: requestMaxMessages(p.batch_bytes, p.msg_size),
        pubNames: pubs.map((app) => app.name),
      },
    );
    const faults = sortFaults({ collected, pubs, pubStats, sharedGroup: subConfig.shared_group, stalledApps: result.stalled_apps });
    const apps = [
      ...pubs.map((app): AppFate => ({ name: app.name, kind: 'pub', pid: app.pid ?? null, status: app.isAlive() ? 'ok' : 'died' })),
      ...collected.map((c) => c.fate),
    ].map((fate) => {
      const clock = clocks.get(fate.name);
      return clock ? { ...fate, clock_offset_ms: clock.offset_ms, clock_error_ms: clock.error_ms } : fate;
    });
    return { result, topic: s.topic, subPids: subs.map((app) => app.pid ?? -1), apps, faults };
  }
}

/** The options' [verdict] thresholds. */
export function thresholdsOf(o: HydraOptions): VerdictThresholds {
  return {
    pub_achieved_min: o.verdict_pub_achieved_min,
    app_cpu_max_pct: o.verdict_app_cpu_max_pct,
    app_elu_max: o.verdict_app_elu_max,
    host_cpu_max_pct: o.verdict_host_cpu_max_pct,
    app_run_wait_max_pct: o.verdict_app_run_wait_max_pct,
    stall_max_ms: o.verdict_stall_max_ms,
  };
}

/**
 * A status poll's answer, or null when the app did not answer in time but is still alive: a
 * frozen or starved app misses polls without ending the point (the wait's own deadline and the
 * process watch do that), and its stall is judged with the point's figures.
 */
async function patiently<T>(app: AppHandle, reply: Promise<T>): Promise<T | null> {
  try {
    return await reply;
  } catch (err) {
    if (err instanceof ControlTimeoutError && app.isAlive()) return null;
    throw err;
  }
}

/** Polls `check` every `pollMs` until it says true, or fails after `timeoutMs` with the last state. */
async function waitUntil(timeoutMs: number, what: string, check: () => Promise<true | string>, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const state = await check();
    if (state === true) return;
    last = state;
    if (Date.now() >= deadline) throw new PointError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${last}`);
    await sleep(pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
