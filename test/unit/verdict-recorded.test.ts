import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PubStats } from '../../src/control/wire';
import { computeResult, type PointResult, type ResultContext, type SubAppReport } from '../../src/stats/result';
import { REPO_ROOT } from '../helpers';

/**
 * The verdict rules on telemetry recorded from real runs (test/recorded/: the apps' own getstats
 * answers and the runner's context, captured from real processes on the embedded broker; latency
 * histograms emptied to keep the files small). The same recording is judged as from hydra's
 * embedded broker and as from a real cluster: only whose limit a broker's is changes.
 */
interface Recording {
  scenario: string;
  pubs: PubStats[];
  subs: SubAppReport[];
  clients_per_app: number;
  requested_rate: number;
  context: ResultContext;
}

function recorded(name: string): Recording {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'recorded', `${name}.json`), 'utf8')) as Recording;
}

function judged(name: string, broker: 'embedded' | 'real'): PointResult {
  const r = recorded(name);
  return computeResult(r.pubs, r.subs, r.clients_per_app, r.requested_rate, { ...r.context, embeddedBroker: broker === 'embedded' });
}

describe('who held a point back (telemetry recorded from real runs)', () => {
  it('nothing wrong: a Kafka result with no limit named on a real cluster, a rehearsal on the embedded broker', () => {
    for (const broker of ['embedded', 'real'] as const) {
      const r = judged('normal', broker);
      assert.equal(r.verdict, broker === 'embedded' ? 'rehearsal' : 'kafka', broker);
      assert.deepEqual(r.harness_limits, []);
      assert.deepEqual(r.kafka_limits, []);
      assert.deepEqual(r.stalled_apps, []);
      assert.ok((r.produce_rtt_p99_ms ?? Infinity) < 100, `produce round trip p99 ${r.produce_rtt_p99_ms} ms`);
    }
  });

  it('a Kafka quota-like hold-back on a real cluster (a broker answering slowly): Kafka held the publisher back, a Kafka result', () => {
    const r = judged('slow-broker', 'real');
    assert.equal(r.verdict, 'kafka');
    assert.deepEqual(r.harness_limits, []);
    assert.deepEqual(r.kafka_limits, ['produce']);
    assert.ok(r.pub_achieved_ratio < 0.5, `the publisher reached ${r.pub_achieved_ratio}`);
    assert.equal(r.pub_limited, false, 'the publisher is not blamed');
    assert.match(
      r.kafka_notes?.[0] ?? '',
      /^Kafka held the publisher back: it accepted \d[\d ]* of 2 000 msg\/s .*: the publisher waited on its answers \d+ % of the window \(produce round trip p99 \d+ ms/,
    );
    assert.match(r.kafka_notes?.[0] ?? '', /1 request in flight, 10 messages per request on average, at most 10/);
    // The same from hydra's own embedded broker is hydra's limit.
    const own = judged('slow-broker', 'embedded');
    assert.deepEqual(own.harness_limits, ['embedded_broker']);
    assert.deepEqual(own.kafka_limits, []);
    assert.match(own.harness_notes[0] ?? '', /^hydra's embedded broker, not Kafka, was the limit: it accepted/);
  });

  it('a broker frozen for longer than the point: Kafka held the publisher back (real) or the embedded broker did; never the publisher', () => {
    const real = judged('broker-frozen-20s', 'real');
    assert.equal(real.verdict, 'kafka');
    assert.deepEqual(real.kafka_limits, ['produce', 'fetch']);
    assert.match(real.kafka_notes?.[0] ?? '', /produce round trip p99 20\.0 s/);
    const own = judged('broker-frozen-20s', 'embedded');
    assert.equal(own.verdict, 'harness_limited');
    assert.deepEqual(own.harness_limits, ['embedded_broker']);
    assert.ok(!own.harness_notes.join(' ').includes('% CPU'), own.harness_notes.join(' '));
  });

  it('a broker frozen for 3 s while the rate was reached: its slow answers are the broker’s, named with the figure', () => {
    const real = judged('broker-frozen-3s', 'real');
    assert.equal(real.verdict, 'kafka');
    assert.deepEqual(real.kafka_limits, ['produce', 'fetch']);
    assert.match(real.kafka_notes?.[0] ?? '', /^Kafka held the publisher back: it took 3\.0 s to acknowledge a produce request of pub/);
    const own = judged('broker-frozen-3s', 'embedded');
    assert.deepEqual(own.harness_limits, ['embedded_broker']);
    assert.match(own.harness_notes[0] ?? '', /it took 3\.0 s to acknowledge a produce request of pub; it took 3\.\d s to answer a fetch/);
  });

  for (const [name, app] of [
    ['publisher-frozen', 'pub'],
    ['sub-frozen', 'sub-1'],
  ] as const)
    it(`${app} frozen for 3 s: a harness fault (the point is invalid), its wait not shown as Kafka's latency`, () => {
      for (const broker of ['embedded', 'real'] as const) {
        const r = judged(name, broker);
        assert.equal(r.stalled_apps?.length, 1, broker);
        assert.match(
          r.stalled_apps?.[0] ?? '',
          new RegExp(`^${app}'s event loop stood still (2\\.9|3\\.0|3\\.1) s inside the window, neither running nor waiting for a CPU`),
        );
        assert.deepEqual(r.harness_limits, ['stall'], broker);
        assert.deepEqual(r.kafka_limits, [], `${broker}: the broker is not blamed for the app's freeze`);
      }
    });

  it('a publisher asked for far more than it can send: the publisher, at its own CPU', () => {
    for (const broker of ['embedded', 'real'] as const) {
      const r = judged('publisher-overdriven', broker);
      assert.ok(r.harness_limits.includes('publisher'), `${broker}: ${r.harness_notes.join('; ')}`);
      assert.deepEqual(r.kafka_limits, []);
      assert.match(
        r.harness_notes.find((n) => n.startsWith('the publisher')) ?? '',
        /reached \d[\d ]* of 1 000 000 msg\/s \([\d.]+ %\) at \d+ % CPU, event loop \d+ % busy/,
      );
    }
  });

  it('a host kept busy by CPU burners: the host, with its run queue against its cores; no app blamed', () => {
    const r = judged('cpu-burner', 'embedded');
    assert.deepEqual(r.harness_limits, ['host']);
    assert.match(r.harness_notes[0] ?? '', /host CPU \S+ 100 % busy \([\d.]+ runnable on 2 cores\)/);
    assert.equal(r.average_packet_loss, 0);
  });

  it('300 clients on 2 cores: sub apps starved of CPU, not saturated — the host is the limit', () => {
    const r = judged('starved-300-clients', 'embedded');
    assert.ok(r.harness_limits.includes('host'), r.harness_notes.join('; '));
    assert.ok(!r.harness_limits.includes('subscribers'), `no sub app saturated by its own work: ${r.harness_notes.join('; ')}`);
    assert.deepEqual(r.kafka_limits, []);
    assert.match(
      r.harness_notes.join(' '),
      /30 of 30 sub apps starved of CPU \(sub-\d+: \d+ % CPU, event loop \d+ % busy, waited for a CPU \d+ % of the window; \d+ runnable on 2 cores\)/,
    );
    assert.equal(r.harness_notes.length, 1, 'one finding per limit');
  });
});
