import { strict as assert } from 'node:assert';
import { batchCount, batchDueMs, batchSizeAt, messagesForWindow } from '../../src/apps/pacing';
import { decodeMessage, encodeMessage } from '../../src/apps/message';
import { parseNetDev } from '../../src/apps/procstats';
import { bucketBounds, bucketIndex, histogramQuantile, LatencyHistogram, mergeHistograms } from '../../src/stats/histogram';
import { SequenceTracker } from '../../src/stats/sequence';

describe('pacing schedule', () => {
  it('spreads rate × duration messages over batches due from the start time', () => {
    assert.equal(messagesForWindow(2000, 5), 10000);
    assert.equal(batchCount(10000, 100), 100);
    assert.equal(batchDueMs(0, 100, 2000), 0);
    assert.equal(batchDueMs(1, 100, 2000), 50);
    // The due time of batch k does not depend on when earlier batches really went out.
    assert.equal(batchDueMs(99, 100, 2000), 4950);
  });

  it('makes the last batch partial', () => {
    const total = messagesForWindow(1500, 1); // 1500
    assert.equal(batchCount(total, 400), 4);
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => batchSizeAt(k, total, 400)),
      [400, 400, 400, 300],
    );
    assert.equal(batchSizeAt(4, total, 400), 0);
  });
});

describe('message format', () => {
  it('round-trips sequence, publisher, epoch and both send times in 16 bytes', () => {
    const t0 = 1795376719000;
    const buf = encodeMessage({ seq: 123456789, pubId: 3, epoch: 65535, intendedMs: t0 + 5000.5, sentMs: t0 + 5012.75 }, t0);
    assert.equal(buf.length, 16);
    const m = decodeMessage(buf, t0);
    assert.ok(m);
    assert.deepEqual([m.seq, m.pubId, m.epoch], [123456789, 3, 65535]);
    // The intended time is kept to 32 µs, the publish delay to 1 µs.
    assert.ok(Math.abs(m.intendedMs - (t0 + 5000.5)) <= 0.016, `${m.intendedMs}`);
    assert.ok(Math.abs(m.sentMs - m.intendedMs - 12.25) <= 0.001, `${m.sentMs - m.intendedMs}`);
    assert.equal(decodeMessage(Buffer.alloc(3), t0), null);
  });
});

describe('sequence bookkeeping', () => {
  it('counts unique, duplicates, out-of-order and gaps', () => {
    const t = new SequenceTracker();
    for (const seq of [0, 1, 2, 4, 3, 3, 7, 0, 9]) t.record(seq);
    // unique {0,1,2,3,4,7,9}; dup: second 3 and second 0; out of order: 3 after 4, (dups not counted)
    assert.deepEqual(t.summary(), { unique: 7, duplicates: 2, out_of_order: 1, max_seq: 9, gaps: 3 });
  });

  it('grows past its initial bitmap', () => {
    const t = new SequenceTracker();
    t.record(1_000_000);
    t.record(1_000_000);
    t.record(5);
    assert.deepEqual(t.summary(), { unique: 2, duplicates: 1, out_of_order: 1, max_seq: 1_000_000, gaps: 999_999 });
  });

  it('ignores values that are not sequence numbers', () => {
    const t = new SequenceTracker();
    t.record(-1);
    t.record(1.5);
    assert.equal(t.summary().unique, 0);
  });
});

describe('latency histogram', () => {
  it('puts every value inside its bucket bounds with ≤ 3.2 % relative width', () => {
    for (const v of [0, 1, 63, 64, 65, 100, 1000, 12345, 999_999, 5e7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 1e12]) {
      const [lo, hi] = bucketBounds(bucketIndex(v));
      assert.ok(lo <= v && v < hi, `${v} in [${lo}, ${hi})`);
      if (v >= 64) assert.ok((hi - lo) / lo <= 1 / 32 + 1e-12);
    }
  });

  it('keeps values beyond its dense range (hours of latency) exactly counted', () => {
    const h = new LatencyHistogram();
    h.record(10);
    h.record(1e12);
    const d = h.toJSON();
    assert.equal(d.count, 2);
    assert.equal(
      Object.values(d.buckets).reduce((a, b) => a + b, 0),
      2,
    );
    assert.equal(histogramQuantile(d, 1), 1e12);
    const [lo, hi] = bucketBounds(
      Number(
        Object.keys(d.buckets)
          .map(Number)
          .sort((a, b) => b - a)[0],
      ),
    );
    assert.ok(lo <= 1e12 && 1e12 < hi);
  });

  it('gives percentiles close to the exact ones', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10000; i++) h.record(i * 10); // 10 µs .. 100 ms
    const d = h.toJSON();
    const p50 = histogramQuantile(d, 0.5) as number;
    const p99 = histogramQuantile(d, 0.99) as number;
    assert.ok(Math.abs(p50 - 50000) / 50000 < 0.032, `p50 ${p50}`);
    assert.ok(Math.abs(p99 - 99000) / 99000 < 0.032, `p99 ${p99}`);
    assert.equal(histogramQuantile(d, 1), 100000);
    assert.equal(histogramQuantile(mergeHistograms([]), 0.5), null);
  });

  it('merges raw counts, so merged percentiles equal those of the union', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) {
      a.record(100 + i);
      all.record(100 + i);
    }
    for (let i = 0; i < 3000; i++) {
      b.record(50000 + i * 7);
      all.record(50000 + i * 7);
    }
    b.record(-5);
    all.record(-5);
    const merged = mergeHistograms([a.toJSON(), b.toJSON()]);
    assert.deepEqual(merged, all.toJSON());
    assert.equal(merged.count, 4001);
    assert.equal(merged.negative, 1);
    assert.equal(merged.min_us, 0);
    // Averaging the two p50s would give ~25 ms; the union's p50 is in b's range.
    assert.ok((histogramQuantile(merged, 0.5) as number) > 50000);
  });
});

describe('/proc/net/dev parsing', () => {
  it('sums tx and rx bytes over interfaces', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
      '  eth0: 5000      50    0    0    0     0          0         0     2500      25    0    0    0     0       0          0',
    ].join('\n');
    assert.deepEqual(parseNetDev(text), [3500, 6000]);
  });
});
