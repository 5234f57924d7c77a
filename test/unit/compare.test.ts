import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';
import { compareStudies, type ComparedStudy } from '../../src/compare/compare';
import { DEFAULT_OPTIONS } from '../../src/config/options';
import { compareFigures } from '../../src/plot/compare';
import { formatComparison } from '../../src/compare/text';
import { createStudy } from '../../src/study/create';
import type { PointRecord } from '../../src/study/record';
import { FIXTURE_OPTIONS, fixturePoint, fixtureSpec } from '../fixtures';
import { tempDir } from '../helpers';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A point measured `rx.length` times, each repetition receiving the given rate per client. */
function repeated(clients: number, rate: number, rx: number[], linger = 0): PointRecord[] {
  return rx.map((r, i) => {
    const p = fixturePoint(clients, rate);
    if (p.status !== 'ok') throw new Error('fixture');
    return {
      ...p,
      key: `${p.key}${i ? `#r${i}` : ''}`,
      ...(i ? { repeat: i } : {}),
      params: { ...p.params, linger_ms: linger },
      result: { ...p.result, average_rate: r },
    };
  });
}

function study(id: string, points: PointRecord[], linger: number): ComparedStudy {
  return { spec: fixtureSpec({ id, options: { ...DEFAULT_OPTIONS, linger_ms: linger } }), points };
}

describe('compare studies', () => {
  const withLinger = (r: PointRecord, linger: number): PointRecord => ({ ...r, params: { ...r.params, linger_ms: linger } });
  const a = study(
    'a',
    [...repeated(10, 1000, [1000, 999, 1001]), ...repeated(10, 2000, [2000, 1999, 2001]), fixturePoint(10, 3000), fixturePoint(40, 1000)],
    0,
  );
  const b = study(
    'b',
    [
      ...repeated(10, 1000, [1000, 1001, 998], 5),
      ...repeated(10, 2000, [1800, 1801, 1799], 5),
      withLinger(fixturePoint(10, 4000), 5),
      withLinger(fixturePoint(40, 1000, { limited: ['publisher'] }), 5),
    ],
    5,
  );

  it('lines up shared points, gives differences with significance from repeats, and leaves harness-limited points out', () => {
    const c = compareStudies([a, b]);
    assert.deepEqual(c.differences, [{ key: 'linger_ms', values: ['0', '5'] }]);
    assert.deepEqual(
      c.shared.map((p) => [p.name, p.excluded]),
      [
        ['10 clients, 1000 msg/s, batch 100', null],
        ['10 clients, 2000 msg/s, batch 100', null],
        ['40 clients, 1000 msg/s, batch 100', 'harness-limited in b'],
      ],
    );
    const rate = (i: number) => c.shared[i]?.diffs.find((d) => d.field === 'average_rate');
    assert.equal(rate(0)?.significant[1], false, '1000 vs 999.7: the intervals overlap');
    assert.ok(Math.abs((rate(1)?.diff[1] ?? 0) + 200) < 1e-9, '1800 − 2000');
    assert.equal(rate(1)?.significant[1], true, '1800 ± 2.5 vs 2000 ± 2.5');
    assert.ok((rate(1)?.ci[0] ?? 0) > 0, 'repeats give an interval');
    assert.equal(c.shared[0]?.diffs.find((d) => d.field === 'failing_clients')?.significant[1], false, 'equal counts are no difference');
    assert.deepEqual(c.shared[2]?.diffs[0]?.diff, [null, null], 'a harness-limited point has no difference');
    assert.deepEqual(c.unshared, [
      { study: 'a', name: '10 clients, 3000 msg/s, batch 100' },
      { study: 'b', name: '10 clients, 4000 msg/s, batch 100' },
    ]);
    const text = formatComparison(c);
    assert.match(text, /^compare a vs b\n/);
    assert.match(text, /differ: linger_ms 0 \| 5/);
    assert.match(text, /^10 clients, 2000 msg\/s, batch 100 +average_rate +2000±2\.5 +1800±2\.5 +-200 +yes$/m);
    assert.match(text, /not compared: 40 clients, 1000 msg\/s, batch 100 \(harness-limited in b: not Kafka's figures\)/);
    assert.match(text, /only in b: 10 clients, 4000 msg\/s, batch 100/);
  });

  it('compares a repeated point on its clean repeats when one repeat was host-limited, and says how many it used', () => {
    const hostLimited = (r: PointRecord): PointRecord =>
      r.status === 'ok'
        ? {
            ...r,
            result: {
              ...r.result,
              verdict: 'harness_limited',
              harness_limits: ['host'],
              harness_notes: ['the host, not Kafka, was the limit'],
              average_rate: 1,
            },
          }
        : r;
    const [b0, b1, b2, ...rest] = b.points as [PointRecord, PointRecord, PointRecord, ...PointRecord[]];
    const c = compareStudies([a, { ...b, points: [b0, hostLimited(b1), b2, ...rest] }]);
    const first = c.shared[0];
    assert.equal(first?.excluded, null, 'two clean repeats of three stand for the point');
    assert.deepEqual(first?.cleanRepeats, ['2 of 3 repeats in b (1 harness-limited left out)']);
    const rate = first?.diffs.find((d) => d.field === 'average_rate');
    assert.equal(rate?.values[1], 999, 'the mean of the clean repeats (1000, 998), not of all three');
    assert.match(
      formatComparison(c),
      /^ {2}compared on clean repeats: 10 clients, 1000 msg\/s, batch 100: 2 of 3 repeats in b \(1 harness-limited left out\)$/m,
    );
    // Every repeat limited: the point is left out, and the text says what to do when nothing is left.
    const none = compareStudies([a, { ...b, points: b.points.map(hostLimited) }]);
    assert.deepEqual(
      none.shared.map((p) => p.excluded),
      ['harness-limited in b', 'harness-limited in b', 'harness-limited in b'],
    );
    assert.match(
      formatComparison(none),
      /nothing to compare: no shared point has a clean measurement in every study .*hydra study show <id> gives each limit's remedy — or with --repeats=3/,
    );
  });

  it('draws a curve per study × client count: a client count keeps its colour, a study its line style', () => {
    const c = compareStudies([a, b]);
    const fig = compareFigures([a, b], c)['compare-rx-tx'];
    const names = fig?.data.map((t) => t.name) ?? [];
    assert.deepEqual(names, ['a · 10 clients', 'a · 40 clients', 'b · 10 clients', 'b · 40 clients', 'Rx = Tx (nothing lost)']);
    const byName = (n: string) => fig?.data.find((t) => t.name === n);
    assert.equal(byName('a · 10 clients')?.line?.color, byName('b · 10 clients')?.line?.color);
    assert.notEqual(byName('a · 10 clients')?.line?.color, byName('a · 40 clients')?.line?.color);
    assert.deepEqual([byName('a · 10 clients')?.line?.dash, byName('b · 10 clients')?.line?.dash], ['solid', 'dash']);
    assert.deepEqual((byName('b · 40 clients')?.marker as { symbol: string[] }).symbol, ['x-open'], 'harness-limited drawn as such');
    const title = fig?.layout.title as { text: string; subtitle: { text: string } };
    assert.match(title.text, /^Average Client Rate — a vs b$/);
    assert.match(title.subtitle.text, /differ: linger_ms 0 \| 5/);
    const latency = compareFigures([a, b], c)['compare-latency-p99'];
    assert.ok(latency?.data.every((t) => t.name.endsWith(' p99')));
  });

  it('runs from the CLI on stored studies: table on stdout, a self-contained page, bad input exits 2', async () => {
    const dir = tempDir();
    try {
      for (const s of [a, b]) {
        const store = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir, linger_ms: s.spec.options.linger_ms }, id: s.spec.id });
        for (const p of s.points) store.appendPoint(p);
      }
      const out = new Capture();
      const err = new Capture();
      const io: CliIO = { stdout: out, stderr: err, interactive: false };
      assert.equal(await runCli(['compare', 'a', 'b', `--results_dir=${dir}`, '--config_file='], io), 0, err.text);
      assert.match(out.text, /^compare a vs b/);
      const page = path.join(dir, 'compare-a-vs-b', 'compare.html');
      assert.match(err.text, new RegExp(`hydra: compare page ${page.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      const html = fs.readFileSync(page, 'utf8');
      assert.match(html, /<h1>hydra compare: a vs b<\/h1>/);
      assert.match(html, /Plotly\.newPlot\("compare-rx-tx"/);
      assert.doesNotMatch(html, /<script[^>]+src=/i, 'self-contained');
      const json = new Capture();
      assert.equal(
        await runCli(['compare', 'a', 'b', '--json', `--out=${path.join(dir, 'j')}`, `--results_dir=${dir}`, '--config_file='], { ...io, stdout: json }),
        0,
      );
      assert.equal((JSON.parse(json.text) as { shared: unknown[] }).shared.length, 3);
      for (const [argv, message] of [
        [['compare', 'a'], /needs two or more study ids/],
        [['compare', 'a', 'nope'], /study="nope": no such study/],
        [['compare', 'a', 'a'], /"a": is given twice/],
        [['compare', 'a', 'b', '--format=pdf'], /--format="pdf": expected html, png or svg/],
      ] as const) {
        const e = new Capture();
        assert.equal(await runCli([...argv, `--results_dir=${dir}`, '--config_file='], { ...io, stderr: e }), 2, argv.join(' '));
        assert.match(e.text, message);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
