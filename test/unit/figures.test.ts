import { strict as assert } from 'node:assert';
import { failingClientsFigure, latencyFigure, lossFigure, rateBoundaryFigure, rxTxFigure } from '../../src/plot/figures';
import { studyFigures } from '../../src/plot/study-figures';
import { curveSentence, summarizeCurves, type CurveSummary } from '../../src/present/summary';
import type { PointRecord } from '../../src/study/record';
import { studyReportHtml } from '../../src/plot/report';
import { formatPointsTable } from '../../src/present/table';
import type { StudySpec } from '../../src/study/spec';
import { FIXTURE_OPTIONS, fixtureFinding, fixturePoint, fixtureStudyPoints } from '../fixtures';

/** The lines under a figure's title (its context and notes), without their markup. */
const subtitle = (layout: Record<string, unknown>): string =>
  ((layout.title as { subtitle?: { text: string } }).subtitle?.text ?? '').replace(/<br>/g, '\n').replace(/<[^>]+>/g, '');

const title = (layout: Record<string, unknown>, key?: 'xaxis' | 'yaxis'): string => {
  const owner = key ? (layout[key] as { title: { text: string } }) : (layout as { title: { text: string } });
  return owner.title.text;
};

describe('figure builders', () => {
  const points = fixtureStudyPoints();

  it("draws HYDRA's Rx-vs-Tx plot: one straight-lined trace per client count, x sorted by Tx rate, and the Rx = Tx line", () => {
    const fig = rxTxFigure(points);
    assert.equal(title(fig.layout), 'Average Client Rate');
    assert.equal(title(fig.layout, 'xaxis'), 'Average Tx Rate [msg/s]');
    assert.equal(title(fig.layout, 'yaxis'), 'Average Rx Rate [msg/s]');
    assert.equal((fig.layout.legend as { title: { text: string } }).title.text, 'clients');
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ['10 clients', '40 clients', 'Rx = Tx (nothing lost)'],
    );
    const [ten, forty, equal] = fig.data;
    assert.deepEqual(ten?.x, [999, 1498.5, 1998, 2997]);
    assert.deepEqual(ten?.y, [1000, 1500, 2000, 3000]);
    assert.deepEqual(forty?.y, [1000, 1500, 1800, 1800]);
    assert.deepEqual(
      [equal?.x, equal?.y],
      [
        [0, 3000],
        [0, 3000],
      ],
    );
    // Never smoothed: a spline would draw values between points that were never measured.
    assert.ok(fig.data.every((t) => t.line?.shape === 'linear'));
    // A curve drawn exactly over another leaves the one beneath visible.
    assert.ok((ten?.line?.width ?? 0) > (forty?.line?.width ?? 0));
  });

  it('draws packet loss in % and leaves failed points out with a note', () => {
    const fig = lossFigure(points);
    assert.equal(title(fig.layout), 'Average Packet Loss');
    assert.equal(title(fig.layout, 'yaxis'), 'Average Packet Loss [%]');
    assert.equal(fig.data[1]?.x.length, 4, 'the failed 4000 msg/s point is not on the curve');
    assert.equal(fig.data[1]?.y[3], 40);
    assert.match(subtitle(fig.layout), /^1 failed point not shown$/m);
  });

  it('draws the failing-clients rate only where clients failed, as HYDRA did', () => {
    const fig = failingClientsFigure(points);
    assert.equal(title(fig.layout), 'Failing Clients Rate');
    assert.equal(title(fig.layout, 'yaxis'), "Failing clients' mean Rx rate [msg/s]");
    assert.deepEqual(fig.data[0]?.x, []);
    assert.deepEqual(fig.data[1]?.x, [1998, 2997]);
    assert.deepEqual(fig.data[1]?.y, [1800, 1800]);
  });

  it('says why the failing-clients plot is empty when nothing failed, with no empty axes or legend', () => {
    const fig = failingClientsFigure([fixturePoint(10, 1000), fixturePoint(10, 2000)]);
    assert.ok((fig.layout.annotations as { text: string }[]).some((a) => /^No client failed in any of the 2 points/.test(a.text)));
    assert.deepEqual([fig.layout.xaxis, fig.layout.yaxis, fig.layout.showlegend], [{ visible: false }, { visible: false }, false]);
    // With a failing client the axes are drawn as usual.
    assert.notEqual((failingClientsFigure(points).layout.xaxis as { visible?: boolean }).visible, false);
  });

  it('draws a lossless point whole on the x axis, not half under it', () => {
    for (const trace of lossFigure(points).data) assert.equal(trace.cliponaxis, false, trace.name);
  });

  it('draws p50 and p99 latency per client count, one colour per count, and says what sets the floor on the embedded broker', () => {
    const fig = latencyFigure(points);
    assert.deepEqual(
      fig.data.map((t) => t.name),
      ['10 clients p50', '10 clients p99', '40 clients p50', '40 clients p99'],
    );
    assert.deepEqual(fig.data[0]?.y, [3, 3.5, 4, 5]);
    assert.equal(fig.data[1]?.line?.dash, 'dash');
    const colors = fig.data.map((t) => t.line?.color);
    assert.equal(colors[0], colors[1], 'p50 and p99 of 10 clients share a colour');
    assert.notEqual(colors[0], colors[2], 'client counts differ');
    assert.ok(fig.data.every((t) => t.line?.shape === 'linear'));
    assert.match(subtitle(fig.layout), /the embedded broker answers a fetch only when its 100 ms long-poll \(consumer_max_wait_ms\) expires/);
  });

  it('splits traces by batch size when a study varies it', () => {
    const fig = rxTxFigure([fixturePoint(10, 1000, { batch: 10 }), fixturePoint(10, 1000, { batch: 100 }), fixturePoint(10, 2000, { batch: 10 })]);
    assert.deepEqual(
      fig.data.map((t) => [t.name, t.x.length]),
      [
        ['10 clients, batch 10', 2],
        ['10 clients, batch 100', 1],
        ['Rx = Tx (nothing lost)', 2],
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
    assert.match(trace?.text?.[0] ?? '', /^verdict: no harness limit reached — on hydra's embedded broker: a rehearsal, not a measurement of Kafka<br>/);
    assert.match(subtitle(fig.layout), /harness-limited \(1 point\): hydra, not Kafka, was the limit there/);
  });

  it('leaves invalid points out and says so', () => {
    const measured = fixturePoint(10, 3000);
    assert.ok(measured.status === 'ok');
    const invalid: PointRecord = { ...measured, status: 'invalid', error: 'sub app sub-1 died during the point' };
    const fig = lossFigure([fixturePoint(10, 1000), invalid]);
    assert.deepEqual(fig.data[0]?.x.length, 1);
    assert.match(subtitle(fig.layout), /^1 invalid \(harness fault\) point not shown$/m);
  });
});

describe('what a figure carries with it', () => {
  it('names study, broker, message size, point length, acks, client and date under the title', () => {
    const fig = rxTxFigure(fixtureStudyPoints(), { study: 'sweep-x', brokers: [] });
    const lines = subtitle(fig.layout).split('\n');
    assert.equal(lines[0], "hydra's embedded broker: a rehearsal — these numbers say nothing about Kafka");
    assert.match(lines[1] as string, /^study sweep-x · hydra's embedded broker · \d+ B messages · \d+ s points · acks=1 · kafkajs · \d{4}-\d\d-\d\d$/);
    assert.ok(
      (fig.layout.annotations as { text: string }[]).some((a) => a.text === 'EMBEDDED BROKER — NOT KAFKA'),
      'a watermark a crop keeps',
    );
  });

  it('says nothing of the embedded broker for a real cluster, and names its brokers', () => {
    const real = fixtureStudyPoints().map((p) => (p.result ? { ...p, result: { ...p.result, embedded_broker: false } } : p)) as PointRecord[];
    const fig = lossFigure(real, { study: 's', brokers: ['kafka-1:9092'] });
    assert.doesNotMatch(subtitle(fig.layout), /embedded/);
    assert.match(subtitle(fig.layout), /^study s · brokers kafka-1:9092 · /m);
    assert.deepEqual(fig.layout.annotations, []);
    assert.match(rxTxFigure(real).data[0]?.text?.[0] ?? '', /^verdict: a measurement of Kafka<br>/);
  });
});

describe('the summary a report opens with', () => {
  it('per client count: highest lossless rate, where loss starts, points hydra held back or could not measure', () => {
    const points = [...fixtureStudyPoints(), fixturePoint(10, 5000, { limited: ['publisher'] })];
    assert.deepEqual(summarizeCurves(points), [
      {
        curve: '10 clients',
        clientCount: 10,
        losslessUpTo: 3000,
        lossFrom: null,
        kafkaHeldBackFrom: null,
        measured: 4,
        harnessLimited: 1,
        harnessLimitedLossMax: 0,
        unmeasured: 0,
      },
      {
        curve: '40 clients',
        clientCount: 40,
        losslessUpTo: 1500,
        lossFrom: 2000,
        kafkaHeldBackFrom: null,
        measured: 4,
        harnessLimited: 0,
        harnessLimitedLossMax: null,
        unmeasured: 1,
      },
    ]);
    const [ten] = summarizeCurves(points);
    assert.equal(
      curveSentence(ten as CurveSummary),
      '10 clients: no loss up to 3000 msg/s (no point lost messages); 1 point harness-limited (hydra, not Kafka, was the limit)',
    );
  });

  it('a client count whose every point hydra held back reads "nothing measured", with what those points lost, never "no lossless point"', () => {
    const busy = [fixturePoint(2, 500, { limited: ['host'] }), fixturePoint(2, 1000, { limited: ['host'] }), fixturePoint(2, 2000, { limited: ['host'] })];
    const [two] = summarizeCurves(busy);
    assert.equal(
      curveSentence(two as CurveSummary),
      '2 clients: nothing measured — all 3 points harness-limited (hydra, not Kafka, was the limit); none lost a message',
    );
    const lossy = fixturePoint(2, 4000, { limited: ['host'], cap: 3000 });
    assert.match(
      curveSentence(summarizeCurves([lossy])[0] as CurveSummary),
      /its one point harness-limited .*; they lost up to 25\.000 %, which is not Kafka's loss$/,
    );
    // The table names each limit once, with how many points it held back, not a line per point.
    const table = formatPointsTable(busy);
    assert.equal(table.match(/harness-limited/g)?.length, 1, table);
    assert.match(table, /^ {2}harness-limited, 3 points like 2 clients, 500 msg\/s, batch 100: the host, not Kafka, was the limit$/m);
    // The report: the tally in plain words, the summary sentence, and the remedy for the limit it names.
    const spec: StudySpec = {
      id: 'busy',
      kind: 'sweep',
      created_at: '2026-12-05T00:00:00.000Z',
      options: FIXTURE_OPTIONS,
      grid: { client_counts: [2], msg_rates: [500, 1000, 2000], msg_batches: [100] },
      search: null,
      versions: {},
      brokers: [],
      history: [],
      status: 'done',
    };
    const page = studyReportHtml(spec, busy);
    const html = page.slice(page.indexOf('<h2>Summary'), page.indexOf('<h2>Figures'));
    assert.match(html, /3 points: 0 ran clean \(hydra was not the limit\), 3 harness-limited/);
    assert.doesNotMatch(html, /rehearsed \(no harness limit\)|0 invalid|0 failed/);
    assert.match(html, /<h3>What to do<\/h3>\n<ul class="remedies"><li>Where the host is the limit: run fewer processes on this machine/);
  });

  it("calls a rate Kafka held the publisher back at Kafka's boundary, not a lossless rate", () => {
    const held = fixturePoint(10, 4000);
    assert.ok(held.status === 'ok');
    const slowAcks: PointRecord = { ...held, result: { ...held.result, kafka_limits: ['produce'], kafka_notes: ['Kafka held the publisher back: slow acks'] } };
    const [ten] = summarizeCurves([fixturePoint(10, 1000), fixturePoint(10, 2000), slowAcks]);
    assert.equal(ten?.losslessUpTo, 2000, 'not 4000: Kafka never took that rate');
    assert.equal(ten?.kafkaHeldBackFrom, 4000);
    assert.equal(
      curveSentence(ten as CurveSummary),
      "10 clients: no loss up to 2000 msg/s (no point lost messages); Kafka held the publisher back from 4000 msg/s (Kafka's boundary)",
    );
  });
});
