import { cellText, EXPORT_COLUMNS, sortPoints } from '../present/columns';
import { findingNote } from '../present/findings';
import type { PointRecord } from '../study/record';
import type { RateFinding, StudySpec } from '../study/spec';
import { studyFigures } from './figures';
import { escapeHtml, figureSnippet, htmlPage } from './html';

const cell = (v: unknown): string => escapeHtml(typeof v === 'object' && v !== null ? JSON.stringify(v) : cellText(v, 3));

function table(header: readonly string[], rows: readonly unknown[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** One self-contained page: the study's parameters, a table of its points and all its figures. */
export function studyReportHtml(spec: StudySpec, points: readonly PointRecord[], findings: readonly RateFinding[] = []): string {
  const params: [string, unknown][] = [
    ['study', spec.id],
    ['kind', spec.kind],
    ['status', spec.status],
    ['created', spec.created_at],
    ['client counts', spec.grid.client_counts.join(', ')],
    ['message rates [msg/s]', spec.grid.msg_rates.join(', ')],
    ['batch sizes', spec.grid.msg_batches.join(', ')],
    ['brokers', spec.brokers.join(', ') || '-'],
    ...Object.entries(spec.options).filter(([k]) => !['brokers'].includes(k)),
    ...Object.entries(spec.versions).map(([k, v]) => [`version: ${k}`, v] as [string, unknown]),
    ...(spec.search ? Object.entries(spec.search).map(([k, v]) => [`search: ${k}`, v] as [string, unknown]) : []),
  ];
  const pointRows = sortPoints(points).map((p) => EXPORT_COLUMNS.map((c) => c.value(p)));
  const figures = studyFigures(points, findings);
  const body = [
    `<h1>hydra study ${escapeHtml(spec.id)}</h1>`,
    '<h2>Parameters</h2>',
    table(
      ['parameter', 'value'],
      params.map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
    ),
    ...(findings.length
      ? [
          '<h2>Rate boundaries</h2>',
          table(
            ['client_count', 'max_rate', 'max_rx_rate', 'no_drop_rate', 'steps', 'note'],
            findings.map((f) => [f.client_count, f.max_rate, f.max_rx_rate, f.no_drop_rate, f.steps, findingNote(f)]),
          ),
        ]
      : []),
    `<h2>Points (${points.length})</h2>`,
    table(
      EXPORT_COLUMNS.map((c) => c.id),
      pointRows,
    ),
    '<h2>Figures</h2>',
    ...Object.entries(figures).map(([id, fig]) => figureSnippet(id, fig)),
  ].join('\n');
  return htmlPage(`hydra study ${spec.id}`, body);
}
