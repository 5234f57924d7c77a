import { clientReorderNote, sendLingerMs } from '../client/rules';
import { requestMaxMessages } from '../apps/pacing';
import type { HydraOptions, PointParams } from '../config/options';
import type { PubStats, PubStatus, SubConfig, SubStatus } from '../control/wire';
import { ControlTimeoutError, PointError } from '../errors';
import type { AppHandle } from '../launch';
import { emptyHistogram } from '../stats/histogram';
import { computeResult } from '../stats/result';
import type { VerdictThresholds } from '../stats/verdict';
import { pointMarks, pubConfigFor, publisherPartitions, subConfigFor, type PointMarks } from './app-config';
import { latencyCorrections, type ClockOffset } from './clock';
import type { RunnerEventSink } from './events';
import { sortFaults, type Collected } from './faults';
import { FaultDriver } from './fault-driver';
import { faultFigures, type FaultRecord } from '../faults/figures';
import { withoutPlannedStalls } from '../faults/planned';
import { faultSpan, parseFaultSchedule, plannedEffects, type PlannedFault } from '../config/fault-schedule';
import type { PointApps, PointCluster } from './point-apps';
import type { AppFate, PointRun } from './point-runner';
import { sharedGroupSettled } from './shared-group';
import type { CommandLedger } from '../supervise/command-ledger';

/** Poll of a wait, ms. */
const POLL_MS = 200;
/** Poll while kept consumers make their next fetch (one fetch wait, 100 ms by default). */
const REFETCH_POLL_MS = 25;
/** How far ahead several publishers are given their common start time, ms. */
const START_LEAD_MS = 100;
/**
 * How far ahead a point with planned faults fixes its publishers' start, ms: the sub apps learn
 * the fault's span (on their clocks) in the reset before it, so the start must not move.
 */
const FAULT_START_LEAD_MS = 1000;
/** And more per app, ms: resetting hundreds of apps takes longer than a few. */
const FAULT_START_LEAD_PER_APP_MS = 5;
/** The bucket of a faulted point's receive timelines, ms. */
const TIMELINE_BUCKET_MS = 100;
/** After a faulted point's clients have every message, how long nothing more must arrive before collecting, ms. */
const FAULT_QUIET_MS = 1500;
/** The least drain a faulted point gets, s: a group taking over a dead member's partitions catches up after the window. */
const FAULT_MIN_DRAIN_S = 20;

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
  /** What planned faults act on beyond the apps: the embedded broker's process, and the values of a fault command's placeholders. */
  faultPlace?: { brokerPid?: number; brokers: readonly string[]; runId: string; ledger?: CommandLedger };
  /**
   * Hands the session a point's running faults, so closing it (Ctrl-C) ends them — lets go of what
   * was frozen and runs the undo commands — before the process exits; returns the release.
   */
  trackFaults?: (running: { abort(): Promise<void> }) => () => void;
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
    const faults = parseFaultSchedule(p.fault, 'fault');
    const { pubs, subs } = await this.s.apps.prepare(p.total_sub_apps, p.total_pub_apps);
    const replaced = this.s.apps.takeReplaced();
    const marks = pointMarks(this.s.index);
    const { subConfig, clocks, joining } = await this.configure(pubs, subs, marks);
    await this.join(pubs, subs, joining, subConfig.shared_group !== null);
    // A point with planned faults fixes its window's start now: its faults are timed from it.
    const startAt = faults.length > 0 ? Date.now() + FAULT_START_LEAD_MS + FAULT_START_LEAD_PER_APP_MS * (pubs.length + subs.length) : undefined;
    const windowStart = startAt === undefined ? undefined : startAt + p.warmup * 1000;
    const logStart = await this.reset(pubs, subs, faults, windowStart, clocks);
    const driver = windowStart === undefined ? null : this.faultDriver(faults, pubs, subs);
    const release = driver ? this.s.trackFaults?.(driver) : undefined;
    try {
      const pubStats = await this.publish(pubs, startAt, driver === null ? undefined : { driver, windowStart: windowStart as number });
      const packetTx = pubStats.reduce((n, s) => n + s.msg_cnt, 0);
      await this.drain(subs, packetTx, subConfig.shared_group !== null, driver);
      const collected = await this.collect(subs, driver);
      const judged = await this.judge(pubs, subs, pubStats, collected, logStart, subConfig, clocks, driver ? { driver, faults } : null);
      return { ...judged, replaced };
    } finally {
      // A point that fails midway still lets go of what it froze and runs the undo of its commands.
      await driver?.abort();
      release?.();
    }
  }

  /** The driver of a point's planned faults, acting on its apps and the embedded broker. */
  private faultDriver(faults: readonly PlannedFault[], pubs: AppHandle[], subs: AppHandle[]): FaultDriver {
    const { s } = this;
    const place = s.faultPlace ?? { brokers: [], runId: '' };
    return new FaultDriver(faults, {
      // `sub-2` is the point's third sub app and `pub-1` its second publisher, whatever a relaunch named them.
      app: (name) => appByRole(name, pubs, subs),
      signal: (pid, signal) => process.kill(pid, signal),
      snapshot: (app) => s.apps.sub(app).call('getstats', undefined, this.o.control_timeout_ms),
      brokerPid: place.brokerPid,
      commandValues: { node: process.execPath, brokers: place.brokers.join(','), topic: s.topic, run: place.runId },
      emit: s.emit,
      ...(place.ledger ? { ledger: place.ledger } : {}),
    });
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

  /**
   * Zeroes every app's counts (with planned faults, sub apps record a timeline, told the fault's
   * span on their own clocks); returns where the log ended before publishing (what lies below is earlier points').
   */
  private async reset(
    pubs: AppHandle[],
    subs: AppHandle[],
    faults: readonly PlannedFault[],
    windowStart: number | undefined,
    clocks: Map<string, ClockOffset>,
  ): Promise<Record<string, number> | undefined> {
    const { s } = this;
    const span = faultSpan(faults);
    const timelineOf = (app: AppHandle): { timeline: { bucket_ms: number; from_ms: number; to_ms: number } } | undefined => {
      if (span === null || windowStart === undefined) return undefined;
      const offset = clocks.get(app.name)?.offset_ms ?? 0;
      return { timeline: { bucket_ms: TIMELINE_BUCKET_MS, from_ms: windowStart + span.from_ms + offset, to_ms: windowStart + span.to_ms + offset } };
    };
    await s.apps.guard(
      'join',
      [...pubs, ...subs],
      Promise.all([...pubs.map((app) => s.apps.pub(app).call('resetstats')), ...subs.map((app) => s.apps.sub(app).call('resetstats', timelineOf(app)))]),
    );
    return this.o.fresh_topic_per_point ? {} : await s.cluster.logEnd(s.topic).catch(() => undefined);
  }

  /**
   * Publishes the point's window and returns the publishers' statistics. From here a sub app that
   * dies or freezes does not stop the point: it is found at collection and named as a fault.
   */
  private async publish(pubs: AppHandle[], startAt: number | undefined, faults?: { driver: FaultDriver; windowStart: number }): Promise<PubStats[]> {
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
        const at = startAt ?? (pubs.length > 1 ? Date.now() + START_LEAD_MS : undefined);
        const startArgs = at === undefined ? undefined : { start_at_ms: at };
        await Promise.all(pubs.map((app) => s.apps.pub(app).call('teststart', startArgs)));
        faults?.driver.start(faults.windowStart);
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
        // Every fault ends inside the window: by now only an undo command may still be running.
        await faults?.driver.done();
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
  private async drain(subs: AppHandle[], packetTx: number, shared: boolean, driver: FaultDriver | null): Promise<void> {
    const { s } = this;
    // A faulted point's clients may still be catching up when publishing ends: they get longer.
    const drainS = driver ? Math.max(this.o.drain_timeout, FAULT_MIN_DRAIN_S) : this.o.drain_timeout;
    s.emit({ type: 'phase', phase: 'drain', detail: `up to ${drainS} s` });
    const deadline = Date.now() + drainS * 1000;
    let lastReceived = -1;
    let quietSince = Date.now();
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
      // What a killed member had received counts for its group.
      const killedUnique = [...(driver?.killed.values() ?? [])].reduce((n, st) => n + (st?.clients.reduce((a, c) => a + c.unique, 0) ?? 0), 0);
      const received = statuses.reduce((n, st) => n + (st?.unique.reduce((a, b) => a + b, 0) ?? 0), killedUnique);
      if (received !== lastReceived) quietSince = Date.now();
      lastReceived = received;
      const complete = shared ? received >= packetTx : statuses.every((st) => st === null || st.unique.every((u) => u >= packetTx));
      // After a fault a shared group's members may get messages twice (a dead member's uncommitted
      // ones): the count reaches the sent total before the group has caught up, so wait for quiet too.
      const settled = driver === null || Date.now() - quietSince >= FAULT_QUIET_MS;
      if ((complete && settled) || Date.now() >= deadline) return;
      await sleep(this.poll);
    }
  }

  /** Every sub app's statistics; one that died or does not answer is named, killed and replaced at the next point. */
  private async collect(subs: AppHandle[], driver: FaultDriver | null): Promise<Collected[]> {
    const { s } = this;
    s.emit({ type: 'phase', phase: 'collect', detail: `${subs.length} sub apps` });
    const collected = await Promise.all(
      subs.map(async (app): Promise<Collected> => {
        const fate = (status: AppFate['status']): AppFate => ({ name: app.name, kind: 'sub', pid: app.pid ?? null, status });
        // An app the schedule killed reports what it had received until then.
        const killed = driver?.killed.get(app.name);
        if (killed !== undefined)
          return { report: { app: app.name, clients: killed?.clients ?? null, telemetry: killed?.telemetry, fetch: killed?.fetch }, fate: fate('killed') };
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
    planned: { driver: FaultDriver; faults: readonly PlannedFault[] } | null,
  ): Promise<Omit<PointRun, 'replaced'>> {
    const { o, params: p, s } = this;
    // An app the schedule froze stood still on purpose: that stall is the experiment, not a harness fault.
    // Its answers from the broker, timed across the freeze, are the freeze's too: left out of the judgement.
    if (planned) {
      const frozen = plannedFreezes(planned.faults, planned.driver, pubs, subs);
      collected = collected.map((c) => {
        const freezes = frozen.get(c.report.app);
        if (!freezes) return c;
        return { ...c, report: { ...c.report, fetch: undefined, telemetry: withoutPlannedStalls(c.report.telemetry, freezes) } };
      });
      pubStats = pubStats.map((st, i) => {
        const freezes = frozen.get(pubs[i]?.name ?? '');
        return freezes ? { ...st, telemetry: withoutPlannedStalls(st.telemetry, freezes), send_rtt: emptyHistogram(), produce: null } : st;
      });
    }
    // Where the log ends tells lag from loss; without it (an admin error), lost counts every message not received.
    const bounds = await s.cluster.logBounds(s.topic).catch(() => undefined);
    // In a fan-out (a group per client) the clients of an app the schedule killed stopped on purpose:
    // what they missed after is not Kafka's loss, so they are left out of the point's figures (the
    // fault's figures show them until the kill). A shared group's member counts for its group.
    const measured = subConfig.shared_group === null ? collected.filter((c) => c.fate.status !== 'killed') : collected;
    const result = computeResult(
      pubStats,
      measured.map((c) => c.report),
      p.clients_per_app,
      p.msg_rate,
      {
        logEnd: bounds?.end,
        logFirst: bounds?.start,
        logStart: bounds ? logStart : undefined,
        thresholds: thresholdsOf(o),
        sharedGroup: subConfig.shared_group !== null,
        maxInFlight: p.max_in_flight,
        reorderNote: clientReorderNote(p),
        embeddedBroker: s.embedded,
        fetchWaitMs: p.consumer_max_wait_ms,
        sendLingerMs: sendLingerMs(p),
        requestMaxMessages: requestMaxMessages(p.batch_bytes, p.msg_size),
        pubNames: pubs.map((app) => app.name),
        plannedBrokerPauseMs: planned ? plannedBrokerPauseMs(planned.faults) : 0,
      },
    );
    const faults = sortFaults({
      collected,
      pubs,
      pubStats,
      sharedGroup: subConfig.shared_group,
      stalledApps: result.stalled_apps,
      ...(planned ? { planned: plannedEffects(planned.faults) } : {}),
    });
    const fault = planned ? this.faultRecord(planned, pubs, pubStats, collected, clocks, subConfig) : undefined;
    // A fault that did not happen as planned leaves figures of another experiment.
    if (planned)
      faults.push(
        ...planned.driver.fired.filter((f) => f.error !== null).map((f) => `the planned fault '${f.fault}' was not done as planned: ${f.error ?? ''}`),
      );
    const apps = [
      ...pubs.map((app): AppFate => ({ name: app.name, kind: 'pub', pid: app.pid ?? null, status: app.isAlive() ? 'ok' : 'died' })),
      ...collected.map((c) => c.fate),
    ].map((fate) => {
      const clock = clocks.get(fate.name);
      return clock ? { ...fate, clock_offset_ms: clock.offset_ms, clock_error_ms: clock.error_ms } : fate;
    });
    // A fault command that failed fails the same way on a fresh attempt: measuring again cannot help.
    const failedCommands = planned
      ? planned.driver.fired.filter((fired) => fired.error !== null && planned.faults.some((f) => f.text === fired.fault && f.action.kind === 'command'))
      : [];
    const hopeless = failedCommands.length
      ? `the planned fault's command failed (${failedCommands.map((f) => f.fault).join('; ')}): a fresh attempt would run it the same way — check it by hand, then measure the point again (hydra study resume --retry_failed)`
      : undefined;
    return {
      result,
      topic: s.topic,
      subPids: subs.map((app) => app.pid ?? -1),
      apps,
      faults,
      ...(fault ? { fault } : {}),
      ...(hopeless ? { retryHopeless: hopeless } : {}),
    };
  }

  /** What the point measured through its planned faults. */
  private faultRecord(
    planned: { driver: FaultDriver; faults: readonly PlannedFault[] },
    pubs: AppHandle[],
    pubStats: PubStats[],
    collected: Collected[],
    clocks: Map<string, ClockOffset>,
    subConfig: SubConfig,
  ): FaultRecord {
    const windowStartMs = Math.min(...pubStats.map((st) => st['time:start'] * 1000 - (clocks.get(pubs[0]?.name ?? '')?.offset_ms ?? 0)));
    return faultFigures({
      schedule: planned.faults.map((f) => f.text),
      fired: planned.driver.fired,
      windowStartMs,
      clients: collected.flatMap((c) =>
        (c.report.clients ?? []).map((stats) => ({ stats, clockOffsetMs: clocks.get(c.report.app)?.offset_ms ?? 0, killed: c.fate.status === 'killed' })),
      ),
      pubStats,
      sharedPartitions: subConfig.shared_group !== null ? this.s.partitionCount : null,
    });
  }
}

/** The app a fault names: `pub`, `pub-K` (the K+1-th publisher) or `sub-K` (the K+1-th sub app, in launch order). */
function appByRole(name: string, pubs: readonly AppHandle[], subs: readonly AppHandle[]): AppHandle | undefined {
  if (name === 'pub') return pubs[0];
  const m = /^(pub|sub)-(\d+)$/.exec(name);
  if (!m) return undefined;
  return (m[1] === 'pub' ? pubs : subs)[Number(m[2])];
}

/** The longest planned freeze of the embedded broker, ms (answers held that long are the fault's doing). */
function plannedBrokerPauseMs(faults: readonly PlannedFault[]): number {
  return Math.max(0, ...faults.filter((f) => f.action.kind === 'broker-stop').map((f) => f.for_ms));
}

/** The apps each stop= fault froze (by their launcher names), and when (epoch ms, runner's clock). */
function plannedFreezes(
  faults: readonly PlannedFault[],
  driver: FaultDriver,
  pubs: readonly AppHandle[],
  subs: readonly AppHandle[],
): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const f of faults) {
    if (f.action.kind !== 'stop') continue;
    const fired = driver.fired.find((x) => x.fault === f.text);
    const app = appByRole(f.action.app, pubs, subs);
    if (!fired || !app) continue;
    const list = out.get(app.name) ?? [];
    list.push([fired.started_ms, fired.ended_ms ?? Date.now()]);
    out.set(app.name, list);
  }
  return out;
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
