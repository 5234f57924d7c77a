import { strict as assert } from 'node:assert';
import { classifyGap } from '../../src/apps/telemetry';
import { emptyBrokerRequests, emptyPubStats, type ClientStats, type HistogramData } from '../../src/control/wire';
import { RemedyOnce } from '../../src/present/verdict';
import { LatencyHistogram } from '../../src/stats/histogram';
import { computeResult } from '../../src/stats/result';
import {
  DEFAULT_THRESHOLDS,
  formatKafkaLimit,
  isSaturated,
  isStarved,
  judgePoint,
  remedyFor,
  type HarnessLimit,
  type KafkaReason,
  type PubView,
  type VerdictInput,
} from '../../src/stats/verdict';
import { fixtureClient, fixtureTelemetry as telemetry } from '../fixtures';

describe('harness verdict in a point result (synthetic telemetry)', () => {
  it('puts the verdict, limits and notes into a point result', () => {
    const pub = { ...emptyPubStats(), msg_cnt: 800, rate: 800, 'time:start': 1, 'time:end': 2, telemetry: telemetry({ cpu_pct: 99 }) };
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(800, 800)], telemetry: telemetry({ cpu_pct: 95 }) }], 1, 1000);
    assert.equal(r.verdict, 'harness_limited');
    assert.deepEqual(r.harness_limits, ['publisher', 'subscribers']);
    assert.match(r.harness_notes[0] ?? '', /^the publisher, not Kafka, was the limit: reached 800 of 1 000 msg\/s \(80\.0 %\) at 99 % CPU/);
    assert.match(r.harness_notes[1] ?? '', /^the subscribers, not Kafka, were the limit: 1 of 1 sub apps saturated \(sub-0: 95 % CPU/);
    assert.equal(r.pub_limited, true);
    assert.equal(r.sub_cpu_max_pct, 95);
    assert.deepEqual(r.kafka_limits, []);
  });
});

const client = (received: number, nextOffset: number, unique = received): ClientStats => fixtureClient(received, nextOffset, unique);

describe('lag versus loss', () => {
  const pub = { ...emptyPubStats(), msg_cnt: 1000, rate: 1000, 'time:start': 1, 'time:end': 2 };

  it('counts what the broker holds but a client has not read as behind, not lost', () => {
    // Log end 1000: client a has everything, b read up to offset 700 (300 behind), c read 900 of the
    // first 950 (50 behind, 50 lost: acknowledged yet below its position and never received).
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(1000, 1000), client(700, 700), client(900, 950)] }], 3, 1000, { logEnd: { '0': 1000 } });
    assert.equal(r.behind_total, 300 + 50);
    assert.equal(r.lost_total, 0 + 0 + 50);
    // HYDRA's figure keeps HYDRA's meaning: received against sent, whatever the reason.
    assert.equal(r.average_packet_loss, ((1000 - (1000 + 700 + 900) / 3) * 100) / 1000);
  });

  it('counts everything not received as lost when the log end is unknown', () => {
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(700, 700)] }], 1, 1000);
    assert.equal(r.behind_total, null);
    assert.equal(r.lost_total, 300);
  });

  it('counts what retention deleted before a client read it as expired, not lost or behind', () => {
    // Log now 600..1000. a was stuck at 200 (400 deleted under it, 400 behind); b was moved from
    // 300 to 800 by a reset (skipped 500) and read to the end.
    const stuck = client(200, 200);
    const reset = { ...client(500, 1000), skipped: 500 };
    const real = computeResult(pub, [{ app: 'sub-0', clients: [stuck, reset] }], 2, 1000, { logEnd: { '0': 1000 }, logFirst: { '0': 600 } });
    assert.equal(real.expired_total, 400 + 500);
    assert.equal(real.behind_total, 400);
    assert.equal(real.lost_total, 0);
    assert.equal(real.verdict, 'kafka', "on a real cluster that is the topic's retention at work: a Kafka figure");
    // On hydra's embedded broker the same is its bounded in-memory log: the harness's limit, named.
    const embedded = computeResult(pub, [{ app: 'sub-0', clients: [stuck, reset] }], 2, 1000, {
      logEnd: { '0': 1000 },
      logFirst: { '0': 600 },
      embeddedBroker: true,
    });
    assert.equal(embedded.verdict, 'harness_limited');
    assert.deepEqual(embedded.harness_limits, ['embedded_broker']);
    // A sum over clients is said as one, beside what was sent: 900 deliveries of 1 000 messages, over 2 clients.
    assert.match(
      embedded.harness_notes[0] ?? '',
      /hydra's embedded broker, not Kafka, was the limit: its in-memory log dropped messages before clients read them: 900 deliveries missed, summed over the 2 clients that missed some \(1 000 messages were sent/,
    );
  });

  it('never counts more behind than the client is missing (the log may hold unacknowledged messages)', () => {
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(1000, 1000)] }], 1, 1000, { logEnd: { '0': 1200 } });
    assert.equal(r.behind_total, 0);
    assert.equal(r.lost_total, 0);
  });
});

describe('who held a point back: the rules one by one (synthetic telemetry)', () => {
  const pub = (over: Partial<PubView> = {}): PubView => ({
    app: 'pub',
    telemetry: telemetry({ cpu_pct: 10, elu: 0.1 }),
    window_s: 10,
    broker_wait_ms: 0,
    send_rtt: rtt([2, 3, 4]),
    produce: null,
    msg_cnt: 10000,
    requests: 100,
    ...over,
  });
  const input = (over: Partial<VerdictInput> = {}): VerdictInput => ({
    requestedRate: 1000,
    achievedRate: 1000,
    pubs: [pub()],
    subs: [{ app: 'sub-0', telemetry: telemetry() }],
    embedded: false,
    behind: 0,
    fetchWaitMs: 100,
    maxInFlight: 1,
    ...over,
  });

  it('tells a stall by what the scheduler saw: frozen, starved or busy; without schedstat by CPU time and the run queue', () => {
    assert.equal(classifyGap({ gapMs: 3000, runMs: 1, waitMs: 0, cpuMs: 1 }, false), 'frozen');
    assert.equal(classifyGap({ gapMs: 1500, runMs: 300, waitMs: 1100, cpuMs: 300 }, true), 'starved');
    assert.equal(classifyGap({ gapMs: 900, runMs: 800, waitMs: 20, cpuMs: 800 }, false), 'busy');
    assert.equal(classifyGap({ gapMs: 900, runMs: 0, waitMs: null, cpuMs: 850 }, false), 'busy');
    assert.equal(classifyGap({ gapMs: 900, runMs: 0, waitMs: null, cpuMs: 10 }, true), 'starved');
    assert.equal(classifyGap({ gapMs: 900, runMs: 0, waitMs: null, cpuMs: 10 }, false), 'frozen');
  });

  it('calls an app starved when it waited for a CPU more than it ran, saturated when its own work filled it', () => {
    const th = DEFAULT_THRESHOLDS;
    const starved = telemetry({ cpu_pct: 5, elu: 1, run_wait_pct: 60 });
    assert.ok(isStarved(starved, th) && !isSaturated(starved, th));
    const busy = telemetry({ cpu_pct: 88, elu: 1, run_wait_pct: 24 });
    assert.ok(!isStarved(busy, th) && isSaturated(busy, th));
    const idleButLate = telemetry({ cpu_pct: 14, elu: 0.3, run_wait_pct: 50 });
    assert.ok(!isStarved(idleButLate, th), 'a mostly idle loop kept up: its wakeups were only a little late');
    const busyAndWaiting = telemetry({ cpu_pct: 60, elu: 1, run_wait_pct: 40 });
    assert.ok(!isStarved(busyAndWaiting, th) && isSaturated(busyAndWaiting, th), 'it ran more than it waited: its own limit first');
    // Without schedstat: a busy loop on a small CPU share on an oversubscribed host.
    assert.ok(isStarved(telemetry({ cpu_pct: 5, elu: 0.95, run_wait_pct: null, host_runqueue: 30, host_cpus: 2 }), th));
    assert.ok(!isStarved(telemetry({ cpu_pct: 5, elu: 0.95, run_wait_pct: null, host_runqueue: 1, host_cpus: 2 }), th));
  });

  it('a publisher throttled by its quota on a real cluster: Kafka held it back, with the throttle time', () => {
    const throttled = pub({ broker_wait_ms: 2000, produce: { ...emptyBrokerRequests(), throttle_ms: 3100, throttle_max_ms: 900, throttled: 12 } });
    const v = judgePoint(input({ requestedRate: 2000, achievedRate: 643, pubs: [throttled] }));
    assert.deepEqual(v.harness, []);
    assert.deepEqual(
      v.kafka.map((k) => k.limit),
      ['produce'],
    );
    assert.match(
      formatKafkaLimit(v.kafka[0] as KafkaReason),
      /^Kafka held the publisher back: it accepted 643 of 2 000 msg\/s \(32\.1 %\): .*throttled 3\.1 s by its quota/,
    );
  });

  it('a publisher short of its rate, neither busy nor waiting: the publisher, unexplained — never Kafka', () => {
    const v = judgePoint(input({ achievedRate: 700 }));
    assert.deepEqual(
      v.harness.map((h) => h.limit),
      ['publisher'],
    );
    assert.match(
      v.harness[0]?.detail ?? '',
      /reached 700 of 1 000 msg\/s \(70\.0 %\) though neither busy \(10 % CPU.*\) nor waiting on the broker \(0 % of the window\)/,
    );
    assert.deepEqual(v.kafka, []);
  });

  it('a publisher short of its rate on a starved host: the host, with the run queue against the cores', () => {
    const v = judgePoint(
      input({
        achievedRate: 600,
        pubs: [pub({ telemetry: telemetry({ cpu_pct: 8, elu: 0.97, run_wait_pct: 70, host_runqueue: 33, host_cpus: 2 }), broker_wait_ms: 9000 })],
      }),
    );
    assert.deepEqual(
      v.harness.map((h) => h.limit),
      ['host'],
      'waiting for a CPU comes before waiting on the broker',
    );
    assert.match(v.harness[0]?.detail ?? '', /starved of CPU .*waited for a CPU 70 % of the window; 33 runnable on 2 cores/);
    assert.deepEqual(v.kafka, []);
  });

  it('a publisher short of its rate on a busy host, not starved itself and waiting on the broker: the produce path, and the host named too', () => {
    const v = judgePoint(
      input({
        achievedRate: 271,
        pubs: [
          pub({
            telemetry: telemetry({ cpu_pct: 2, elu: 0.03, run_wait_pct: 2, host_cpu_busy_pct: 100, host_runqueue: 3.5, host_cpus: 2 }),
            broker_wait_ms: 9000,
          }),
        ],
      }),
    );
    assert.deepEqual(
      v.kafka.map((k) => k.limit),
      ['produce'],
      'it got a CPU whenever it asked: what held it back was the broker',
    );
    assert.ok(
      v.harness.some((h) => h.limit === 'host' && /host CPU .*100 % busy/.test(h.detail)),
      JSON.stringify(v.harness),
    );
    assert.ok(!v.harness.some((h) => /the publisher reached .* while starved/.test(h.detail)), 'not called starved at 2 % of the window waiting for a CPU');
  });

  it('stalls: frozen apps are faults; busy ones their role’s limit; a broker answer is not blamed while its app stalled', () => {
    const frozen = { at_ms: 0, ms: 3000, cause: 'frozen' as const, run_ms: 0, wait_ms: 0 };
    const busy = { ...frozen, ms: 800, cause: 'busy' as const, run_ms: 790 };
    const v = judgePoint(
      input({
        pubs: [pub({ telemetry: telemetry({ stalls: [frozen] }), send_rtt: rtt([2, 3050]) })],
        subs: [{ app: 'sub-0', telemetry: telemetry({ stalls: [busy] }) }],
      }),
    );
    assert.deepEqual(v.faults, [
      "pub's event loop stood still 3.0 s inside the window, neither running nor waiting for a CPU (stopped, or its machine paused)",
    ]);
    assert.deepEqual(
      v.harness.map((h) => [h.limit, h.detail]),
      [
        ['stall', v.faults[0]],
        ['subscribers', "sub-0's event loop was blocked 800 ms by its own work"],
      ],
    );
    assert.deepEqual(v.kafka, [], "the publisher's own freeze is not the broker's slow answer");
    // Below the threshold nothing is said.
    assert.deepEqual(judgePoint(input({ subs: [{ app: 'sub-0', telemetry: telemetry({ stalls: [{ ...busy, ms: 300 }] }) }] })).harness, []);
  });

  it('a slow answer timed by a starved or saturated app is not the broker’s: it read the answer late itself', () => {
    const fetch = { ...emptyBrokerRequests(), requests: 50, rtt: rtt([100, 1600]) };
    const starved = telemetry({ cpu_pct: 6, elu: 0.9, run_wait_pct: 88, host_cpu_busy_pct: 80 });
    const v = judgePoint(input({ subs: [{ app: 'sub-0', telemetry: starved, fetch }] }));
    assert.deepEqual(v.kafka, []);
    assert.deepEqual(
      v.harness.map((h) => h.limit),
      ['host'],
    );
    // The same answer timed by an app with headroom is the broker's.
    assert.deepEqual(
      judgePoint(input({ subs: [{ app: 'sub-0', telemetry: telemetry(), fetch }] })).kafka.map((k) => k.limit),
      ['fetch'],
    );
  });

  it("a send's linger inside the client is the client's wait, not a slow broker answer", () => {
    // librdkafka lingers after send(): 900 ms of linger and a 100 ms answer is not a stalled broker.
    const lingering = input({ pubs: [pub({ send_rtt: rtt([950, 1000]) })] });
    assert.deepEqual(judgePoint({ ...lingering, sendLingerMs: 900 }).kafka, []);
    // Past its linger by more than stall_max_ms it is.
    assert.deepEqual(
      judgePoint({ ...lingering, sendLingerMs: 300 }).kafka.map((k) => k.limit),
      ['produce'],
    );
  });

  it('subscribers behind after the drain while their apps idled: Kafka’s fetch path (real); not while they were saturated', () => {
    const fetch = { ...emptyBrokerRequests(), requests: 50, rtt: rtt([100, 480, 550]) };
    const v = judgePoint(input({ behind: 1234, subs: [{ app: 'sub-0', telemetry: telemetry(), fetch }] }));
    assert.deepEqual(
      v.kafka.map((k) => k.limit),
      ['fetch'],
    );
    assert.match(
      formatKafkaLimit(v.kafka[0] as KafkaReason),
      /^Kafka's fetch path held the subscribers back: the subscribers were still 1 234 messages behind after the drain while their apps were idle/,
    );
    const saturated = judgePoint(input({ behind: 1234, subs: [{ app: 'sub-0', telemetry: telemetry({ cpu_pct: 99 }), fetch }] }));
    assert.deepEqual(saturated.kafka, []);
    assert.deepEqual(
      saturated.harness.map((h) => h.limit),
      ['subscribers'],
    );
  });

  it('remedies fit the broker, and each is handed out once per study', () => {
    assert.match(remedyFor('host', true), /the embedded broker shares it too/);
    assert.doesNotMatch(remedyFor('host', false), /embedded/);
    const once = new RemedyOnce();
    const limited = { verdict: 'harness_limited' as const, harness_limits: ['publisher', 'host'] as HarnessLimit[], embedded_broker: false };
    assert.equal(once.newFor(limited).length, 2);
    assert.deepEqual(once.newFor(limited), [], 'said once');
    assert.deepEqual(once.newFor({ ...limited, harness_limits: ['host', 'subscribers'] }), [
      `hydra: where the subscribers are the limit: ${remedyFor('subscribers', false)}`,
    ]);
  });
});

function rtt(ms: number[]): HistogramData {
  const h = new LatencyHistogram();
  for (const v of ms) h.record(v * 1000);
  return h.toJSON();
}
