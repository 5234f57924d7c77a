import { strict as assert } from 'node:assert';
import { emptyPubStats, type ClientStats, type PubStats } from '../../src/control/wire';
import { LatencyHistogram } from '../../src/stats/histogram';
import { computeResult, HYDRA_RESULT_KEYS } from '../../src/stats/result';
import { formatResDict } from '../../src/present/point';

function client(id: string, msgCnt: number, rate: number, extra: Partial<ClientStats> = {}, latencyUs: number[] = []): ClientStats {
  const h = new LatencyHistogram();
  for (const v of latencyUs) h.record(v);
  return {
    client_id: id,
    msg_cnt: msgCnt,
    first_ms: 0,
    last_ms: 1000,
    rate,
    unique: msgCnt,
    duplicates: 0,
    out_of_order: 0,
    max_seq: msgCnt - 1,
    gaps: 0,
    latency: h.toJSON(),
    latency_intended: h.toJSON(),
    next_offsets: { '0': msgCnt },
    stale: 0,
    malformed: 0,
    errors: 0,
    ...extra,
  };
}

function pub(): PubStats {
  return {
    ...emptyPubStats(),
    msg_cnt: 1000,
    rate: 990,
    'time:start': 100,
    'time:end': 110,
    'cpu:start': [1, 0.5],
    'cpu:end': [2, 1.5],
    'net:start': [1000, 2000],
    'net:end': [11000, 7000],
  };
}

describe('result computation (HYDRA result_parser)', () => {
  it('matches a hand-computed fixture with a failing client and an unresponsive app (left out, not counted as loss)', () => {
    const r = computeResult(
      pub(),
      [
        { app: 'sub-0', clients: [client('a', 1000, 100, {}, Array(10).fill(1000)), client('b', 900, 90, { unique: 900 }, Array(10).fill(3000))] },
        { app: 'sub-1', clients: null },
      ],
      2,
      1000,
    );
    assert.equal(r.client_count, 4);
    assert.equal(r.packet_tx, 1000);
    // The unresponsive app's two clients are not counted as receiving nothing: that would be the harness's loss.
    assert.equal(r.average_packets, 950); // (1000 + 900) / 2
    assert.equal(r.average_rate, 95); // (100 + 90) / 2
    assert.equal(r.average_tx_rate, 990);
    assert.equal(r.failing_clients, 1);
    assert.equal(r.failing_clients_rate, 90);
    assert.equal(r.average_packet_loss, 5); // (1000 - 950) * 100 / 1000
    assert.equal(r.pub_cpu, 20); // 2 CPU s over 10 s
    assert.equal(r.pub_net_txrate, 1000);
    assert.equal(r.pub_net_rxrate, 500);
    assert.equal(r.requested_rate, 1000);
    assert.equal(r.pub_achieved_ratio, 0.99);
    assert.equal(r.pub_limited, false);
    assert.equal(r.lost_total, 100); // 0 + 100
    assert.deepEqual(r.unresponsive_apps, ['sub-1']);
    assert.equal(r.latency_p50_ms, 1);
    assert.equal(r.latency_max_ms, 3);
  });

  it('counts duplicates and reorders, and a client with extra copies fails as in HYDRA', () => {
    const r = computeResult(
      pub(),
      [{ app: 'sub-0', clients: [client('a', 1000, 100), client('b', 1003, 100, { unique: 1000, duplicates: 3, out_of_order: 5 })] }],
      2,
      1000,
    );
    assert.equal(r.failing_clients, 1);
    assert.equal(r.duplicated_total, 3);
    assert.equal(r.reordered_total, 5);
    assert.equal(r.lost_total, 0);
  });

  it('reports no failing rate and zero loss when every client got everything', () => {
    const r = computeResult({ ...pub(), rate: 500 }, [{ app: 'sub-0', clients: [client('a', 1000, 100)] }], 1, 1000);
    assert.equal(r.failing_clients, 0);
    assert.equal(r.failing_clients_rate, null);
    assert.equal(r.average_packet_loss, 0);
    assert.equal(r.pub_limited, true);
    assert.equal(r.latency_p50_ms, null);
  });

  it("measures a client's rate over the publisher's window, longer when the client lagged", () => {
    // Publisher window t=100..110 s. Client a's last message came at t=110.5 s: 1000 msgs / 10.5 s.
    // Client b had everything at t=109.9 s: measured over the 10 s window, so Rx equals Tx.
    const r = computeResult(
      pub(),
      [
        {
          app: 'sub-0',
          clients: [client('a', 1000, 5000, { first_ms: 109000, last_ms: 110500 }), client('b', 1000, 5000, { first_ms: 100100, last_ms: 109900 })],
        },
      ],
      2,
      1000,
    );
    assert.equal(r.average_rate, (1000 / 10.5 + 1000 / 10) / 2);
  });

  it('prints the RES dict with every HYDRA key', () => {
    const r = computeResult(pub(), [{ app: 'sub-0', clients: [client('a', 1000, 100)] }], 1, 1000);
    const text = formatResDict(r);
    assert.match(text, /^RES = \{'average_packet_loss': 0,/);
    for (const key of HYDRA_RESULT_KEYS) assert.ok(text.includes(`'${key}':`), key);
    assert.match(text, /'failing_clients_rate': None/);
  });
});
