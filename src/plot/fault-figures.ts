import { brokerName } from '../broker-metrics/verdict';
import type { FaultRecord } from '../faults/figures';
import { pointName } from '../present/point-name';
import type { PointRecord } from '../study/record';
import { EMBEDDED_WATERMARK, onEmbeddedBroker, PALETTE, titleBlock, topMargin, type Figure, type FigureContext, type PlotTrace } from './figures';

/**
 * The figures of points measured through planned faults, apart from the steady-state curves:
 * each point's per-client delivery over time across its faults, and recovery (with the longest
 * gap) against client count or rate when a study has several.
 */

/** Delivery figures drawn at most (one per faulted point, in the study's order). */
export const MAX_DELIVERY_FIGURES = 8;

type FaultedRecord = PointRecord & { fault: FaultRecord };

function faulted(records: readonly PointRecord[]): FaultedRecord[] {
  return records.filter((r): r is FaultedRecord => r.status === 'ok' && r.fault !== undefined);
}

/** Each fault shaded from its start to its end (red where it did not go as planned), across the plot. */
function faultBands(f: FaultRecord): Record<string, unknown>[] {
  return f.events.map((e) => ({
    type: 'rect',
    xref: 'x',
    yref: 'paper',
    x0: e.from_s,
    // A kill is a moment: drawn as a thin band.
    x1: Math.max(e.to_s ?? e.from_s, e.from_s + 0.05),
    y0: 0,
    y1: 1,
    fillcolor: e.error ? 'rgba(200,0,0,0.15)' : 'rgba(120,120,120,0.18)',
    line: { width: 0 },
  }));
}

const seconds = (ms: number | null): string => (ms === null ? 'not recovered' : `${(ms / 1000).toFixed(2)} s`);

/** One point: each client's receive rate over time, the faults shaded, the asked rate dotted. */
export function faultDeliveryFigure(record: FaultedRecord, context: FigureContext = {}): Figure {
  const f = record.fault;
  const { step_ms: stepMs, start_s: startS } = f.delivery;
  const killed = new Set(f.clients.filter((c) => c.killed).map((c) => c.client_id));
  const data: PlotTrace[] = f.delivery.clients.map((c, i) => ({
    type: 'scatter',
    mode: 'lines',
    name: killed.has(c.client_id) ? `${c.client_id} (killed)` : c.client_id,
    x: c.rates.map((_, k) => Number((startS + ((k + 0.5) * stepMs) / 1000).toFixed(3))),
    y: c.rates,
    line: { shape: 'linear', color: PALETTE[i % PALETTE.length], width: 1.5, ...(killed.has(c.client_id) ? { dash: 'dash' as const } : {}) },
    hovertemplate: `${c.client_id}: %{y} msg/s at %{x} s<extra></extra>`,
  }));
  const last = data.reduce((m, t) => Math.max(m, ...t.x), 0);
  data.push({
    type: 'scatter',
    mode: 'lines',
    // A shared group's members divide the stream: the rate asked is what they get between them.
    name: record.params.consumer_group === 'shared' ? 'rate asked (the group’s total)' : 'rate asked',
    x: [0, last],
    y: [record.params.msg_rate, record.params.msg_rate],
    line: { shape: 'linear', dash: 'dot', color: '#999', width: 1 },
    hovertemplate: `rate asked: ${record.params.msg_rate} msg/s<extra></extra>`,
  });
  const shapes = faultBands(f);
  const labels = f.events.map((e, i) => ({
    text: `${e.fault}${e.error ? ' (NOT AS PLANNED)' : ''}`,
    xref: 'x',
    yref: 'paper',
    x: e.from_s,
    y: 1 - i * 0.06,
    xanchor: 'left',
    yanchor: 'top',
    showarrow: false,
    font: { size: 11, color: '#444' },
  }));
  // After a freeze the clients read what piled up at once: a peak above the rate asked is that
  // backlog, not extra messages. Each client's share is the rate asked (a fan-out) or a part of it.
  const peak = Math.max(0, ...f.delivery.clients.flatMap((c) => c.rates));
  const share =
    record.params.consumer_group === 'shared' ? record.params.msg_rate / Math.max(1, f.clients.filter((c) => !c.killed).length) : record.params.msg_rate;
  const catchUp =
    peak > 1.2 * share
      ? `above the rate asked (up to ${Math.round(peak)} msg/s): the clients catching up on the backlog the fault held back — the same messages, read late, not extra ones`
      : '';
  const notes = [
    `${record.result?.lost_total === 0 ? 'nothing lost; ' : record.result ? `${record.result.lost_total} messages lost; ` : ''}longest gap ${seconds(f.longest_gap_ms)}; recovery ${seconds(f.recovery_ms)}${f.not_recovered ? ` (${f.not_recovered} clients not recovered)` : ''}${f.rebalances ? `; ${f.rebalances} rebalance(s), longest ${seconds(f.rebalance_max_ms)}` : ''}`,
    f.delivery.clients.length < f.clients.length ? `${f.delivery.clients.length} of ${f.clients.length} clients drawn` : '',
    'shaded: the fault, from its start to its end; recovery: from its end until the clients were back at the rate (as fresh as before it, for 2 s)',
    catchUp,
  ].filter(Boolean);
  const title = titleBlock(`Delivery through the fault — ${pointName(record.params)}`, [record], context, notes, true);
  return {
    data,
    layout: {
      title,
      xaxis: { title: { text: 'Time from the start of the measuring window [s]' }, automargin: true },
      yaxis: { title: { text: 'Received [msg/s]' }, rangemode: 'tozero', automargin: true },
      legend: { title: { text: 'client' } },
      font: { size: 14 },
      margin: { t: topMargin(title), b: 70 },
      shapes,
      annotations: [...labels, ...(onEmbeddedBroker([record], context) ? [EMBEDDED_WATERMARK] : [])],
    },
  };
}

/**
 * Recovery and the longest gap against client count (or against the rate, when the faulted
 * points share one client count), a curve per schedule and rate (or client count). A point whose
 * clients had not all recovered is drawn as an open cross at its longest gap, named so.
 */
export function faultRecoveryFigure(records: readonly PointRecord[], context: FigureContext = {}): Figure {
  const points = faulted(records);
  const clients = (r: PointRecord): number => r.params.total_sub_apps * r.params.clients_per_app;
  const byClients = new Set(points.map(clients)).size > 1;
  const x = (r: PointRecord): number => (byClients ? clients(r) : r.params.msg_rate);
  const groupOf = (r: FaultedRecord): string => `${r.fault.schedule.join('; ')}${byClients ? `, ${r.params.msg_rate} msg/s` : `, ${clients(r)} clients`}`;
  const groups = [...new Set(points.map(groupOf))];
  const data: PlotTrace[] = groups.flatMap((g, i) => {
    const pts = points.filter((r) => groupOf(r) === g).sort((a, b) => x(a) - x(b));
    const color = PALETTE[i % PALETTE.length] as string;
    const gapColor = groups.length === 1 ? '#777' : color;
    const recovered = pts.filter((r) => r.fault.recovery_ms !== null);
    const stuck = pts.filter((r) => r.fault.recovery_ms === null);
    const traces: PlotTrace[] = [
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: `recovery: ${g}`,
        legendgroup: g,
        x: recovered.map(x),
        y: recovered.map((r) => (r.fault.recovery_ms as number) / 1000),
        line: { shape: 'linear', color, width: 2 },
        marker: { symbol: 'circle', size: 9, color },
        hovertemplate: 'recovery %{y:.2f} s<extra></extra>',
      },
      {
        // Told apart from the recovery at a glance, even as single points: another shape, and grey
        // when there is one curve (with several, the curve's colour keeps the pair together).
        type: 'scatter',
        mode: 'lines+markers',
        name: `longest gap: ${g}`,
        legendgroup: g,
        x: pts.map(x),
        y: pts.map((r) => r.fault.longest_gap_ms / 1000),
        line: { shape: 'linear', color: gapColor, width: 1, dash: 'dash' },
        marker: { symbol: 'diamond-open', size: 11, color: gapColor },
        hovertemplate: 'longest gap %{y:.2f} s<extra></extra>',
      },
    ];
    if (stuck.length)
      traces.push({
        type: 'scatter',
        mode: 'markers',
        name: `not recovered by the point's end: ${g}`,
        legendgroup: g,
        x: stuck.map(x),
        y: stuck.map((r) => r.fault.longest_gap_ms / 1000),
        marker: { symbol: 'x-open', size: 12, color },
        hovertemplate: 'not recovered by the end of the point<extra></extra>',
      });
    return traces;
  });
  const title = titleBlock(
    'Recovery from Planned Faults',
    points,
    context,
    [
      'recovery (●): from the fault’s end until a client was back at the rate, as fresh as before it for 2 s (slowest client); longest gap (◇, dashed): longest time a client got nothing',
    ],
    true,
  );
  return {
    data,
    layout: {
      title,
      xaxis: { title: { text: byClients ? 'Client Count' : 'Tx Rate [msg/s]' }, rangemode: 'tozero', automargin: true },
      yaxis: { title: { text: 'Time [s]' }, rangemode: 'tozero', automargin: true },
      legend: { title: { text: 'fault' } },
      font: { size: 14 },
      margin: { t: topMargin(title), b: 70 },
      annotations: onEmbeddedBroker(points, context) ? [EMBEDDED_WATERMARK] : [],
    },
  };
}

/**
 * One faulted point's brokers over time, beside its delivery figure: each broker's request handlers
 * busy (solid, left axis) and produce p99 inside it (dotted, right axis), scrape by scrape, the
 * faults shaded on the same time axis. null when the point has no broker series.
 */
export function faultBrokerFigure(record: FaultedRecord, context: FigureContext = {}): Figure | null {
  const brokers = (record.broker?.brokers ?? []).filter((b) => (b.series ?? []).length > 0);
  if (brokers.length === 0) return null;
  const f = record.fault;
  const windowStart = Date.parse(f.window_start);
  const at = (ms: number): number => Number(((ms - windowStart) / 1000).toFixed(3));
  const data: PlotTrace[] = brokers.flatMap((b, i): PlotTrace[] => {
    const series = b.series ?? [];
    const color = PALETTE[i % PALETTE.length] as string;
    const name = brokerName(b, record.broker?.brokers.indexOf(b) ?? i);
    const busy = series.filter((s) => s.handler_busy_pct !== null);
    const p99 = series.filter((s) => s.produce_total_p99_ms !== null);
    return [
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: `${name}: request handlers busy`,
        x: busy.map((s) => at(s.at_ms)),
        y: busy.map((s) => s.handler_busy_pct as number),
        line: { shape: 'linear', color, width: 2 },
        hovertemplate: `${name}: handlers %{y} % busy at %{x} s<extra></extra>`,
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: `${name}: produce p99 in the broker`,
        x: p99.map((s) => at(s.at_ms)),
        y: p99.map((s) => s.produce_total_p99_ms as number),
        yaxis: 'y2',
        line: { shape: 'linear', color, width: 1.5, dash: 'dot' },
        hovertemplate: `${name}: produce p99 %{y} ms at %{x} s<extra></extra>`,
      },
    ];
  });
  const shapes = faultBands(f);
  const title = titleBlock(
    `The Brokers Through the Fault — ${pointName(record.params)}`,
    [record],
    context,
    ['scraped once a second: handlers busy since the scrape before (solid, left), produce request p99 inside the broker (dotted, right); shaded: the fault'],
    true,
  );
  return {
    data,
    layout: {
      title,
      xaxis: { title: { text: 'Time from the start of the measuring window [s]' }, automargin: true },
      yaxis: { title: { text: 'Request handlers busy [%]' }, range: [0, 100], automargin: true },
      yaxis2: { title: { text: 'Produce p99 in the broker [ms]' }, overlaying: 'y', side: 'right', rangemode: 'tozero', automargin: true },
      legend: { title: { text: 'broker' } },
      font: { size: 14 },
      margin: { t: topMargin(title), b: 70 },
      shapes,
      annotations: onEmbeddedBroker([record], context) ? [EMBEDDED_WATERMARK] : [],
    },
  };
}

/** The fault figures of a study, keyed for file names: `fault-delivery-1`, ... and `fault-recovery` (empty without faulted points). */
export function faultFiguresOf(records: readonly PointRecord[], context: FigureContext = {}): Record<string, Figure> {
  const points = faulted(records);
  if (points.length === 0) return {};
  const figures: Record<string, Figure> = {};
  points.slice(0, MAX_DELIVERY_FIGURES).forEach((r, i) => {
    figures[`fault-delivery-${i + 1}`] = faultDeliveryFigure(r, context);
    const brokers = faultBrokerFigure(r, context);
    if (brokers) figures[`fault-brokers-${i + 1}`] = brokers;
  });
  figures['fault-recovery'] = faultRecoveryFigure(points, context);
  return figures;
}
