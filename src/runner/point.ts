import type { HydraOptions, PointParams } from '../config/options';
import type { PubStats, PubStatus, SubConfig, SubStatus } from '../control/wire';
import { PointError } from '../errors';
import { FAULT_QUIET_MS, PointFaults } from '../faults/point-faults';
import type { AppHandle } from '../launch';
import { pointMarks, pubConfigFor, publisherPartitions, subConfigFor, type PointMarks } from './app-config';
import { latencyCorrections, type ClockOffset } from './clock';
import { readPayload } from '../config/payload-file';
import type { Collected } from './harness-faults';
import { judgePoint } from './judge';
import type { PointSetup } from './point-apps';

export type { PointSetup } from './point-apps';
import type { AppFate, PointRun } from './point-runner';
import { sharedGroupSettled } from './shared-group';
import { patiently, sleep, waitUntil } from './waits';

/** Messages acknowledged per topic index, over the publishers (with one topic: their total). */
export function sentByTopic(stats: readonly PubStats[], topics: number): number[] {
  if (topics === 1) return [stats.reduce((n, st) => n + st.msg_cnt, 0)];
  return Array.from({ length: topics }, (_, t) => stats.reduce((n, st) => n + (st.msg_cnt_by_topic?.[t] ?? 0), 0));
}

/** Poll of a wait, ms. */
const POLL_MS = 200;
/** Poll while kept consumers make their next fetch (one fetch wait, 100 ms by default). */
const REFETCH_POLL_MS = 25;
/** How far ahead several publishers are given their common start time, ms. */
const START_LEAD_MS = 100;

/**
 * One point on reused apps, phase by phase — configure, join, reset, publish, drain, collect,
 * judge — each a method, each wait ending as soon as an app it depends on ends (PointApps.guard).
 * Throws PointError when the point cannot be measured; returns its faults when it ran to the end
 * but a harness app died, froze, stood still or could not send (then it is not Kafka's). Its
 * planned faults (faults/point-faults.ts) are called at the reset, publish, drain and collect.
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
    const { s, params: p } = this;
    const { pubs, subs } = await s.apps.prepare(p.total_sub_apps, p.total_pub_apps);
    const replaced = s.apps.takeReplaced();
    const marks = pointMarks(s.index);
    const { subConfig, clocks, joining } = await this.configure(pubs, subs, marks);
    await this.join(pubs, subs, joining, subConfig.shared_group !== null);
    // A point with planned faults fixes its window's start now: its faults are timed from it.
    const faults = PointFaults.of(p.fault, pubs.length + subs.length, p.warmup);
    const logBefore = await this.reset(pubs, subs, faults, clocks);
    const release = faults ? s.trackFaults?.(faults) : undefined;
    // The brokers' own figures over the publishing window: scraped at its start, every second, at its end.
    const watch = s.brokerWatch?.();
    try {
      await watch?.start();
      const pubStats = await this.publish(pubs, subs, faults);
      const broker = await watch?.stop();
      await this.drain(subs, sentByTopic(pubStats, s.topics.length), subConfig.shared_group !== null, faults);
      const collected = await this.collect(subs, faults);
      // Where the logs end tells lag from loss; without it (an admin error), lost counts every message not received.
      const bounds = await Promise.all(s.topics.map((topic) => s.cluster.logBounds(topic))).catch(() => undefined);
      const judged = judgePoint({
        options: this.o,
        params: p,
        topic: s.topic,
        topics: s.topics,
        pubs,
        subs,
        pubStats,
        collected,
        log: { ...(logBefore ? { before: logBefore } : {}), ...(bounds ? { bounds } : {}) },
        sharedGroup: subConfig.shared_group,
        partitionCount: s.partitionCount,
        clocks,
        embedded: s.embedded,
        faults,
        ...(broker ? { broker } : {}),
      });
      return { ...judged, replaced };
    } finally {
      // A point that fails midway stops scraping too.
      await watch?.stop().catch(() => undefined);
      // A point that fails midway still lets go of what it froze and runs the undo of its commands.
      await faults?.abort();
      release?.();
    }
  }

  /** Every app gets the point's settings; consumers the point adds join their groups (this waits for it to start). */
  private async configure(
    pubs: AppHandle[],
    subs: AppHandle[],
    marks: PointMarks,
  ): Promise<{ subConfig: SubConfig; clocks: Map<string, ClockOffset>; joining: number }> {
    const { o, params: p, s } = this;
    const where = s.topics.length === 1 ? s.topic : `${s.topics.length} topics from ${s.topic}`;
    s.emit({ type: 'phase', phase: 'configure', detail: `${where}: ${subs.length} sub apps × ${p.clients_per_app} clients` });
    const unshared = subConfigFor(p, o, s.topics, marks);
    const subConfig = p.consumer_group === 'shared' ? { ...unshared, shared_group: s.sharedGroupFor(unshared) } : unshared;
    const everyone = [...pubs, ...subs];
    // Apps on other hosts have other clocks: each one's offset is taken out of the latencies it measures.
    const clocks = await s.apps.guard('configure', everyone, s.apps.clockOffsets(everyone));
    const pubOffsets = pubs.map((app) => clocks.get(app.name)?.offset_ms ?? 0);
    // Sub app i's clients are the point's i·clients_per_app onwards: they spread over the topics from there.
    const configOf = (app: AppHandle, i: number): SubConfig => {
      const own = clocks.get(app.name);
      const placed = { ...subConfig, first_client: i * p.clients_per_app };
      return own ? { ...placed, latency_corrections_ms: latencyCorrections(own.offset_ms, pubOffsets) } : placed;
    };
    // The payload file is read here, where it is, and handed over: publishers may run where it is not.
    const payload = p.payload_file === '' ? null : readPayload(p.payload_file, p.msg_size);
    const configured = await s.apps.guard(
      'configure',
      everyone,
      Promise.all([
        ...pubs.map((app, i) =>
          s.apps.pub(app).call('updateconfig', pubConfigFor(p, s.topics, marks, i, publisherPartitions(p, i, s.topicPartitions), payload)),
        ),
        ...subs.map((app, i) => s.apps.sub(app).call('updateconfig', configOf(app, i), o.join_timeout * 1000)),
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
      // A consumer its client stopped for good will never join: fail now (a study retries with fresh apps) instead of at the timeout.
      const dead = statuses.flatMap((st) => st.dead ?? []);
      if (dead.length > 0) throw new PointError(`a consumer stopped while joining (${dead.length}): ${dead[0] ?? ''}`);
      const notReady = statuses.map((st, i) => ({ st, app: subs[i] as AppHandle })).filter(({ st }) => st.positioned < p.clients_per_app);
      if (notReady.length > 0)
        return `not positioned: ${notReady.map(({ app, st }) => `${app.name} ${st.positioned}/${p.clients_per_app}${st.errors.length ? ` (${st.errors[0]})` : ''}`).join(', ')}`;
      // A shared group (one per topic) must also have settled: its members still dividing partitions would be hydra's own rebalance.
      if (!shared) return true;
      const assigned = statuses.flatMap((st) => st.assigned.map((a, i) => ({ a, topic: st.client_topics?.[i] ?? 0 })));
      for (let topic = 0; topic < s.topics.length; topic++) {
        const settled = sharedGroupSettled(
          assigned.filter((m) => m.topic === topic).map((m) => m.a),
          s.partitionCount,
        );
        if (settled !== true) return s.topics.length === 1 ? settled : `${s.topics[topic] ?? ''}: ${settled}`;
      }
      return true;
    };
    const pollMs = joining > 0 ? this.poll : Math.min(this.poll, REFETCH_POLL_MS);
    await s.apps.guard('join', [...pubs, ...subs], waitUntil(this.o.join_timeout * 1000, 'consumers joined', check, pollMs));
  }

  /**
   * Zeroes every app's counts (with planned faults, sub apps record a timeline, told the faults'
   * span on their own clocks); returns where the log ended before publishing (what lies below is earlier points').
   */
  private async reset(
    pubs: AppHandle[],
    subs: AppHandle[],
    faults: PointFaults | null,
    clocks: Map<string, ClockOffset>,
  ): Promise<Record<string, number>[] | undefined> {
    const { s } = this;
    await s.apps.guard(
      'join',
      [...pubs, ...subs],
      Promise.all([
        ...pubs.map((app) => s.apps.pub(app).call('resetstats')),
        ...subs.map((app) => s.apps.sub(app).call('resetstats', faults?.timeline(clocks.get(app.name)?.offset_ms ?? 0))),
      ]),
    );
    if (this.o.fresh_topic_per_point) return s.topics.map(() => ({}));
    return await Promise.all(s.topics.map((topic) => s.cluster.logEnd(topic))).catch(() => undefined);
  }

  /**
   * Publishes the point's window and returns the publishers' statistics. From here a sub app that
   * dies or freezes does not stop the point: it is found at collection and named as a fault.
   */
  private async publish(pubs: AppHandle[], subs: AppHandle[], faults: PointFaults | null): Promise<PubStats[]> {
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
        const at = faults?.startAt ?? (pubs.length > 1 ? Date.now() + START_LEAD_MS : undefined);
        await Promise.all(pubs.map((app) => s.apps.pub(app).call('teststart', at === undefined ? undefined : { start_at_ms: at })));
        const driver = faults?.drive(
          pubs,
          subs,
          { brokers: [], runId: '', ...s.faultPlace, topic: s.topic },
          (app) => s.apps.sub(app).call('getstats', undefined, this.o.control_timeout_ms),
          s.emit,
        );
        driver?.start(faults?.windowStart ?? Date.now());
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
        await driver?.done();
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
   * Waits until every client has every message of its topic (`sent`: per topic index; a shared
   * group: until its members have them all between them) or the grace period ends; dead or silent
   * apps are skipped.
   */
  private async drain(subs: AppHandle[], sent: readonly number[], shared: boolean, faults: PointFaults | null): Promise<void> {
    const packetTx = sent.reduce((a, b) => a + b, 0);
    const { s } = this;
    const drainS = faults ? faults.drainS(this.o.drain_timeout) : this.o.drain_timeout;
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
      const killedUnique = [...(faults?.killed.values() ?? [])].reduce((n, st) => n + (st?.clients.reduce((a, c) => a + c.unique, 0) ?? 0), 0);
      const received = statuses.reduce((n, st) => n + (st?.unique.reduce((a, b) => a + b, 0) ?? 0), killedUnique);
      if (received !== lastReceived) quietSince = Date.now();
      lastReceived = received;
      // A client's unique count cannot pass its topic's, so the groups' sum reaches the total only when every topic's has.
      const complete = shared
        ? received >= packetTx
        : statuses.every((st) => st === null || st.unique.every((u, i) => u >= (sent[st.client_topics?.[i] ?? 0] ?? packetTx)));
      // After a fault a shared group's members may get messages twice (a dead member's uncommitted
      // ones): the count reaches the sent total before the group has caught up, so wait for quiet too.
      const settled = faults === null || Date.now() - quietSince >= FAULT_QUIET_MS;
      if ((complete && settled) || Date.now() >= deadline) return;
      await sleep(this.poll);
    }
  }

  /** Every sub app's statistics; one that died or does not answer is named, killed and replaced at the next point. */
  private async collect(subs: AppHandle[], faults: PointFaults | null): Promise<Collected[]> {
    const { s } = this;
    s.emit({ type: 'phase', phase: 'collect', detail: `${subs.length} sub apps` });
    const collected = await Promise.all(
      subs.map(async (app): Promise<Collected> => {
        const fate = (status: AppFate['status']): AppFate => ({ name: app.name, kind: 'sub', pid: app.pid ?? null, status });
        // An app the schedule killed reports what it had received until then.
        const killed = faults?.killed.get(app.name);
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
}
