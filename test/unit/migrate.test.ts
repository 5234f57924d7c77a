import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_OPTIONS, POINT_KEYS } from '../../src/config/options';
import { validateOptions } from '../../src/config/resolve';
import { findingNote } from '../../src/present/findings';
import { formatPointsTable } from '../../src/present/table';
import { upgradeFinding, upgradeRecord } from '../../src/study/migrate';
import { studyFigures } from '../../src/plot/study-figures';
import { expandGrid, missingPoints, pointKey } from '../../src/study/grid';
import { isOk } from '../../src/study/record';
import { StudyStore } from '../../src/study/store';
import { fixtureFinding } from '../fixtures';
import { REPO_ROOT, tempDir } from '../helpers';

/**
 * Studies stored by every hydra so far (test/recorded/studies/: a sweep, and where kafkarate
 * existed a kafkarate study, each run by the commit its name ends with; `current` by this one),
 * read through the store: every one comes out in the current shape.
 */
const STORED = path.join(REPO_ROOT, 'test', 'recorded', 'studies');
const VERSIONS = fs.readdirSync(STORED).sort();

describe('stored studies of every version read in the current shape', () => {
  let dir: string;
  before(() => {
    // A copy: reading must not need (or do) any write, and the fixtures stay as stored.
    dir = tempDir();
    fs.cpSync(STORED, dir, { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The shape of a point and a spec as this hydra writes them.
  const current = (): { result: string[]; options: string[] } => {
    const store = StudyStore.open(dir, 'v-current');
    const [p] = store.readPoints();
    assert.ok(p && isOk(p));
    return { result: Object.keys(p.result).sort(), options: Object.keys(store.readSpec().options).sort() };
  };

  it('has studies of several versions to read', () => {
    assert.ok(VERSIONS.length >= 7, VERSIONS.join(', '));
  });

  for (const id of VERSIONS)
    it(`${id}: every option, parameter and figure there, keys unchanged, nothing unmeasured claimed`, () => {
      const store = StudyStore.open(dir, id);
      const spec = store.readSpec();
      const shape = current();
      assert.deepEqual(Object.keys(spec.options).sort(), shape.options.filter((k) => k in DEFAULT_OPTIONS || k === 'kafkajs').sort());
      // The options of an old study pass today's rules (a rerun used to refuse them: [security] protocol undefined).
      assert.doesNotThrow(() => validateOptions(spec.options));
      const stored = fs
        .readFileSync(path.join(dir, id, 'points.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { key: string; result?: Record<string, unknown> });
      const points = store.readPoints();
      assert.equal(points.length, stored.length);
      points.forEach((p, i) => {
        for (const key of POINT_KEYS) assert.notEqual(p.params[key], undefined, `${id}: params.${key}`);
        assert.equal(pointKey(p.params), stored[i]?.key, `${id}: the stored key is the key of the upgraded parameters`);
        assert.ok(isOk(p));
        assert.deepEqual(Object.keys(p.result).sort(), shape.result, `${id}: the figures of today's points`);
        // What an older hydra did not measure is unknown, not zero; what it did not judge is unjudged.
        const raw = stored[i]?.result ?? {};
        if (!('expired_total' in raw)) assert.equal(p.result.expired_total, null);
        if (!('produce_rtt_p99_ms' in raw)) assert.equal(p.result.produce_rtt_p99_ms, null);
        if (!('verdict' in raw)) assert.equal(p.result.verdict, 'unjudged');
        // A rehearsal stored as 'kafka' before it was a verdict of its own reads as one.
        else if (raw.verdict === 'kafka' && raw.embedded_broker === true) assert.equal(p.result.verdict, 'rehearsal');
        else assert.equal(p.result.verdict, raw.verdict);
      });
      // Planning a rerun finds every stored point done.
      if (spec.kind !== 'kafkarate')
        assert.deepEqual(
          missingPoints(expandGrid(spec.options, spec.grid), new Set(points.map((p) => p.key))),
          [],
          `${id}: a resume would measure nothing again`,
        );
      for (const f of store.readFindings()) {
        assert.ok(f.limited_by === null || typeof f.limited_by === 'string');
        assert.equal(typeof f.kafka_limited, 'boolean');
      }
      // Shown and drawn without fallbacks.
      assert.match(formatPointsTable(points), /^clients/);
      assert.ok(Object.keys(studyFigures(points, store.readFindings())).length >= 4);
    });
});

describe('findings and records of older shapes, one by one', () => {
  const finding = fixtureFinding({ client_count: 4 });

  it('words a finding by who set its limit', () => {
    assert.equal(findingNote(finding), 'converged within precision');
    assert.equal(
      findingNote({
        ...finding,
        limited_by: 'publisher',
        harness_notes: ['the publisher, not Kafka, was the limit: reached 7 000 of 8 000 msg/s'],
        harness_sent_rate: 7000,
      }),
      "Kafka's limit not reached: the publisher, not Kafka, was the limit: reached 7 000 of 8 000 msg/s (the publisher sent 7000 msg/s there); the rates found are lower bounds of Kafka's",
    );
    assert.equal(
      findingNote({ ...finding, kafka_limited: true, kafka_limit: 'Kafka held the publisher back: throttled' }),
      'Kafka held the publisher back: throttled; converged within precision',
    );
  });

  it('keeps the sentence an older finding stored, and says nothing it did not record', () => {
    const old = upgradeFinding({
      client_count: 2,
      max_rate: 400,
      max_rx_rate: 400,
      no_drop_rate: 400,
      steps: 2,
      note: 'step budget used up while doubling',
    } as never);
    assert.deepEqual(old, {
      ...finding,
      client_count: 2,
      max_rate: 400,
      max_rx_rate: 400,
      no_drop_rate: 400,
      steps: 2,
      ended: null,
      note_as_stored: 'step budget used up while doubling',
    });
    assert.equal(findingNote(old), 'step budget used up while doubling');
  });

  it('fills a failed record’s parameters and leaves its figures absent', () => {
    const failed = upgradeRecord({ key: 'k', params: { msg_rate: 100 }, status: 'failed', result: null, error: 'app died', attempts: 4 } as never);
    assert.equal(failed.result, null);
    assert.equal(failed.params.msg_size, 16);
    assert.equal(failed.params.msg_rate, 100);
  });
});
