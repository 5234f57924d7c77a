import { isFaulted, isOk, paramOf, type PointRecord } from '../study/record';
import { aggregateRepeats, ciOf } from '../study/repeats';
import { seriesByClientCount, splittingKeys } from './series';

export { seriesByClientCount, type Series } from './series';
import type { PointResult } from '../stats/result';
import type { RateFinding } from '../study/spec';

/** The parts of a Plotly trace hydra uses. */
export interface PlotTrace {
  type: 'scatter' | 'bar';
  name: string;
  x: number[];
  y: number[];
  mode?: 'lines' | 'markers' | 'lines+markers';
  line?: { shape?: 'linear'; dash?: 'solid' | 'dash' | 'dot' | 'dashdot' | 'longdash'; color?: string; width?: number };
  marker?: Record<string, unknown>;
  legendgroup?: string;
  /** Hover text per point. */
  text?: string[];
  hovertemplate?: string;
  /** Error bars (95 % confidence intervals of repeated points). */
  error_y?: { type: 'data'; array: number[]; visible: boolean };
  /** false: markers on an axis line (0 % loss) are drawn whole, not cut in half by the plot area. */
  cliponaxis?: boolean;
  /** The second y axis (a figure drawing two units). */
  yaxis?: 'y2';
}

/** A Plotly figure: what Plotly.newPlot / toImage take. */
export interface Figure {
  data: PlotTrace[];
  layout: Record<string, unknown>;
}

/**
 * What a figure leaves out and why: failed points (no figures) and invalid ones (a harness fault
 * made their figures not Kafka's). Only measurements of Kafka are drawn.
 */
export function notShownNote(records: readonly PointRecord[]): string {
  const count = (status: PointRecord['status']): number => records.filter((r) => r.status === status).length;
  const failed = count('failed');
  const invalid = count('invalid');
  const faulted = records.filter((r) => r.status === 'ok' && isFaulted(r)).length;
  const parts = [
    failed ? `${failed} failed` : '',
    invalid ? `${invalid} invalid (harness fault)` : '',
    faulted ? `${faulted} through planned faults (in the fault figures)` : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')} point${failed + invalid + faulted > 1 ? 's' : ''} not shown` : '';
}

/**
 * Where a figure's numbers come from, said on the figure itself so a PNG pasted into a document
 * keeps it: study, broker, message size, point length, client library, date.
 */
export interface FigureContext {
  /** The study's id. */
  study?: string;
  /** The configured cluster's bootstrap brokers; empty or absent: hydra's embedded broker. */
  brokers?: readonly string[];
}

/** The points ran on hydra's embedded broker: every figure says its numbers are a rehearsal, not Kafka's. */
export function onEmbeddedBroker(records: readonly PointRecord[], context: FigureContext = {}): boolean {
  if (context.brokers) return context.brokers.length === 0;
  return records.some((r) => r.result?.embedded_broker === true);
}

const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];
const listed = (values: readonly unknown[]): string => distinct(values.map(String)).join('/');

/** "study sweep-… · brokers kafka-1:9092 · 100 B messages · 10 s points · acks=1 · kafkajs · 2026-12-02". */
export function contextLine(records: readonly PointRecord[], context: FigureContext = {}): string {
  const measured = records.length ? records : [];
  const dates = distinct(measured.map((r) => r.started_at.slice(0, 10))).sort();
  const parts = [
    context.study ? `study ${context.study}` : '',
    onEmbeddedBroker(records, context) ? "hydra's embedded broker" : context.brokers?.length ? `brokers ${context.brokers.join(',')}` : '',
    measured.length ? `${listed(measured.map(msgSizeOf))} B messages` : '',
    measured.length ? `${listed(measured.map((r) => r.params.test_duration))} s points` : '',
    measured.length ? `acks=${listed(measured.map((r) => r.params.acks))}` : '',
    measured.length ? listed(measured.map((r) => paramOf(r, 'client_library'))) : '',
    dates.length ? (dates.length > 1 ? `${dates[0] ?? ''} – ${dates[dates.length - 1] ?? ''}` : (dates[0] ?? '')) : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

export const EMBEDDED_LINE = "<b>hydra's embedded broker: a rehearsal — these numbers say nothing about Kafka</b>";

/**
 * A figure's title, with what qualifies its numbers under it (Plotly's subtitle): the embedded
 * broker's warning, the context line, and what the figure leaves out or marks. Kept in the title
 * block, which grows the top margin to fit, so no note overlaps the title or the plot.
 */
export function titleBlock(
  title: string,
  records: readonly PointRecord[],
  context: FigureContext,
  extraNotes: readonly string[] = [],
  /** A figure of the faulted points themselves: what the steady-state figures leave out does not apply. */
  ofFaults = false,
): Record<string, unknown> {
  const left = ofFaults ? '' : notShownNote(records);
  const limited = records.filter((r) => isOk(r) && !isFaulted(r) && r.result.verdict === 'harness_limited').length;
  const lines = [
    onEmbeddedBroker(records, context) ? `<span style="color:#b00">${EMBEDDED_LINE}</span>` : '',
    `<span style="color:#555">${contextLine(records, context)}</span>`,
    limited ? `<span style="color:#a60">✕ = harness-limited (${limited} point${limited > 1 ? 's' : ''}): hydra, not Kafka, was the limit there</span>` : '',
    left ? `<span style="color:#a00">${left}</span>` : '',
    ...extraNotes.map((n) => `<span style="color:#555">${n}</span>`),
  ].filter(Boolean);
  return subtitledTitle(title, lines);
}

/** A title with lines of (HTML-styled) text under it, placed from the top of the figure. */
export function subtitledTitle(title: string, lines: readonly string[]): Record<string, unknown> {
  return {
    text: title,
    subtitle: { text: lines.join('<br>'), font: { size: 12 } },
    x: 0.01,
    xanchor: 'left',
    yref: 'container',
    y: 0.98,
    yanchor: 'top',
  };
}

/**
 * Room above the plot for the title and its lines, px. Set, not Plotly's title automargin: that
 * one re-lays the plot after the first draw, and an image taken then has traces off their axes.
 */
export function topMargin(title: Record<string, unknown>): number {
  const sub = (title.subtitle as { text: string }).text;
  const lines = sub ? sub.split('<br>').length : 0;
  return 48 + 17 * lines;
}

/** What every curve figure shares: titles with their context, axes from zero, a named legend. */
function baseLayout(
  title: string,
  xTitle: string,
  yTitle: string,
  records: readonly PointRecord[],
  context: FigureContext,
  legendTitle: string,
  extraNotes: readonly string[] = [],
): Record<string, unknown> {
  const block = titleBlock(title, records, context, extraNotes);
  return {
    title: block,
    xaxis: { title: { text: xTitle }, rangemode: 'tozero', automargin: true },
    yaxis: { title: { text: yTitle }, rangemode: 'tozero', automargin: true },
    showlegend: true,
    legend: { title: { text: legendTitle } },
    font: { size: 14 },
    margin: { t: topMargin(block), b: 70 },
    annotations: onEmbeddedBroker(records, context) ? [EMBEDDED_WATERMARK] : [],
  };
}

/** A faint mark across the plot area: a cropped PNG of an embedded-broker figure still says what it is. */
export const EMBEDDED_WATERMARK = {
  text: 'EMBEDDED BROKER — NOT KAFKA',
  xref: 'paper',
  yref: 'paper',
  x: 0.5,
  y: 0.5,
  showarrow: false,
  textangle: -20,
  font: { size: 40, color: 'rgba(180,0,0,0.10)' },
};

/** Plotly's own colour sequence: a client count keeps its colour across traces (p50 and p99 of one count match). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The legend's title: what a curve stands for. */
function legendTitle(records: readonly PointRecord[]): string {
  const split = splittingKeys(aggregateRepeats(records).filter(isOk)).map((k) => (k === 'msg_batch' ? 'batch' : k));
  return ['clients', ...split].join(', ');
}

/**
 * Line widths that shrink from the first curve to the last, so a curve drawn exactly over another
 * (two client counts with equal rates) leaves the one beneath visible as a rim.
 */
function lineWidth(index: number, count: number): number {
  return Math.min(8, 2 + 1.5 * (count - 1 - index));
}

/** Harness-limited points get an open cross instead of a dot, explained in the figure's note. */
const LIMITED_SYMBOL = 'x-open';

/** Every figure of a point in its hover text, the verdict first. */
function hoverText(record: PointRecord, result: PointResult): string {
  const verdict =
    result.verdict === 'harness_limited'
      ? `<b>HARNESS-LIMITED</b>: ${result.harness_notes.join('<br>')}`
      : result.embedded_broker
        ? "verdict: no harness limit reached — on hydra's embedded broker: a rehearsal, not a measurement of Kafka"
        : result.kafka_notes?.length
          ? `verdict: a measurement of Kafka — <b>${result.kafka_notes.join('<br>')}</b>`
          : 'verdict: a measurement of Kafka';
  const fields = Object.entries(result)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}: ${Number.isInteger(v) ? v : (v as number).toFixed(3)}`);
  return [verdict, ...result.figure_notes, `rate ${record.params.msg_rate} msg/s, batch ${record.params.msg_batch}`, ...fields].join('<br>');
}

/** Markers and hover text of a curve's points: harness-limited ones stand out, every point's verdict and figures on hover. */
function pointStyle(pts: readonly { record: PointRecord; result: PointResult }[], color?: string): Partial<PlotTrace> {
  return {
    marker: {
      ...(color ? { color } : {}),
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
const TX_RATE: XAxis = { title: 'Average Tx Rate [msg/s]', x: (p) => p.result.average_tx_rate };

/** Bytes per message of a point (values only: keys and Kafka's record overhead are not counted). */
export function msgSizeOf(r: PointRecord): number {
  return Number(paramOf(r, 'msg_size'));
}

export function curveFigure(
  records: readonly PointRecord[],
  context: FigureContext,
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
  const series = seriesByClientCount(records);
  const data: PlotTrace[] = series.map((s, i) => {
    const pts = s.points.filter((p) => y(p.result, p.record) !== null);
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: s.name,
      x: pts.map(xAxis.x),
      y: pts.map((p) => y(p.result, p.record) as number),
      // Straight lines between measured points: a smoothed curve would show values never measured.
      line: { shape: 'linear', color: PALETTE[i % PALETTE.length], width: lineWidth(i, series.length) },
      ...pointStyle(pts, PALETTE[i % PALETTE.length]),
      ...errorBars(pts.map((p) => p.record)),
      // A lossless point sits on the x axis: drawn whole over it, not half hidden under it.
      cliponaxis: false,
    };
  });
  return { data, layout: baseLayout(title, xAxis.title, yTitle, records, context, legendTitle(records)) };
}

/** The line a lossless client follows in the Rx/Tx figure: received rate = sent rate. */
function equalRatesTrace(data: readonly PlotTrace[]): PlotTrace | null {
  const top = Math.max(0, ...data.flatMap((t) => [...t.x, ...t.y]));
  if (top <= 0) return null;
  return {
    type: 'scatter',
    mode: 'lines',
    name: 'Rx = Tx (nothing lost)',
    x: [0, top],
    y: [0, top],
    line: { shape: 'linear', dash: 'dot', color: '#999', width: 1.5 },
    hovertemplate: 'Rx = Tx<extra></extra>',
  };
}

/** HYDRA plot 1: subscribers' mean receive rate against the publisher's rate, with the Rx = Tx line a lossless client follows. */
export function rxTxFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  // With several topics a client reads its topic's share: against that share, Rx = Tx still means it kept up.
  const perTopic = records.some((r) => Number(paramOf(r, 'topics')) > 1);
  const xAxis: XAxis = perTopic
    ? { title: 'Average Tx Rate per topic [msg/s]', x: (p) => p.result.average_tx_rate / Number(paramOf(p.record, 'topics')) }
    : TX_RATE;
  const fig = curveFigure(records, context, 'Average Client Rate', 'Average Rx Rate [msg/s]', (r) => r.average_rate, 'average_rate', xAxis);
  const reference = equalRatesTrace(fig.data);
  return reference ? { ...fig, data: [...fig.data, reference] } : fig;
}

/**
 * Plot 1 in bytes: a client's mean receive throughput against the publisher's, MB/s of message
 * values (10^6 bytes), for studies whose message sizes differ — msg/s alone hides that a larger
 * record moves more data at a lower message rate.
 */
export function throughputFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  const mb = (msgs: number, record: PointRecord): number => (msgs * msgSizeOf(record)) / 1e6;
  const fig = curveFigure(records, context, 'Average Client Throughput', 'Average Rx Throughput [MB/s]', (r, record) => mb(r.average_rate, record), undefined, {
    title: 'Average Tx Throughput [MB/s]',
    x: (p) => mb(p.result.average_tx_rate, p.record),
  });
  const reference = equalRatesTrace(fig.data);
  return reference ? { ...fig, data: [...fig.data, reference] } : fig;
}

/** HYDRA plot 2: mean packet loss against the publisher's rate. */
export function lossFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  return curveFigure(records, context, 'Average Packet Loss', 'Average Packet Loss [%]', (r) => r.average_packet_loss, 'average_packet_loss');
}

/**
 * HYDRA plot 3: the mean receive rate of the clients that failed (received less than was sent);
 * points without failing clients are left out, as in HYDRA. The y axis is a message rate of those
 * clients, not a count of them: the count is in each point's hover text.
 */
export function failingClientsFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  const fig = curveFigure(records, context, 'Failing Clients Rate', "Failing clients' mean Rx rate [msg/s]", (r) =>
    r.failing_clients > 0 ? r.failing_clients_rate : null,
  );
  if (fig.data.every((t) => t.x.length === 0)) {
    // Empty axes read like a bug or a scale of something: no axes, no legend, just why it is empty.
    const measured = records.filter((r) => isOk(r) && !isFaulted(r)).length;
    (fig.layout.annotations as unknown[]).push({
      text: measured ? `No client failed in any of the ${measured} points:<br>every client received every message sent` : 'No steady-state point to draw',
      xref: 'paper',
      yref: 'paper',
      x: 0.5,
      y: 0.5,
      showarrow: false,
      font: { size: 18, color: '#555' },
    });
    fig.layout.xaxis = { visible: false };
    fig.layout.yaxis = { visible: false };
    fig.layout.showlegend = false;
  }
  return fig;
}

/**
 * End-to-end latency p50 (solid) and p99 (dashed) per client count, one colour per count. On the
 * embedded broker a fetch answers only when its long-poll expires, so the floor of these curves is
 * that wait (consumer_max_wait_ms), not Kafka's latency: the figure says so.
 */
export function latencyFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  const data: PlotTrace[] = [];
  const series = seriesByClientCount(records);
  for (const [i, s] of series.entries()) {
    const color = PALETTE[i % PALETTE.length];
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
        line: { shape: 'linear', dash, color, width: lineWidth(i, series.length) },
        ...pointStyle(pts, color),
      });
    }
  }
  const waits = distinct(records.map((r) => paramOf(r, 'consumer_max_wait_ms')));
  const floor = onEmbeddedBroker(records, context)
    ? [
        `the embedded broker answers a fetch only when its ${waits.join('/')} ms long-poll (consumer_max_wait_ms) expires: that wait, not Kafka, shapes these latencies`,
      ]
    : [];
  return {
    data,
    layout: baseLayout('End-to-End Latency', 'Average Tx Rate [msg/s]', 'Latency [ms]', records, context, `${legendTitle(records)}, percentile`, floor),
  };
}

/** kafkarate: maximum rate and no-drop rate per client count. */
export function rateBoundaryFigure(findings: readonly RateFinding[], records: readonly PointRecord[] = [], context: FigureContext = {}): Figure {
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
  const boundaryTitle = titleBlock('Rate Boundaries per Client Count', records, context);
  return {
    data: [
      trace('max rate', (f) => (f.limited_by ? null : f.max_rate), 'solid'),
      trace('no-drop rate (▲ lower bound: harness-limited)', (f) => f.no_drop_rate, 'dash'),
    ],
    layout: {
      title: boundaryTitle,
      xaxis: { title: { text: 'Client Count' }, rangemode: 'tozero', automargin: true },
      yaxis: { title: { text: 'Tx Rate [msg/s]' }, rangemode: 'tozero', automargin: true },
      legend: { title: { text: 'rate' } },
      font: { size: 14 },
      margin: { t: topMargin(boundaryTitle), b: 70 },
      annotations: onEmbeddedBroker(records, context) ? [EMBEDDED_WATERMARK] : [],
    },
  };
}
