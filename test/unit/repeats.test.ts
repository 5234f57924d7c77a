import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { rxTxFigure } from '../../src/plot/figures';
import { formatPointsTable } from '../../src/present/table';
import { meanCi95 } from '../../src/stats/repeats';
import type { PointRecord } from '../../src/study/record';
import { aggregateRepeats, repeatKey } from '../../src/study/repeats';
import { createStudy } from '../../src/study/create';
import { runStudy } from '../../src/study/run';
import { FakeRunner, openFake } from '../fake-runner';
import { FIXTURE_OPTIONS, fixturePoint } from '../fixtures';
import { tempDir } from '../helpers';

function repeatOf(record: PointRecord, repeat: number, loss: number): PointRecord {
  assert.ok(record.status === 'ok');
  return { ...record, key: repeatKey(record.key, repeat), repeat, result: { ...record.result, average_packet_loss: loss } };
}

describe('repeats and confidence intervals', () => {
  it('computes the mean and the 95 % half-width with Student t, as by hand', () => {
    // mean 12, sample sd 2, t(2 df) = 4.303: 4.303 × 2 / √3 = 4.9687
    const s = meanCi95([10, 12, 14]);
    assert.equal(s.mean, 12);
    assert.ok(Math.abs((s.ci ?? 0) - 4.9687) < 1e-3, String(s.ci));
    assert.deepEqual(meanCi95([5]), { mean: 5, ci: null, n: 1 });
    // 40 values (df 39 > 30): z = 1.96
    const many = Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : -1));
    assert.ok(Math.abs((meanCi95(many).ci ?? 0) - (1.96 * Math.sqrt(40 / 39)) / Math.sqrt(40)) < 1e-9);
  });

  it('shows a point measured twice as one row of means ± CI, with n', () => {
    const base = fixturePoint(10, 1000);
    const rows = aggregateRepeats([repeatOf(base, 0, 1), repeatOf(base, 1, 3)]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.result?.average_packet_loss, 2);
    // sd √2, n 2, t(1) 12.706: 12.706 × √2 / √2
    const table = formatPointsTable([repeatOf(base, 0, 1), repeatOf(base, 1, 3)]);
    assert.match(table, / n$/m);
    assert.match(table, / 2±12\.706 /);
    assert.doesNotMatch(table, /±0 /, 'no interval where the repetitions agree');
    const fig = rxTxFigure([repeatOf(base, 0, 1), repeatOf(base, 1, 3)]);
    assert.equal(fig.data[0]?.x.length, 1, 'one point on the curve');
  });

  it('draws error bars when repeats vary', () => {
    const base = fixturePoint(10, 1000);
    assert.ok(base.status === 'ok');
    const a: PointRecord = { ...base, result: { ...base.result, average_rate: 990 } };
    const b: PointRecord = { ...base, key: repeatKey(base.key, 1), repeat: 1, result: { ...base.result, average_rate: 1010 } };
    const trace = rxTxFigure([a, b]).data[0];
    assert.equal(trace?.error_y?.array.length, 1);
    assert.ok((trace?.error_y?.array[0] ?? 0) > 100, 'wide interval for two values 20 apart');
  });

  it('interleaves repetitions across the grid and resumes only missing ones', async () => {
    const dir = tempDir();
    try {
      const options = { ...FIXTURE_OPTIONS, results_dir: dir, test_duration: 1, repeats: 2 };
      const runner = new FakeRunner({
        during: async (r, _p, call) => {
          if (call === 2) await r.close();
        },
      });
      const store = createStudy({ kind: 'sweep', options, grid: { client_counts: [2], msg_rates: [500, 1000] }, id: 'rep' });
      await assert.rejects(runStudy(store, { openSession: openFake(runner) }));
      const second = new FakeRunner();
      const outcome = await runStudy(store, { openSession: openFake(second) });
      assert.deepEqual(
        [...runner.calls, ...second.calls].map((c) => c.msg_rate),
        [500, 1000, 500, 500, 1000],
        'grid once, then again; the interrupted repetition measured again, nothing twice',
      );
      assert.equal(outcome.points.length, 4);
      assert.deepEqual(outcome.points.map((p) => p.repeat ?? 0).sort(), [0, 0, 1, 1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
