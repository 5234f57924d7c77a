import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_OPTIONS, POINT_KEYS, pointParamsOf, type HydraOptions } from '../../src/config/options';
import { ConfigError } from '../../src/errors';
import type { PointRecord } from '../../src/study/record';
import { findRateBoundary, type RateProbe } from '../../src/study/boundary';
import { pointsToCsv } from '../../src/present/export';
import { expandGrid, missingPoints, pointKey, unionAxis } from '../../src/study/grid';
import { DEFAULT_RATE_SEARCH } from '../../src/study/spec';
import { createStudy } from '../../src/study/create';
import { StudyStore } from '../../src/study/store';
import { readStudyPlan, studySpecYaml } from '../../src/study/spec-file';
import { fixturePoint } from '../fixtures';
import { tempDir } from '../helpers';

const options: HydraOptions = { ...DEFAULT_OPTIONS, clients_per_app: 2, config_file: '' };

/** A synthetic system: received rate saturates at `cap`, loss starts above `boundary`. */
function syntheticSystem(boundary: number, cap: number) {
  const calls: number[] = [];
  const measure = async (rate: number): Promise<RateProbe> => {
    calls.push(rate);
    const rx = Math.min(rate, cap);
    return { rate, rx_rate: rx, loss_pct: rate <= boundary ? 0 : ((rate - boundary) / rate) * 100 };
  };
  return { measure, calls };
}

describe('kafkarate boundary search', () => {
  for (const [boundary, cap] of [
    [3000, 5000],
    [12345, 20000],
    [800, 900],
    [70000, 70000],
  ] as const) {
    it(`finds the no-drop boundary ${boundary} (saturation ${cap}) within 1 % and within the step budget`, async () => {
      const sys = syntheticSystem(boundary, cap);
      const r = await findRateBoundary(sys.measure, { ...DEFAULT_RATE_SEARCH, start_rate: 1000, loss_bound_pct: 0.5 });
      assert.ok(r.no_drop_rate !== null);
      // Loss ≤ 0.5 % is reached slightly above the zero-loss boundary: rate ≤ boundary / 0.995.
      const truth = boundary / (1 - 0.005);
      assert.ok(r.no_drop_rate <= truth, `${r.no_drop_rate} must not exceed the true boundary ${truth}`);
      assert.ok((truth - r.no_drop_rate) / truth <= 0.011, `${r.no_drop_rate} within 1 % of ${truth}`);
      assert.ok(sys.calls.length <= DEFAULT_RATE_SEARCH.max_steps);
      assert.equal(new Set(sys.calls).size, sys.calls.length, 'no rate measured twice');
      assert.ok(r.max_rate !== null && r.max_rate >= cap / 2 && r.max_rate <= cap * 2, `max rate ${r.max_rate} near saturation ${cap}`);
    });
  }

  it('never exceeds a small step budget', async () => {
    const sys = syntheticSystem(50000, 60000);
    const r = await findRateBoundary(sys.measure, { ...DEFAULT_RATE_SEARCH, max_steps: 5 });
    assert.equal(sys.calls.length, 5);
    assert.equal(r.ended, 'budget_doubling');
  });

  it('ends with what it knows when a point cannot be measured', async () => {
    const r = await findRateBoundary(async (rate) => (rate > 2000 ? null : { rate, rx_rate: rate, loss_pct: 0 }), DEFAULT_RATE_SEARCH);
    assert.equal(r.no_drop_rate, 2000);
    assert.equal(r.ended, 'unmeasured_doubling');
  });
});

describe('grid and rerun planning', () => {
  it('expands client counts × batches × rates, client counts outermost', () => {
    const plan = expandGrid(options, { client_counts: [2, 4], msg_rates: [100, 200, 300], msg_batches: [10] });
    assert.equal(plan.length, 6);
    assert.deepEqual(
      plan.map((p) => [p.total_sub_apps, p.msg_rate]),
      [
        [1, 100],
        [1, 200],
        [1, 300],
        [2, 100],
        [2, 200],
        [2, 300],
      ],
    );
    assert.ok(plan.every((p) => p.msg_batch === 10 && p.clients_per_app === 2));
  });

  it('rejects client counts that do not fill whole sub apps', () => {
    assert.throws(
      () => expandGrid(options, { client_counts: [3], msg_rates: [1], msg_batches: [1] }),
      (e: unknown) => e instanceof ConfigError && /--clients="3"/.test(e.message),
    );
  });

  it('a rerun with one extra rate plans exactly one new point per client count', () => {
    const before = expandGrid(options, { client_counts: [2, 4], msg_rates: [100, 200], msg_batches: [10] });
    const done = new Set(before.map(pointKey));
    const after = expandGrid(options, { client_counts: [2, 4], msg_rates: unionAxis([100, 200], [150]), msg_batches: [10] });
    const todo = missingPoints(after, done);
    assert.deepEqual(
      todo.map((p) => [p.total_sub_apps * p.clients_per_app, p.msg_rate]),
      [
        [2, 150],
        [4, 150],
      ],
    );
  });

  it('keys points by every parameter that changes the measurement', () => {
    const p = pointParamsOf(options);
    // Fails if any point key is left out of the key: a change of any one of them is a different point.
    for (const key of POINT_KEYS) {
      const changed = { ...p, [key]: key === 'acks' ? (p.acks === 1 ? 0 : 1) : (p[key] as number) + 1 };
      assert.notEqual(pointKey(p), pointKey(changed), `${key} is part of the point key`);
    }
    assert.notEqual(pointKey(p), pointKey({ ...p, acks: 0 }));
    assert.notEqual(pointKey(p), pointKey({ ...p, test_duration: 3 }));
    assert.equal(pointKey(p), pointKey({ ...p }));
  });
});

describe('study persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function record(rate: number): PointRecord {
    return fixturePoint(2, rate);
  }

  it('appends one line per point and never rewrites earlier lines', () => {
    const store = createStudy({ kind: 'sweep', options: { ...options, results_dir: dir }, id: 's1' });
    store.appendPoint(record(100));
    const file = path.join(store.dir, 'points.jsonl');
    const first = fs.readFileSync(file, 'utf8');
    store.appendPoint(record(200));
    const second = fs.readFileSync(file, 'utf8');
    assert.ok(second.startsWith(first));
    assert.equal(second.trim().split('\n').length, 2);
    assert.deepEqual(
      StudyStore.open(dir, 's1')
        .readPoints()
        .map((r) => r.params.msg_rate),
      [100, 200],
    );
  });

  it('tolerates a truncated last line and appends after it on a fresh line', () => {
    const store = createStudy({ kind: 'sweep', options: { ...options, results_dir: dir }, id: 's2' });
    store.appendPoint(record(100));
    fs.appendFileSync(path.join(store.dir, 'points.jsonl'), '{"key":"half a rec');
    assert.deepEqual(
      store.readPoints().map((r) => r.params.msg_rate),
      [100],
    );
    store.appendPoint(record(300));
    assert.deepEqual(
      store.readPoints().map((r) => r.params.msg_rate),
      [100, 300],
    );
  });

  it('refuses to overwrite an existing study and names a missing one', () => {
    createStudy({ kind: 'sweep', options: { ...options, results_dir: dir }, id: 's3' });
    assert.throws(() => createStudy({ kind: 'sweep', options: { ...options, results_dir: dir }, id: 's3' }), /already exists/);
    assert.throws(() => StudyStore.open(dir, 'nope'), /study="nope": no such study in/);
  });

  it('takes over a study whose creation was cut short (unreadable spec, no points), but not a fresh one or one with points', () => {
    const o = { ...options, results_dir: dir };
    const cutShort = (id: string, ageS: number, withPoint = false): void => {
      fs.mkdirSync(path.join(dir, id));
      const spec = path.join(dir, id, 'study.json');
      fs.writeFileSync(spec, '');
      if (withPoint) fs.writeFileSync(path.join(dir, id, 'points.jsonl'), JSON.stringify(record(100)) + '\n');
      const then = (Date.now() - ageS * 1000) / 1000;
      fs.utimesSync(spec, then, then);
    };
    cutShort('old-empty', 60);
    assert.equal(createStudy({ kind: 'sweep', options: o, id: 'old-empty' }).readSpec().id, 'old-empty');
    cutShort('just-now', 0);
    assert.throws(() => createStudy({ kind: 'sweep', options: o, id: 'just-now' }), /already exists/, 'maybe another run is creating it');
    cutShort('has-points', 60, true);
    assert.throws(() => createStudy({ kind: 'sweep', options: o, id: 'has-points' }), /already exists/, 'its points are kept');
  });

  it('exports a CSV with a header and one row per point, each naming its study', () => {
    const csv = pointsToCsv([record(100), { ...record(200), status: 'failed', result: null, error: 'broker said "no", twice' }], 'sweep-a');
    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] as string, /^study,total_sub_apps,total_pub_apps,clients_per_app,msg_rate,.*,average_packet_loss,/);
    assert.match(lines[1] as string, /^sweep-a,/);
    assert.match(lines[2] as string, /,failed,.*"broker said ""no"", twice"$/);
  });
});

describe('study workload files', () => {
  it('round-trips a kafkarate study: kind, grid, search and the workload options, and nothing about where it ran', () => {
    const dir = tempDir();
    try {
      const o: HydraOptions = { ...DEFAULT_OPTIONS, results_dir: dir, clients_per_app: 5, test_duration: 7, acks: -1, brokers: ['kafka-1:9092'] };
      const store = createStudy({ kind: 'kafkarate', options: o, grid: { client_counts: [5, 10] }, search: { loss_bound_pct: 0.2 }, id: 'rate' });
      const file = path.join(dir, 'rate.yaml');
      fs.writeFileSync(file, studySpecYaml(store.readSpec()));
      const plan = readStudyPlan(file);
      assert.equal(plan.kind, 'kafkarate');
      assert.equal(plan.from, 'rate');
      assert.deepEqual(plan.grid.client_counts, [5, 10]);
      assert.equal(plan.search?.loss_bound_pct, 0.2);
      assert.deepEqual([plan.options.clients_per_app, plan.options.test_duration, plan.options.acks], [5, 7, -1]);
      assert.ok(!('brokers' in plan.options) && !('results_dir' in plan.options));
      fs.writeFileSync(file, 'hydra_spec: 1\nkind: sweep\ngrid:\n  client_counts: [2]\n  msg_rates: fast\n  msg_batches: [100]\n');
      assert.throws(() => readStudyPlan(file), /rate\.yaml grid\.msg_rates="\\"fast\\"": expected a list of numbers/);
      fs.writeFileSync(
        file,
        'hydra_spec: 1\nkind: sweep\ngrid:\n  client_counts: [2]\n  msg_rates: [100]\n  msg_batches: [100]\noptions:\n  test_duration: -3\n',
      );
      assert.throws(() => readStudyPlan(file), /rate\.yaml options\.test_duration="-3": must/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
