import { LATER_POINT_KEYS, POINT_KEYS } from '../config/options';
import { isOk, type PointRecord } from '../study/record';
import { aggregateRepeats, ciOf } from '../study/repeats';
import type { PointResult } from '../stats/result';
import type { RateFinding } from '../study/spec';

/** The parts of a Plotly trace hydra uses. */
export interface PlotTrace {
  type: 'scatter' | 'bar';
  name: string;
  x: number[];
  y: number[];
  mode?: 'lines' | 'markers' | 'lines+markers';
  line?: { shape?: 'spline' | 'linear'; dash?: 'solid' | 'dash' | 'dot' };
  marker?: Record<string, unknown>;
  legendgroup?: string;
  /** Hover text per point. */
  text?: string[];
  hovertemplate?: string;
  /** Error bars (95 % confidence intervals of repeated points). */
  error_y?: { type: 'data'; array: number[]; visible: boolean };
}

/** A Plotly figure: what Plotly.newPlot / toImage take. */
export interface Figure {
  data: PlotTrace[];
  layout: Record<string, unknown>;
}

/** Points of one curve: same client count (and batch size or workload, when a study varies them). */
interface Series {
  name: string;
  clientCount: number;
  points: { record: PointRecord; result: PointResult }[];
}

function clientCountOf(r: PointRecord): number {
  return r.params.total_sub_apps * r.params.clients_per_app;
}

/** A point parameter's value, with the default of a key added after the point was stored. */
function paramOf(r: PointRecord, key: (typeof POINT_KEYS)[number]): unknown {
  return r.params[key] ?? LATER_POINT_KEYS[key];
}

/** Parameters besides the rate and the client count that differ between the points: each splits the curves. */
function splittingKeys(records: readonly PointRecord[]): (typeof POINT_KEYS)[number][] {
  return POINT_KEYS.filter((k) => k !== 'msg_rate' && k !== 'total_sub_apps' && new Set(records.map((r) => String(paramOf(r, k)))).size > 1);
}

/**
 * Groups finished points into one series per client count (HYDRA's traces), split by batch size
 * or any other parameter only when the points use more than one value of it (a study of message
 * sizes gets a curve per size), each sorted by achieved Tx rate.
 */
export function seriesByClientCount(records: readonly PointRecord[]): Series[] {
  // Repeats of a point are one point on the curve: their mean, with its confidence interval.
  const ok = aggregateRepeats(records).filter(isOk);
  const split = splittingKeys(ok);
  const groups = new Map<string, Series>();
  for (const record of ok) {
    const clients = clientCountOf(record);
    const label = split.map((k) => `${k === 'msg_batch' ? 'batch' : k} = ${String(paramOf(record, k))}`);
    const key = [clients, ...label].join('/');
    let s = groups.get(key);
    if (!s) {
      s = { name: [`client_count = ${clients}`, ...label].join(', '), clientCount: clients, points: [] };
      groups.set(key, s);
    }
    s.points.push({ record, result: record.result });
  }
  const series = [...groups.values()].sort((a, b) => a.clientCount - b.clientCount || a.name.localeCompare(b.name));
  for (const s of series) s.points.sort((a, b) => a.result.average_tx_rate - b.result.average_tx_rate);
  return series;
}

/**
 * What a figure leaves out and why: failed points (no figures) and invalid ones (a harness fault
 * made their figures not Kafka's). Only measurements of Kafka are drawn.
 */
export function notShownNote(records: readonly PointRecord[]): string {
  const count = (status: PointRecord['status']): number => records.filter((r) => r.status === status).length;
  const failed = count('failed');
  const invalid = count('invalid');
  const parts = [failed ? `${failed} failed` : '', invalid ? `${invalid} invalid (harness fault)` : ''].filter(Boolean);
  return parts.length ? `${parts.join(', ')} point${failed + invalid > 1 ? 's' : ''} not shown` : '';
}

function baseLayout(title: string, xTitle: string, yTitle: string, records: readonly PointRecord[]): Record<string, unknown> {
  const left = notShownNote(records);
  const limited = records.filter((r) => isOk(r) && r.result.verdict === 'harness_limited').length;
  return {
    title: { text: title },
    xaxis: { title: { text: xTitle }, rangemode: 'tozero', automargin: true },
    yaxis: { title: { text: yTitle }, rangemode: 'tozero', automargin: true },
    showlegend: true,
    legend: { title: { text: 'traces' } },
    font: { size: 14 },
    margin: { t: 60, b: 70 },
    annotations: [
      ...(left ? [{ text: left, xref: 'paper', yref: 'paper', x: 1, y: 1.08, showarrow: false, xanchor: 'right', font: { size: 12, color: '#a00' } }] : []),
      ...(limited
        ? [
            {
              text: `✕ = harness-limited (${limited} point${limited > 1 ? 's' : ''}): hydra, not Kafka, was the limit there`,
              xref: 'paper',
              yref: 'paper',
              x: 0,
              y: 1.08,
              showarrow: false,
              xanchor: 'left',
              font: { size: 12, color: '#a60' },
            },
          ]
        : []),
    ],
  };
}

/** Harness-limited points get an open cross instead of a dot, explained in the figure's note. */
const LIMITED_SYMBOL = 'x-open';

/** Every figure of a point in its hover text, the verdict first. */
function hoverText(record: PointRecord, result: PointResult): string {
  const verdict =
    result.verdict === 'harness_limited'
      ? `<b>HARNESS-LIMITED</b>: ${result.harness_notes.join('<br>')}`
      : result.kafka_notes?.length
        ? `verdict: a measurement of Kafka — <b>${result.kafka_notes.join('<br>')}</b>`
        : 'verdict: a measurement of Kafka';
  const fields = Object.entries(result)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}: ${Number.isInteger(v) ? v : (v as number).toFixed(3)}`);
  return [verdict, ...result.figure_notes, `rate ${record.params.msg_rate} msg/s, batch ${record.params.msg_batch}`, ...fields].join('<br>');
}

/** Markers and hover text of a curve's points: harness-limited ones stand out, every point's verdict and figures on hover. */
function pointStyle(pts: readonly { record: PointRecord; result: PointResult }[]): Partial<PlotTrace> {
  return {
    marker: {
      symbol: pts.map((p) => (p.result.verdict === 'harness_limited' ? LIMITED_SYMBOL : 'circle')),
      size: pts.map((p) => (p.result.verdict === 'harness_limited' ? 12 : 7)),
    },
    text: pts.map((p) => hoverText(p.record, p.result)),
    hovertemplate: '%{text}<extra>%{fullData.name}</extra>',
  };
}

/** What a curve's x axis shows: the achieved Tx rate in messages (HYDRA's) or in MB/s. */
interface XAxis {
  title: string;
  x: (p: { record: PointRecord; result: PointResult }) => number;
}
const TX_RATE: XAxis = { title: 'Average Tx Rate [pps]', x: (p) => p.result.average_tx_rate };

/** Bytes per message of a point (values only: keys and Kafka's record overhead are not counted). */
function msgSizeOf(r: PointRecord): number {
  return Number(paramOf(r, 'msg_size'));
}

function curveFigure(
  records: readonly PointRecord[],
  title: string,
  yTitle: string,
  y: (r: PointResult, record: PointRecord) => number | null,
  yKey?: keyof PointResult,
  xAxis: XAxis = TX_RATE,
): Figure {
  // 95 % confidence intervals of repeated points as error bars.
  const errorBars = (shown: PointRecord[]): Partial<PlotTrace> => {
    if (!yKey) return {};
    const ci = shown.map((r) => ciOf(r, yKey));
    return ci.some((c) => c !== null) ? { error_y: { type: 'data', array: ci.map((c) => c ?? 0), visible: true } } : {};
  };
  const data: PlotTrace[] = seriesByClientCount(records).map((s) => {
    const pts = s.points.filter((p) => y(p.result, p.record) !== null);
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: s.name,
      x: pts.map(xAxis.x),
      y: pts.map((p) => y(p.result, p.record) as number),
      line: { shape: 'spline' },
      ...pointStyle(pts),
      ...errorBars(pts.map((p) => p.record)),
    };
  });
  return { data, layout: baseLayout(title, xAxis.title, yTitle, records) };
}

/** HYDRA plot 1: subscribers' mean receive rate against the publisher's rate. */
export function rxTxFigure(records: readonly PointRecord[]): Figure {
  return curveFigure(records, 'Average Client Rate', 'Average Rx Rate [pps]', (r) => r.average_rate, 'average_rate');
}

/**
 * Plot 1 in bytes: a client's mean receive throughput against the publisher's, MB/s of message
 * values (10^6 bytes), for studies whose message sizes differ — msg/s alone hides that a larger
 * record moves more data at a lower message rate.
 */
export function throughputFigure(records: readonly PointRecord[]): Figure {
  const mb = (msgs: number, record: PointRecord): number => (msgs * msgSizeOf(record)) / 1e6;
  return curveFigure(records, 'Average Client Throughput', 'Average Rx Throughput [MB/s]', (r, record) => mb(r.average_rate, record), undefined, {
    title: 'Average Tx Throughput [MB/s]',
    x: (p) => mb(p.result.average_tx_rate, p.record),
  });
}

/** HYDRA plot 2: mean packet loss against the publisher's rate. */
export function lossFigure(records: readonly PointRecord[]): Figure {
  return curveFigure(records, 'Average Packet Loss', 'Average Packet Loss [%]', (r) => r.average_packet_loss, 'average_packet_loss');
}

/** HYDRA plot 3: mean rate of the failing clients; points without failing clients are left out, as in HYDRA. */
export function failingClientsFigure(records: readonly PointRecord[]): Figure {
  const fig = curveFigure(records, 'Failing Clients Rate', 'Average Failing Clients Rate [pps]', (r) =>
    r.failing_clients > 0 ? r.failing_clients_rate : null,
  );
  if (fig.data.every((t) => t.x.length === 0)) {
    // An empty plot reads like a bug; say why it is empty.
    (fig.layout.annotations as unknown[]).push({
      text: 'no client failed in any point',
      xref: 'paper',
      yref: 'paper',
      x: 0.5,
      y: 0.5,
      showarrow: false,
      font: { size: 18, color: '#555' },
    });
  }
  return fig;
}

/** End-to-end latency p50 (solid) and p99 (dashed) per client count. */
export function latencyFigure(records: readonly PointRecord[]): Figure {
  const data: PlotTrace[] = [];
  for (const s of seriesByClientCount(records)) {
    for (const [label, pick, dash] of [
      ['p50', (r: PointResult) => r.latency_p50_ms, 'solid'],
      ['p99', (r: PointResult) => r.latency_p99_ms, 'dash'],
    ] as const) {
      const pts = s.points.filter((p) => pick(p.result) !== null);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `${s.name} ${label}`,
        legendgroup: s.name,
        x: pts.map((p) => p.result.average_tx_rate),
        y: pts.map((p) => pick(p.result) as number),
        line: { shape: 'spline', dash },
        ...pointStyle(pts),
      });
    }
  }
  return { data, layout: baseLayout('End-to-End Latency', 'Average Tx Rate [pps]', 'Latency [ms]', records) };
}

/** kafkarate: maximum rate and no-drop rate per client count. */
export function rateBoundaryFigure(findings: readonly RateFinding[]): Figure {
  const sorted = [...findings].sort((a, b) => a.client_count - b.client_count);
  const trace = (name: string, pick: (f: RateFinding) => number | null, dash: 'solid' | 'dash'): PlotTrace => {
    const pts = sorted.filter((f) => pick(f) !== null);
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x: pts.map((f) => f.client_count),
      y: pts.map((f) => pick(f) as number),
      line: { shape: 'linear', dash },
    };
  };
  return {
    data: [
      trace('max rate', (f) => (f.limited_by ? null : f.max_rate), 'solid'),
      trace('no-drop rate (▲ lower bound: harness-limited)', (f) => f.no_drop_rate, 'dash'),
    ],
    layout: {
      title: { text: 'Rate Boundaries per Client Count' },
      xaxis: { title: { text: 'Client Count' }, rangemode: 'tozero', automargin: true },
      yaxis: { title: { text: 'Tx Rate [pps]' }, rangemode: 'tozero', automargin: true },
      font: { size: 14 },
    },
  };
}

/** Every figure that applies to a study, keyed by a file-name-friendly id. */
export function studyFigures(records: readonly PointRecord[], findings: readonly RateFinding[] = []): Record<string, Figure> {
  const figures: Record<string, Figure> = {
    'rx-tx': rxTxFigure(records),
    'loss-tx': lossFigure(records),
    'fail-tx': failingClientsFigure(records),
    'latency-tx': latencyFigure(records),
  };
  if (new Set(records.map(msgSizeOf)).size > 1) figures['throughput-mbs'] = throughputFigure(records);
  if (findings.length > 0) figures['rate-boundary'] = rateBoundaryFigure(findings);
  return figures;
}
