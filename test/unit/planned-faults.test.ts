import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReceiveTimeline } from '../../src/apps/timeline';
import type { ClientStats, ClientTimeline, PubStats, SubStats } from '../../src/control/wire';
import { emptyPubStats } from '../../src/control/wire';
import { faultFigures, recoveryMs, type FaultRecord } from '../../src/faults/figures';
import { withoutPlannedStalls } from '../../src/faults/planned';
import { FaultSchedule, parseFaultSchedule } from '../../src/config/fault-schedule';
import { checkFaultPlace, checkFaultSchedule, plannedEffects } from '../../src/faults/checks';
import { findCommand } from '../../src/supervise/find-command';
import { checkThresholds, parseThresholds } from '../../src/gate/thresholds';
import { faultFiguresOf } from '../../src/plot/fault-figures';
import { seriesByClientCount } from '../../src/plot/figures';
import { studyFigures } from '../../src/plot/study-figures';
import { verdictText } from '../../src/present/columns';
import { gateStudy } from '../../src/present/gate';
import { faultSentences, summarizeCurves } from '../../src/present/summary';
import { FaultDriver, type FaultTargets } from '../../src/faults/driver';
import { sortFaults, type Collected } from '../../src/runner/harness-faults';
import type { AppHandle } from '../../src/launch';
import { emptyHistogram } from '../../src/stats/histogram';
import { groupReceipts, runsUnionSize, SequenceTracker } from '../../src/stats/sequence';
import { createStudy } from '../../src/study/create';
import { parseVary } from '../../src/study/workloads';
import type { PointRecord } from '../../src/study/record';
import { FIXTURE_OPTIONS, fixtureFaultedPoint, fixturePoint, fixtureTelemetry } from '../fixtures';
import { tempDir } from '../helpers';

/** A client's timeline: `rates` messages per 100 ms bucket from t=0, each bucket's highest latency from `latency`. */
function timeline(counts: number[], latency: (bucket: number) => number, over: Partial<ClientTimeline> = {}): ClientTimeline {
  return {
    start_ms: 0,
    bucket_ms: 100,
    from_ms: 3000,
    to_ms: 5000,
    counts,
    max_latency_ms: counts.map((n, b) => (n > 0 ? latency(b) : null)),
    longest_gap_ms: 0,
    gap_from_ms: null,
    latency_before: emptyHistogram(),
    latency_during: emptyHistogram(),
    latency_after: emptyHistogram(),
    rebalances: [],
    assigned: null,
    received: [],
    ...over,
  };
}

function client(id: string, t: ClientTimeline, msgCnt = 100): ClientStats {
  return {
    client_id: id,
    msg_cnt: msgCnt,
    first_ms: 0,
    last_ms: 1,
    rate: 0,
    unique: msgCnt,
    duplicates: 0,
    out_of_order: 0,
    max_seq: msgCnt - 1,
    gaps: 0,
    latency: emptyHistogram(),
    latency_intended: emptyHistogram(),
    next_offsets: {},
    stale: 0,
    malformed: 0,
    errors: 0,
    timeline: t,
  };
}

/** A faulted point of the fixture study (the embedded broker frozen 2 s): its record carries what was measured through the fault. */
function faultedPoint(clients: number, rate: number, fault: Partial<FaultRecord> = {}): PointRecord {
  return fixtureFaultedPoint(clients, rate, 'at=2s for=2s broker=stop', '', fault);
}

describe('planned faults: the schedule', () => {
  it('reads at=, for= and one action per fault, several joined with ; (a ; inside quotes stays in its command)', () => {
    const faults = parseFaultSchedule(
      'at=3s for=2s broker=stop; at=500ms kill=sub-1 ;at=1.5s for=2 command=\'sh -c "echo a; echo b"\' undo="touch /tmp/x"; none',
      '--fault',
    );
    assert.deepEqual(
      faults.map((f) => [f.at_ms, f.for_ms, f.action]),
      [
        [3000, 2000, { kind: 'broker-stop' }],
        [500, 0, { kind: 'kill', app: 'sub-1' }],
        [1500, 2000, { kind: 'command', command: ['sh', '-c', 'echo a; echo b'], undo: ['touch', '/tmp/x'] }],
      ],
    );
    assert.deepEqual(parseFaultSchedule('', '--fault'), []);
    assert.deepEqual(parseFaultSchedule('none', '--fault'), []);
  });

  it('refuses a schedule that cannot run as planned, naming where it came from and why', () => {
    const shape = { test_duration: 8, total_sub_apps: 2, total_pub_apps: 1 };
    const refused = (raw: string, why: RegExp): void => assert.throws(() => checkFaultSchedule(parseFaultSchedule(raw, '--fault'), shape, '--fault'), why, raw);
    refused('at=3s for=8s broker=stop', /^Error|--fault="at=3s for=8s broker=stop": ends at 11 s, not inside the 8 s measuring window/);
    refused('at=8s stop=sub-0 for=1s', /not inside the 8 s measuring window/);
    refused('at=1s kill=sub-2', /the point has no app 'sub-2' \(its apps: pub, sub-0, sub-1\)/);
    refused('at=1s for=1s stop=worker', /'worker' is not an app name/);
    refused('at=1s kill=pub', /a killed publisher takes its count of sent messages with it/);
    refused("at=1s for=1s command='no-such-command-here x'", /command not found: no-such-command-here \(it runs without a shell/);
    refused("at=1s for=1s command=true undo='no-such-undo'", /command not found: no-such-undo/);
    refused('at=1s for=2s stop=sub-0; at=2s for=1s stop=sub-0', /overlaps 'at=1s for=2s stop=sub-0' on the same target/);
    const bad = (raw: string, why: RegExp): void => assert.throws(() => parseFaultSchedule(raw, 'hydra.ini [faults] fault'), why, raw);
    bad('at=1s stop=sub-0', /hydra\.ini \[faults\] fault="at=1s stop=sub-0": needs for=/);
    bad('for=1s stop=sub-0', /needs at=/);
    bad('at=1s for=1s kill=sub-0', /kill= takes no for=/);
    bad('at=1s for=1s broker=restart', /the embedded broker can only be stopped/);
    bad('at=1s for=1s stop=sub-0 broker=stop', /names 2 actions/);
    bad('at=1s for=1s', /names no action/);
    bad('at=soon for=1s broker=stop', /expected a duration such as 3s/);
    bad("at=1s for=1s command='echo", /quote is not closed/);
    bad('at=1s for=1s stop=sub-0 undo=x', /undo= goes with command=/);
    bad('at=1s for=0s stop=sub-0', /for= must be longer than 0/);
    bad('at=1s for=1s reboot=yes', /'reboot=yes' is not part of a fault/);
  });

  it('refuses stop=/kill= with apps elsewhere and broker=stop on a real cluster, saying what to use instead', () => {
    const faults = (raw: string) => parseFaultSchedule(raw, '--fault');
    assert.throws(
      () => checkFaultPlace(faults('at=1s kill=sub-0'), { localApps: false, embeddedBroker: true }, '--fault'),
      /use command= \(e\.g\. command='kubectl delete pod/,
    );
    assert.throws(() => checkFaultPlace(faults('at=1s for=1s broker=stop'), { localApps: true, embeddedBroker: false }, '--fault'), /systemctl stop kafka/);
    checkFaultPlace(faults("at=1s for=1s command='true'"), { localApps: false, embeddedBroker: false }, '--fault');
  });

  it('finds a command as the kernel would without a shell: on PATH, or by its path', () => {
    const dir = tempDir();
    try {
      const script = path.join(dir, 'fault.sh');
      fs.writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'plain.txt'), 'x', { mode: 0o644 });
      assert.equal(findCommand('fault.sh', dir), script);
      assert.equal(findCommand(script, ''), script);
      assert.equal(findCommand('plain.txt', dir), null, 'not executable');
      assert.equal(findCommand('fault.sh', '/nonexistent'), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sweep varies the fault like any workload parameter: the steady state and the fault side by side', () => {
    const workloads = parseVary('fault=none,at=2s for=1s broker=stop');
    assert.deepEqual(
      workloads.map((w) => ({ fault: String(w.fault) })),
      [{ fault: 'none' }, { fault: 'at=2s for=1s broker=stop' }],
    );
    assert.equal(workloads[1]?.fault?.faults[0]?.action.kind, 'broker-stop', 'read once, carried typed');
    const dir = tempDir();
    try {
      const store = createStudy({
        kind: 'sweep',
        options: { ...FIXTURE_OPTIONS, results_dir: dir },
        grid: { client_counts: [2], msg_rates: [100], workloads },
      });
      assert.deepEqual(
        store.readSpec().grid.workloads?.map((w) => String(w.fault)),
        ['none', 'at=2s for=1s broker=stop'],
      );
      assert.throws(
        () =>
          createStudy({
            kind: 'sweep',
            options: { ...FIXTURE_OPTIONS, results_dir: dir },
            grid: { client_counts: [2], workloads: parseVary('fault=at=9s for=5s broker=stop') },
          }),
        /grid\.workloads\[0\]\.fault="at=9s for=5s broker=stop": ends at 14 s, not inside the 10 s measuring window/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a study refuses a fault on an app one of its client counts does not have, and a rate search refuses faults', () => {
    const dir = tempDir();
    try {
      const options = { ...FIXTURE_OPTIONS, clients_per_app: 1, results_dir: dir, fault: FaultSchedule.parse('at=1s kill=sub-2', 'fault') };
      assert.throws(() => createStudy({ kind: 'sweep', options, grid: { client_counts: [2, 3], msg_rates: [100] } }), /options\.fault.*no app 'sub-2'/);
      createStudy({ kind: 'sweep', options, grid: { client_counts: [3, 4], msg_rates: [100] }, id: 'ok-kill' });
      assert.throws(
        () =>
          createStudy({
            kind: 'kafkarate',
            options: { ...options, fault: FaultSchedule.parse('at=1s for=1s broker=stop', 'fault') },
            grid: { client_counts: [2] },
            search: {},
          }),
        /a rate search looks for the steady-state boundary/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('planned faults: what is measured through them', () => {
  it('a timeline keeps messages per bucket, the longest gap, and latency split by send time', () => {
    const t = new ReceiveTimeline(1000, { bucket_ms: 100, from_ms: 1300, to_ms: 1600 });
    // Sent before the fault and received at once; sent during it and received 0.5 s late; then fresh again.
    for (const at of [1010, 1050, 1110, 1250]) t.record(at, 5, at - 5);
    for (const at of [1800, 1810]) t.record(at, 450, at - 450);
    for (const at of [1900, 1950]) t.record(at, 5, at - 5);
    const json = t.toJSON([]);
    assert.deepEqual(json.counts, [2, 1, 1, 0, 0, 0, 0, 0, 2, 2]);
    assert.deepEqual(json.max_latency_ms.slice(0, 3), [5, 5, 5]);
    assert.equal(json.max_latency_ms[8], 450);
    assert.equal(json.longest_gap_ms, 550);
    assert.equal(json.gap_from_ms, 1250);
    assert.equal(json.latency_before.count, 4);
    assert.equal(json.latency_during.count, 2, 'sent during the fault, received after it: the fault’s latency');
    assert.equal(json.latency_after.count, 2);
  });

  it('recovery runs from the fault’s end to the end of the last step that still brought a stale message; never fresh again is null', () => {
    // 10 ms latency in the steady state; after the fault (ends at 5 s) stale messages until 5.7 s.
    const counts = Array.from({ length: 80 }, (_, b) => (b >= 30 && b < 50 ? 0 : 10));
    const t = timeline(counts, (b) => (b >= 50 && b < 57 ? 1500 : 10));
    assert.equal(recoveryMs(t, 5000), 700);
    // Fresh at once: recovered when the first message after the end arrived.
    assert.equal(
      recoveryMs(
        timeline(counts, () => 10),
        5000,
      ),
      0,
    );
    // Still stale at the end of the point: not recovered.
    assert.equal(
      recoveryMs(
        timeline(counts, (b) => (b >= 50 ? 1500 : 10)),
        5000,
      ),
      null,
    );
    // Nothing after the fault: not recovered.
    assert.equal(
      recoveryMs(
        timeline(
          counts.map((n, b) => (b >= 30 ? 0 : n)),
          () => 10,
        ),
        5000,
      ),
      null,
    );
  });

  it('recovery ends once a client has stayed fresh for 2 s: a slow step long after the backlog is a later hiccup', () => {
    const counts = Array.from({ length: 120 }, (_, b) => (b >= 30 && b < 50 ? 0 : 10));
    // Stale until 5.7 s, fresh for 4 s, one slow step at 9.8 s, then fresh to the end.
    const hiccup = timeline(counts, (b) => ((b >= 50 && b < 57) || b === 98 ? 1500 : 10));
    assert.equal(recoveryMs(hiccup, 5000), 700);
    // The slow step 1 s after the backlog, before it had settled: still the fault's.
    assert.equal(
      recoveryMs(
        timeline(counts, (b) => ((b >= 50 && b < 57) || b === 66 ? 1500 : 10)),
        5000,
      ),
      1700,
    );
    // A slow last step with no settled stretch before it: not recovered.
    assert.equal(
      recoveryMs(
        timeline(counts.slice(0, 66), (b) => ((b >= 50 && b < 57) || b === 65 ? 1500 : 10)),
        5000,
      ),
      null,
    );
  });

  it('a silence of a second or more that ends after the fault is the fault’s: a shared group waiting out a dead member’s session', () => {
    // Killed at 3 s (the fault ends then); the survivor gets fresh messages until 6 s, nothing until
    // 9 s (session timeout and rebalance), the dead member's backlog until 9.5 s, then fresh.
    const counts = Array.from({ length: 150 }, (_, b) => (b >= 60 && b < 90 ? 0 : 10));
    const latency = (b: number): number => (b >= 90 && b < 95 ? 3000 : 10);
    const silence = { longest_gap_ms: 3000, gap_from_ms: 5990, from_ms: 3000, to_ms: 3000 };
    assert.equal(recoveryMs(timeline(counts, latency, silence), 3000), 6500);
    // The same silence with no backlog behind it: recovered when messages came again.
    assert.equal(
      recoveryMs(
        timeline(counts, () => 10, silence),
        3000,
      ),
      6000,
    );
    // A silence shorter than a second is not the fault's: fresh at once.
    assert.equal(
      recoveryMs(
        timeline(counts, () => 10, { ...silence, longest_gap_ms: 900 }),
        3000,
      ),
      0,
    );
    // A silence that ended before the fault began is not its either.
    assert.equal(
      recoveryMs(
        timeline(counts, () => 10, { ...silence, gap_from_ms: 500, from_ms: 4000, to_ms: 4000 }),
        4000,
      ),
      0,
    );
  });

  it('puts a shared group’s receipts together: a message two members got counts once, and once as a duplicate', () => {
    const a = new SequenceTracker();
    for (let s = 0; s < 60; s++) a.record(s);
    const b = new SequenceTracker();
    for (let s = 40; s < 100; s++) b.record(s);
    b.record(70);
    assert.deepEqual(a.runs(), [[0, 59]]);
    const holes = new SequenceTracker();
    for (const s of [0, 1, 2, 5, 6, 9]) holes.record(s);
    assert.deepEqual(holes.runs(), [
      [0, 2],
      [5, 6],
      [9, 9],
    ]);
    assert.equal(runsUnionSize([a.runs(), b.runs()]), 100);
    const member = (runs: [number, number][], partition: number): ClientTimeline => timeline([], () => 0, { received: [{ pub: 0, partition, runs }] });
    assert.deepEqual(groupReceipts([member(a.runs(), 0), member(b.runs(), 0), member([[0, 9]], 1)]), { unique: 110, across: 20 });
  });

  it('sums a fault up over clients: the longest gap, the slowest recovery, a killed one left out, rebalances merged, partitions held', () => {
    const counts = Array.from({ length: 100 }, (_, b) => (b >= 30 && b < 52 ? 0 : 10));
    const fresh = timeline(counts, (b) => (b >= 52 && b < 55 ? 900 : 8), {
      longest_gap_ms: 2210,
      gap_from_ms: 2990,
      rebalances: [
        [3100, 4000],
        [3900, 4500],
      ],
      assigned: [0, 1],
    });
    const other = timeline(counts, () => 8, { longest_gap_ms: 2150, gap_from_ms: 3000, rebalances: [[3200, 4100]], assigned: [2, 3] });
    const dead = timeline(counts.slice(0, 20), () => 8, { longest_gap_ms: 100, assigned: [0] });
    const pub: PubStats = { ...emptyPubStats(), send_errors: 3 };
    const f = faultFigures({
      schedule: ['at=3s for=2s broker=stop'],
      fired: [{ fault: 'at=3s for=2s broker=stop', started_ms: 3000, ended_ms: 5000, error: null }],
      windowStartMs: 0,
      clients: [
        { stats: client('a', fresh), clockOffsetMs: 0, killed: false },
        { stats: client('b', other), clockOffsetMs: 0, killed: false },
        { stats: client('c', dead), clockOffsetMs: 0, killed: true },
        {
          stats: client(
            'idle',
            timeline([], () => 0),
            0,
          ),
          clockOffsetMs: 0,
          killed: false,
        },
      ],
      pubStats: [pub],
      sharedPartitions: 4,
    });
    assert.deepEqual(f.span_s, [3, 5]);
    assert.equal(f.longest_gap_ms, 2210);
    assert.equal(f.recovery_ms, 500, 'a: stale until 5.5 s');
    assert.equal(f.not_recovered, 0);
    assert.deepEqual(
      f.clients.map((c) => [c.client_id, c.recovery_ms, c.killed ?? false, c.idle ?? false]),
      [
        ['a', 500, false, false],
        // Fresh from its first message after the fault, which came 0.2 s after its end.
        ['b', 200, false, false],
        ['c', null, true, false],
        ['idle', null, false, true],
      ],
    );
    assert.equal(f.rebalances, 1, 'overlapping rebalances of several members are one');
    assert.equal(f.rebalance_max_ms, 1400);
    assert.equal(f.partitions_taken_over, true, 'the survivors hold 0-3 between them');
    assert.equal(f.send_errors, 3);
    assert.equal(f.delivery.clients[0]?.client_id, 'c', 'a killed client is drawn first');
    assert.equal(f.delivery.step_ms, 300);
  });

  it('a planned freeze’s stall is left out of the judgement; another stall of the same app stays', () => {
    const t = fixtureTelemetry({
      stalls: [
        { at_ms: 3010, ms: 1980, cause: 'frozen', run_ms: 0, wait_ms: 0 },
        { at_ms: 9000, ms: 800, cause: 'frozen', run_ms: 0, wait_ms: 0 },
      ],
    });
    assert.deepEqual(
      withoutPlannedStalls(t, [[3000, 5000]])?.stalls.map((s) => s.at_ms),
      [9000],
    );
    assert.equal(withoutPlannedStalls(t, undefined), t);
    assert.equal(withoutPlannedStalls(null, [[0, 1]]), null);
  });

  it('with planned faults a killed app, send errors and a rebalance are the experiment, not harness faults; without, they are', () => {
    const collected: Collected[] = [
      {
        report: {
          app: 'sub-0',
          clients: [
            {
              ...client(
                'x',
                timeline([], () => 0),
              ),
              rejoins: 1,
            },
          ],
        },
        fate: { name: 'sub-0', kind: 'sub', pid: 1, status: 'ok' },
      },
      { report: { app: 'sub-1', clients: null }, fate: { name: 'sub-1', kind: 'sub', pid: 2, status: 'killed' } },
    ];
    const input = { collected, pubs: [] as AppHandle[], pubStats: [{ ...emptyPubStats(), send_errors: 4 }], sharedGroup: 'g', stalledApps: [] };
    assert.deepEqual(sortFaults({ ...input, planned: { sendErrors: true, rebalance: true } }), []);
    // A sub app frozen on purpose cannot cause send errors: they are still the harness's.
    assert.match(sortFaults({ ...input, planned: plannedEffects(parseFaultSchedule('at=1s for=1s stop=sub-1', 'x')) }).join('; '), /send errors: 4/);
    assert.deepEqual(plannedEffects(parseFaultSchedule('at=1s for=1s stop=pub', 'x')), { sendErrors: true, rebalance: false });
    const unplanned = sortFaults(input);
    assert.equal(unplanned.length, 2, unplanned.join('; '));
    assert.match(unplanned.join('; '), /send errors: 4/);
    assert.match(unplanned.join('; '), /shared group g rebalanced/);
  });
});

describe('planned faults: kept apart from the steady state', () => {
  const study = (): PointRecord[] => [
    fixturePoint(2, 1000),
    fixturePoint(2, 2000),
    faultedPoint(2, 1000),
    faultedPoint(4, 1000, { recovery_ms: null, not_recovered: 1 }),
  ];

  it('a faulted point is marked faulted, never drawn on a steady-state curve, and gets figures of its own', () => {
    const points = study();
    assert.equal(verdictText(points[2] as PointRecord), 'faulted/rehearsal');
    assert.equal(verdictText(points[0] as PointRecord), 'rehearsal');
    const series = seriesByClientCount(points);
    assert.deepEqual(
      series.map((s) => [s.name, s.points.length]),
      [['2 clients', 2]],
    );
    const figures = studyFigures(points);
    assert.deepEqual(Object.keys(figures), ['rx-tx', 'loss-tx', 'fail-tx', 'latency-tx', 'fault-delivery-1', 'fault-delivery-2', 'fault-recovery']);
    assert.match(JSON.stringify(figures['rx-tx']?.layout), /2 through planned faults \(in the fault figures\) points not shown/);
    const delivery = figures['fault-delivery-1'];
    assert.equal(delivery?.data[0]?.name, 'sub-0-c0');
    assert.deepEqual(delivery?.data[0]?.y, [500, 500, 0, 0, 1500, 500]);
    assert.equal((delivery?.layout.shapes as { x0: number; x1: number }[])[0]?.x0, 2);
    const recovery = figures['fault-recovery'];
    // By client count (2 and 4): the recovered point on the recovery curve, the other as an open cross.
    assert.deepEqual(
      recovery?.data.map((t) => [t.name.split(':')[0], t.x, t.y]),
      [
        ['recovery', [2], [0.3]],
        ['longest gap', [2, 4], [2.1, 2.1]],
        ["not recovered by the point's end", [4], [2.1]],
      ],
    );
    assert.deepEqual(faultFiguresOf([fixturePoint(2, 1000)]), {});
  });

  it('a study of faulted points only opens with its fault figures, which say what was lost and what a catch-up peak is', () => {
    const only = [faultedPoint(2, 1000), faultedPoint(4, 1000)];
    const figures = studyFigures(only);
    assert.deepEqual(Object.keys(figures), ['fault-delivery-1', 'fault-delivery-2', 'fault-recovery'], 'no empty steady-state figures');
    const notes = JSON.stringify(figures['fault-delivery-1']?.layout.title);
    assert.match(notes, /nothing lost; longest gap 2\.10 s/);
    // The fixture's clients read 1500 msg/s after the fault at 1000 asked: the backlog, said so.
    assert.match(notes, /above the rate asked \(up to 1500 msg\/s\): the clients catching up on the backlog the fault held back/);
    const steady = JSON.stringify(
      studyFigures([faultedPoint(2, 1000, { delivery: { step_ms: 250, start_s: 0, clients: [{ client_id: 'sub-0-c0', rates: [1000, 0, 1000] }] } })])[
        'fault-delivery-1'
      ]?.layout.title,
    );
    assert.doesNotMatch(steady, /catching up/, 'no peak above the rate: no catch-up note');
    // Recovery and gap told apart by shape (and, with one curve, by colour).
    const [recovery, gap] = figures['fault-recovery']?.data ?? [];
    assert.equal((recovery?.marker as { symbol: string }).symbol, 'circle');
    assert.equal((gap?.marker as { symbol: string }).symbol, 'diamond-open');
    assert.notEqual(recovery?.line?.color, gap?.line?.color);
  });

  it('the summary speaks of the steady state per curve, and of each faulted point in a sentence of its own', () => {
    const curves = summarizeCurves(study());
    assert.deepEqual(
      curves.map((c) => [c.curve, c.measured]),
      [['2 clients', 2]],
    );
    const sentences = faultSentences(study());
    assert.equal(sentences.length, 2);
    assert.match(
      sentences[0] as string,
      /^2 clients, 1000 msg\/s, batch 100: faulted \(at=2s for=2s broker=stop\): nothing lost, longest gap 2\.1 s, recovery 0\.3 s/,
    );
    assert.match(sentences[1] as string, /1 of 1 clients not back at the rate by the end of the point/);
  });

  it('fault_* thresholds judge faulted points only, the others steady-state points only', () => {
    const thresholds = parseThresholds('fault_recovery_ms<1000; latency_p99_ms<1', '--threshold');
    const [steady, faulted, stuck] = [fixturePoint(2, 1000), faultedPoint(2, 1000), faultedPoint(4, 1000, { recovery_ms: null, not_recovered: 1 })];
    assert.deepEqual(
      checkThresholds(steady.result as NonNullable<PointRecord['result']>, thresholds).map((c) => c.threshold),
      ['latency_p99_ms<1'],
    );
    assert.deepEqual(
      checkThresholds(faulted.result as NonNullable<PointRecord['result']>, thresholds, faulted.fault).map((c) => [c.threshold, c.value, c.passed]),
      [['fault_recovery_ms<1000', 300, true]],
    );
    const gate = gateStudy('s', [faulted, stuck], thresholds);
    assert.deepEqual(
      gate.points.map((p) => p.outcome),
      ['pass', 'fail'],
      'a point whose clients did not recover has no recovery: its check fails',
    );
    assert.throws(() => parseThresholds('fault_recovery<1', '--threshold'), /did you mean fault_recovery_ms/);
  });
});

describe('planned faults: the driver', () => {
  /** Targets that record what the driver did, with the time from its start. */
  function recorder(): { targets: FaultTargets; did: string[]; t0: () => number } {
    const did: string[] = [];
    let start = 0;
    const app = { name: 'sub-1', kind: 'sub', pid: 4242, endpoint: '', logFile: '', exited: new Promise(() => undefined), isAlive: () => true } as AppHandle;
    const snapshot: SubStats = {
      app: 'sub-1',
      pid: 4242,
      clients: [],
      telemetry: fixtureTelemetry(),
      fetch: { requests: 0, rtt: emptyHistogram(), queue_max_ms: 0, throttle_ms: 0, throttle_max_ms: 0, throttled: 0, timeouts: 0 },
    };
    return {
      did,
      t0: () => start,
      targets: {
        app: (name) => (name === 'sub-1' ? app : undefined),
        signal: (pid, signal) => {
          did.push(`${signal} ${pid} @${Math.round((Date.now() - start) / 100) / 10}`);
        },
        snapshot: () => {
          did.push('snapshot sub-1');
          return Promise.resolve(snapshot);
        },
        brokerPid: 777,
        commandValues: { node: process.execPath, brokers: 'b:9092', topic: 't', run: 'r' },
        emit: (e) => {
          if (e.type === 'fault') start = start || Date.now();
        },
      },
    };
  }

  it('freezes and lets go on schedule, kills after taking the app’s statistics, and records when each ran', async () => {
    const r = recorder();
    const faults = parseFaultSchedule('at=0.1s for=0.3s broker=stop; at=0.2s kill=sub-1', 'x');
    const driver = new FaultDriver(faults, r.targets);
    const t0 = Date.now();
    driver.start(t0);
    await driver.done();
    assert.deepEqual(
      r.did.map((d) => d.replace(/ @.*/, '')),
      ['SIGSTOP 777', 'snapshot sub-1', 'SIGKILL 4242', 'SIGCONT 777'],
    );
    const stop = driver.fired.find((f) => f.fault.includes('broker'));
    assert.ok(stop && Math.abs(stop.started_ms - t0 - 100) < 80 && Math.abs((stop.ended_ms ?? 0) - t0 - 400) < 80, JSON.stringify(stop));
    assert.ok(driver.killed.has('sub-1'));
  });

  it('a point ending early lets go of what was frozen and runs the undo at once; a failing command is named', async () => {
    const r = recorder();
    const dir = tempDir();
    try {
      const marker = path.join(dir, 'undone');
      const faults = parseFaultSchedule(`at=0s for=30s broker=stop; at=0s for=30s command='false' undo='touch ${marker}'`, 'x');
      const driver = new FaultDriver(faults, r.targets);
      driver.start(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await driver.abort();
      assert.deepEqual(
        r.did.map((d) => d.replace(/ @.*/, '')),
        ['SIGSTOP 777', 'SIGCONT 777'],
      );
      assert.ok(fs.existsSync(marker), 'the undo ran');
      assert.match(driver.fired.find((f) => f.fault.includes('command'))?.error ?? '', /false exited 1/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
