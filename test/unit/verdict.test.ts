import { strict as assert } from 'node:assert';
import { emptyPubStats, type AppTelemetry, type ClientStats } from '../../src/control/wire';
import { LatencyHistogram } from '../../src/stats/histogram';
import { computeResult } from '../../src/stats/result';
import { DEFAULT_THRESHOLDS, judgeHarness } from '../../src/stats/verdict';
import { fixtureTelemetry } from '../fixtures';

function telemetry(over: Partial<AppTelemetry> = {}): AppTelemetry {
  return fixtureTelemetry({ loop_delay_p99_ms: 12, ...over });
}

describe('harness verdict (synthetic telemetry)', () => {
  const base = { requestedRate: 1000, achievedRate: 1000, pub: telemetry(), subs: [{ app: 'sub-0', telemetry: telemetry() }] };

  it('finds no harness limit when everything had headroom', () => {
    assert.deepEqual(judgeHarness(base), []);
  });

  it('names the publisher when it did not reach the rate, with the figures and a remedy', () => {
    const [r, ...rest] = judgeHarness({ ...base, achievedRate: 900, pub: telemetry({ cpu_pct: 99 }) });
    assert.equal(rest.length, 0);
    assert.equal(r?.limit, 'publisher');
    assert.match(r?.detail ?? '', /reached 900 of 1000 msg\/s \(90\.0 %\), at 99 % CPU/);
    assert.match(r?.remedy ?? '', /larger msg_batch/);
    // Exactly at the threshold is still fine.
    assert.deepEqual(judgeHarness({ ...base, achievedRate: 950 }), []);
  });

  it('names the subscribers when a sub app is CPU- or event-loop-saturated', () => {
    const subs = [
      { app: 'sub-0', telemetry: telemetry() },
      { app: 'sub-1', telemetry: telemetry({ cpu_pct: 97 }) },
      { app: 'sub-2', telemetry: telemetry({ elu: 0.95 }) },
    ];
    const reasons = judgeHarness({ ...base, subs });
    assert.deepEqual(
      reasons.map((r) => r.limit),
      ['subscribers'],
    );
    assert.match(reasons[0]?.detail ?? '', /2 of 3 sub apps saturated \(sub-1: 97 % CPU/);
    assert.match(reasons[0]?.remedy ?? '', /fewer clients per sub app or per machine, or add machines/);
  });

  it('names each busy host, and uses configured thresholds', () => {
    const subs = [{ app: 'sub-0', telemetry: telemetry({ host: 'h2', host_cpu_busy_pct: 99 }) }];
    assert.deepEqual(
      judgeHarness({ ...base, subs }).map((r) => [r.limit, r.detail]),
      [['host', 'host CPU h2 99 % busy']],
    );
    assert.deepEqual(judgeHarness({ ...base, subs }, { ...DEFAULT_THRESHOLDS, host_cpu_max_pct: 100 }), []);
    assert.deepEqual(
      judgeHarness({ ...base, subs: [{ app: 'sub-0', telemetry: telemetry({ cpu_pct: 50 }) }] }, { ...DEFAULT_THRESHOLDS, app_cpu_max_pct: 40 }).map(
        (r) => r.limit,
      ),
      ['subscribers'],
    );
  });

  it('puts the verdict, limits and notes into a point result', () => {
    const pub = { ...emptyPubStats(), msg_cnt: 800, rate: 800, 'time:start': 1, 'time:end': 2, telemetry: telemetry() };
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(800, 800)], telemetry: telemetry({ cpu_pct: 95 }) }], 1, 1000);
    assert.equal(r.verdict, 'harness_limited');
    assert.deepEqual(r.harness_limits, ['publisher', 'subscribers']);
    assert.match(r.harness_notes[0] ?? '', /^the publisher, not Kafka, was the limit: the publisher reached 800 of 1000 msg\/s/);
    assert.match(r.harness_notes[1] ?? '', /^the subscribers, not Kafka, were the limit: .* — use fewer clients/);
    assert.equal(r.pub_limited, true);
    assert.equal(r.sub_cpu_max_pct, 95);
  });
});

function client(received: number, nextOffset: number, unique = received): ClientStats {
  const h = new LatencyHistogram();
  return {
    client_id: 'c',
    msg_cnt: received,
    first_ms: 0,
    last_ms: 1000,
    rate: received,
    unique,
    duplicates: received - unique,
    out_of_order: 0,
    max_seq: unique - 1,
    gaps: 0,
    latency: h.toJSON(),
    latency_intended: h.toJSON(),
    next_offsets: { '0': nextOffset },
    stale: 0,
    malformed: 0,
    errors: 0,
  };
}

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
    assert.match(
      embedded.harness_notes[0] ?? '',
      /hydra's embedded broker, not Kafka, was the limit: its in-memory log dropped 900 messages.*use a real cluster/,
    );
  });

  it('never counts more behind than the client is missing (the log may hold unacknowledged messages)', () => {
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(1000, 1000)] }], 1, 1000, { logEnd: { '0': 1200 } });
    assert.equal(r.behind_total, 0);
    assert.equal(r.lost_total, 0);
  });
});
