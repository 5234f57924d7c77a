import type { Comparison, ComparedStudy } from '../compare/compare';
import { differLine, nothingToCompare, significanceText, studyBroker } from '../compare/text';
import { cellText } from '../present/columns';
import {
  contextLine,
  EMBEDDED_WATERMARK,
  failingClientsFigure,
  latencyFigure,
  lossFigure,
  onEmbeddedBroker,
  PALETTE,
  rxTxFigure,
  subtitledTitle,
  topMargin,
  type Figure,
  type FigureContext,
  type PlotTrace,
} from './figures';
import { escapeHtml, figureSnippet, htmlPage } from './html';

/** A study's curves are told apart by their line: the first solid, the second dashed, ... */
const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash'] as const;

const contextOf = (s: ComparedStudy): FigureContext => ({ study: s.spec.id, brokers: s.spec.options.brokers });

/**
 * One HYDRA figure over several studies: a curve per study × client count, a client count keeping
 * its colour and a study its line style, each named "study · 4 clients" in the legend. Every
 * study's harness-limited points keep their open cross; the title names the studies and, under
 * it, each one's context and what differs between them.
 */
function compareFigure(
  studies: readonly ComparedStudy[],
  comparison: Comparison,
  title: string,
  build: (records: ComparedStudy['points'], context: FigureContext) => Figure,
  keep: (trace: PlotTrace) => boolean = (t) => !t.name.startsWith('Rx = Tx'),
  extraNotes: (embedded: boolean) => string[] = () => [],
): Figure {
  const perStudy = studies.map((s) => build(s.points, contextOf(s)));
  const clientCounts = [...new Set(perStudy.flatMap((f) => f.data.filter(keep).map((t) => Number(/^(\d+) client/.exec(t.name)?.[1] ?? 0))))].sort(
    (a, b) => a - b,
  );
  const colour = (t: PlotTrace): string => PALETTE[clientCounts.indexOf(Number(/^(\d+) client/.exec(t.name)?.[1] ?? 0)) % PALETTE.length] as string;
  const data: PlotTrace[] = perStudy.flatMap((fig, i) =>
    fig.data.filter(keep).map((t) => ({
      ...t,
      name: `${studies[i]?.spec.id ?? ''} · ${t.name}`,
      legendgroup: studies[i]?.spec.id ?? '',
      line: { ...t.line, color: colour(t), dash: DASHES[i % DASHES.length], width: 2.5 },
      marker: { ...t.marker, color: colour(t) },
    })),
  );
  // The reference a lossless client follows, once, over every study's range.
  const reference = perStudy.flatMap((f) => f.data.filter((t) => t.name.startsWith('Rx = Tx')));
  if (reference.length) {
    const top = Math.max(...reference.flatMap((t) => t.x));
    data.push({ ...(reference[0] as PlotTrace), x: [0, top], y: [0, top] });
  }
  const embedded = studies.filter((s) => onEmbeddedBroker(s.points, contextOf(s)));
  const lines = [
    ...(embedded.length
      ? [
          `<span style="color:#b00"><b>${embedded.map((s) => s.spec.id).join(', ')}: hydra's embedded broker — a rehearsal, these numbers say nothing about Kafka</b></span>`,
        ]
      : []),
    ...studies.map((s, i) => `<span style="color:#555">${DASHES[i % DASHES.length]} — ${contextLine(s.points, contextOf(s))}</span>`),
    ...(comparison.differences.length
      ? [`<span style="color:#555">differ: ${comparison.differences.map((d) => `${d.key} ${d.values.join(' | ')}`).join('; ')}</span>`]
      : []),
    ...(studies.some((s) => s.points.some((p) => p.status === 'ok' && p.result.verdict === 'harness_limited'))
      ? [`<span style="color:#a60">✕ = harness-limited: hydra, not Kafka, was the limit there (left out of the differences)</span>`]
      : []),
    ...extraNotes(embedded.length > 0).map((n) => `<span style="color:#555">${n}</span>`),
  ];
  const block = subtitledTitle(`${title} — ${studies.map((s) => s.spec.id).join(' vs ')}`, lines);
  const layout = perStudy[0]?.layout ?? {};
  return {
    data,
    layout: {
      ...layout,
      title: block,
      margin: { t: topMargin(block), b: 70 },
      legend: { title: { text: 'study · clients' } },
      annotations: embedded.length ? [EMBEDDED_WATERMARK] : [],
    },
  };
}

/** HYDRA's figures over several studies, keyed by a file-name-friendly id. */
export function compareFigures(studies: readonly ComparedStudy[], comparison: Comparison): Record<string, Figure> {
  return {
    'compare-rx-tx': compareFigure(studies, comparison, 'Average Client Rate', rxTxFigure),
    'compare-loss-tx': compareFigure(studies, comparison, 'Average Packet Loss', lossFigure),
    'compare-fail-tx': compareFigure(studies, comparison, 'Failing Clients Rate', failingClientsFigure),
    // p99 only: with two studies, p50 and p99 of each would be four styles per client count.
    'compare-latency-p99': compareFigure(
      studies,
      comparison,
      'End-to-End Latency p99',
      latencyFigure,
      (t) => t.name.endsWith(' p99'),
      (embedded) =>
        embedded
          ? ['on the embedded broker a fetch is answered only when its long-poll (consumer_max_wait_ms) expires: that wait, not Kafka, shapes these latencies']
          : [],
    ),
  };
}

const cell = (v: string): string => `<td>${escapeHtml(v)}</td>`;

/** The comparison as one self-contained page: the studies, what differs, the differences per shared point, then the figures. */
export function compareHtml(studies: readonly ComparedStudy[], comparison: Comparison): string {
  const [first, ...others] = comparison.studies;
  const head = ['point', 'field', ...comparison.studies.map((s) => s.id), ...others.flatMap((s) => [`${s.id} − ${first?.id ?? ''}`, 'significant'])];
  const rows = comparison.shared
    .filter((p) => p.excluded === null)
    .flatMap((p) =>
      p.diffs.map(
        (d) =>
          `<tr>${cell(p.name)}${cell(d.field)}${d.values.map((v, i) => cell(cellText(v, 3) + ((d.ci[i] ?? 0) > 0 ? ` ±${cellText(d.ci[i] ?? null, 3)}` : ''))).join('')}${others
            .map((_, j) => cell(d.diff[j + 1] === null ? '-' : cellText(d.diff[j + 1] ?? null, 3)) + cell(significanceText(d.significant[j + 1] ?? null)))
            .join('')}</tr>`,
      ),
    );
  const figures = compareFigures(studies, comparison);
  const body = [
    `<h1>hydra compare: ${escapeHtml(comparison.studies.map((s) => s.id).join(' vs '))}</h1>`,
    `<ul>${comparison.studies.map((s) => `<li><b>${escapeHtml(s.id)}</b>: ${escapeHtml(`${s.kind}, ${s.points} points, ${studyBroker(s)}, created ${s.created_at}`)}</li>`).join('')}</ul>`,
    `<p>${escapeHtml(differLine(comparison))}</p>`,
    '<h2>Shared points</h2>',
    rows.length
      ? `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table><p class="note">significant: the 95 % confidence intervals of the repeats do not overlap; - : no repeats, no interval.</p>`
      : `<p>${escapeHtml(nothingToCompare(comparison))}</p>`,
    ...(comparison.shared.some((p) => p.excluded === null && p.cleanRepeats.length > 0)
      ? [
          '<p class="note">Compared on clean repeats:</p><ul>',
          ...comparison.shared
            .filter((p) => p.excluded === null && p.cleanRepeats.length > 0)
            .map((p) => `<li>${escapeHtml(`${p.name}: ${p.cleanRepeats.join('; ')}`)}</li>`),
          '</ul>',
        ]
      : []),
    ...(comparison.shared.some((p) => p.excluded !== null) || comparison.unshared.length
      ? [
          '<h2>Not compared</h2><ul>',
          ...comparison.shared.filter((p) => p.excluded !== null).map((p) => `<li>${escapeHtml(`${p.name}: ${p.excluded ?? ''} (not Kafka's figures)`)}</li>`),
          ...comparison.unshared.map((u) => `<li>${escapeHtml(`only in ${u.study}: ${u.name}`)}</li>`),
          '</ul>',
        ]
      : []),
    '<h2>Figures</h2>',
    ...Object.entries(figures).map(([id, fig]) => figureSnippet(id, fig)),
  ].join('\n');
  return htmlPage(`hydra compare ${comparison.studies.map((s) => s.id).join(' vs ')}`, body, '.note{color:#555}');
}
