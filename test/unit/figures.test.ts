import { strict as assert } from 'node:assert';
import { failingClientsFigure, latencyFigure, lossFigure, rateBoundaryFigure, rxTxFigure, studyFigures } from '../../src/plot/figures';
import type { PointRecord } from '../../src/study/record';
import { fixtureFinding, fixturePoint, fixtureStudyPoints } from '../fixtures';

const title = (layout: Record<string, unknown>, key?: 'xaxis' | 'yaxis'): string => {
  const owner = key ? (layout[key] as { title: { text: string } }) : (layout as { title: { text: string } });
  return owner.title.text;
};

describe('figure builders', () => {
  const points = fixtureStudyPoints();

  it("draws HYDRA's Rx-vs-Tx plot: one spline trace per client count, x sorted by Tx rate", () => {
    const fig = rxTxFigure(points);
    assert.equal(title(fig.layout), 'Average Client Rate');
    assert.equal(title(fig.layout, 'xaxis'), 'Average Tx Rate [pps]');
    assert.equal(title(fig.layout, 'yaxis'), 'Average Rx Rate [pps]');
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ['client_count = 10', 'client_count = 40'],
    );
    const [ten, forty] = fig.data;
    assert.deepEqual(ten?.x, [999, 1498.5, 1998, 2997]);
    assert.deepEqual(ten?.y, [1000, 1500, 2000, 3000]);
    assert.deepEqual(forty?.y, [1000, 1500, 1800, 1800]);
    assert.ok(fig.data.every((t) => t.mode === 'lines+markers' && t.line?.shape === 'spline'));
  });

  it('draws packet loss in % and leaves failed points out with a note', () => {
    const fig = lossFigure(points);
    assert.equal(title(fig.layout), 'Average Packet Loss');
    assert.equal(title(fig.layout, 'yaxis'), 'Average Packet Loss [%]');
    assert.equal(fig.data[1]?.x.length, 4, 'the failed 4000 msg/s point is not on the curve');
    assert.equal(fig.data[1]?.y[3], 40);
    const notes = fig.layout.annotations as { text: string }[];
    assert.equal(notes[0]?.text, '1 failed point not shown');
  });

  it('draws the failing-clients rate only where clients failed, as HYDRA did', () => {
    const fig = failingClientsFigure(points);
    assert.equal(title(fig.layout), 'Failing Clients Rate');
    assert.equal(title(fig.layout, 'yaxis'), 'Average Failing Clients Rate [pps]');
    assert.deepEqual(fig.data[0]?.x, []);
    assert.deepEqual(fig.data[1]?.x, [1998, 2997]);
    assert.deepEqual(fig.data[1]?.y, [1800, 1800]);
  });

  it('says why the failing-clients plot is empty when nothing failed', () => {
    const fig = failingClientsFigure([fixturePoint(10, 1000)]);
    assert.ok((fig.layout.annotations as { text: string }[]).some((a) => /no client failed/.test(a.text)));
  });

  it('draws p50 and p99 latency per client count', () => {
    const fig = latencyFigure(points);
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ['client_count = 10 p50', 'client_count = 10 p99', 'client_count = 40 p50', 'client_count = 40 p99'],
    );
    assert.deepEqual(fig.data[0]?.y, [3, 3.5, 4, 5]);
    assert.equal(fig.data[1]?.line?.dash, 'dash');
  });

  it('splits traces by batch size when a study varies it', () => {
    const fig = rxTxFigure([fixturePoint(10, 1000, { batch: 10 }), fixturePoint(10, 1000, { batch: 100 }), fixturePoint(10, 2000, { batch: 10 })]);
    assert.deepEqual(
      fig.data.map((t) => [t.name, t.x.length]),
      [
        ['client_count = 10, batch = 10', 2],
        ['client_count = 10, batch = 100', 1],
      ],
    );
  });

  it('draws kafkarate boundaries per client count and adds them to the study figures', () => {
    const findings = [
      fixtureFinding({ client_count: 40, max_rate: 4000, max_rx_rate: 3900, no_drop_rate: 3100, steps: 9 }),
      fixtureFinding({ client_count: 10, max_rate: 8000, max_rx_rate: 7900, no_drop_rate: null, steps: 20 }),
    ];
    const fig = rateBoundaryFigure(findings);
    assert.deepEqual(fig.data[0]?.x, [10, 40]);
    assert.deepEqual(fig.data[0]?.y, [8000, 4000]);
    assert.deepEqual(fig.data[1]?.x, [40]);
    assert.deepEqual(Object.keys(studyFigures(points, findings)), ['rx-tx', 'loss-tx', 'fail-tx', 'latency-tx', 'rate-boundary']);
    assert.deepEqual(Object.keys(studyFigures(points)), ['rx-tx', 'loss-tx', 'fail-tx', 'latency-tx']);
  });
});

describe('figure layout', () => {
  it('always shows the legend, so a single client count is still labelled', () => {
    assert.equal(rxTxFigure([fixturePoint(10, 1000)]).layout.showlegend, true);
  });
});

describe('harness-limited points in figures', () => {
  it('draws them with a distinct marker, explains it, and puts the verdict in the hover text', () => {
    const points = [fixturePoint(10, 1000), fixturePoint(10, 2000, { limited: ['subscribers', 'host'] })];
    const fig = rxTxFigure(points);
    const trace = fig.data[0];
    assert.deepEqual((trace?.marker as { symbol: string[] }).symbol, ['circle', 'x-open']);
    assert.match(trace?.text?.[1] ?? '', /^<b>HARNESS-LIMITED<\/b>: the subscribers, not Kafka, was the limit/);
    assert.match(trace?.text?.[0] ?? '', /^verdict: a measurement of Kafka<br>/);
    const notes = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
    assert.ok(
      notes.some((t) => /harness-limited \(1 point\): hydra, not Kafka, was the limit there/.test(t)),
      notes.join(' | '),
    );
  });

  it('leaves invalid points out and says so', () => {
    const measured = fixturePoint(10, 3000);
    assert.ok(measured.status === 'ok');
    const invalid: PointRecord = { ...measured, status: 'invalid', error: 'sub app sub-1 died during the point' };
    const fig = lossFigure([fixturePoint(10, 1000), invalid]);
    assert.deepEqual(fig.data[0]?.x.length, 1);
    assert.ok((fig.layout.annotations as { text: string }[]).some((a) => a.text === '1 invalid (harness fault) point not shown'));
  });
});
