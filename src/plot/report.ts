import { DEFAULT_OPTIONS, type HydraOptions } from '../config/options';
import { cellText, EXPORT_COLUMNS, sortPoints, TABLE_COLUMNS, workloadColumns, type PointColumn } from '../present/columns';
import { findingNote } from '../present/findings';
import { summarySentences } from '../present/summary';
import { remediesFor } from '../present/verdict';
import { EMBEDDED_TABLE_NOTE } from '../present/table';
import { isEmbeddedStudy } from '../present/study';
import type { PointRecord } from '../study/record';
import type { RateFinding, StudySpec } from '../study/spec';
import { contextLine, type FigureContext } from './figures';
import { studyFigures } from './study-figures';
import { escapeHtml, figureSnippet, htmlPage } from './html';

const cell = (v: unknown): string => escapeHtml(typeof v === 'object' && v !== null ? JSON.stringify(v) : cellText(v, 3));

function table(header: readonly string[], rows: readonly unknown[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Options the study set to something other than hydra's default: what qualifies its numbers (a local run's Kubernetes and TLS fields are not among them). */
function changedOptions(options: HydraOptions): [string, unknown][] {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  return Object.entries(options).filter(([k, v]) => k !== 'brokers' && !same(v, (DEFAULT_OPTIONS as unknown as Record<string, unknown>)[k]));
}

/** The points table a reader scans: client count, workload, rate, then loss, rates, failing clients, latency and the verdict. */
function mainColumns(points: readonly PointRecord[]): PointColumn[] {
  const pick = (id: string): PointColumn => TABLE_COLUMNS.find((c) => c.id === id) as PointColumn;
  return [
    pick('client_count'),
    pick('msg_batch'),
    ...workloadColumns(points),
    pick('msg_rate'),
    pick('status'),
    pick('average_packet_loss'),
    pick('average_rate'),
    pick('average_tx_rate'),
    pick('failing_clients'),
    pick('latency_p50_ms'),
    pick('latency_p99_ms'),
    pick('verdict'),
  ];
}

const REPORT_STYLE =
  '.banner{background:#fde8e8;border:1px solid #d99;padding:8px 12px;margin:8px 0;font-weight:600;color:#900}' +
  '.context{color:#555;margin:4px 0 12px}.summary li{margin:3px 0}details{margin:12px 0}summary{cursor:pointer;font-weight:600}';

/**
 * One self-contained page that opens with what a reader wants in ten seconds — per client count,
 * the highest rate with no loss, where loss starts, how many points hydra held back — then the
 * figures, the main columns of the points, and what the study set (everything else folded away).
 */
export function studyReportHtml(spec: StudySpec, points: readonly PointRecord[], findings: readonly RateFinding[] = []): string {
  const context: FigureContext = { study: spec.id, brokers: spec.options.brokers };
  const embedded = isEmbeddedStudy(spec);
  const sentences = summarySentences(points);
  const count = (pick: (p: PointRecord) => boolean): number => points.filter(pick).length;
  const limited = count((p) => p.status === 'ok' && p.result.verdict === 'harness_limited');
  // On the embedded broker nothing measures Kafka: a point without a limit of hydra's just ran clean.
  const measuredWord = embedded ? 'ran clean (hydra was not the limit)' : 'measured Kafka';
  const invalid = count((p) => p.status === 'invalid');
  const failed = count((p) => p.status === 'failed');
  const faulted = count((p) => p.fault !== undefined);
  const tally = [
    `${points.length} point${points.length === 1 ? '' : 's'}: ${points.length - limited - invalid - failed} ${measuredWord}`,
    ...(limited ? [`${limited} harness-limited (hydra, not Kafka, was the limit)`] : []),
    ...(invalid ? [`${invalid} invalid (harness fault)`] : []),
    ...(failed ? [`${failed} failed`] : []),
    ...(faulted ? [`${faulted} through planned faults (not in the steady-state curves)`] : []),
  ].join(', ');
  const remedies = remediesFor(points);
  const params: [string, unknown][] = [
    ['study', spec.id],
    ['kind', spec.kind],
    ['status', spec.status],
    ['created', spec.created_at],
    ['client counts', spec.grid.client_counts.join(', ')],
    ['message rates [msg/s]', spec.grid.msg_rates.join(', ')],
    ['batch sizes', spec.grid.msg_batches.join(', ')],
    ['brokers', embedded ? "hydra's embedded broker" : spec.options.brokers.join(', ')],
    ...changedOptions(spec.options),
    ...Object.entries(spec.versions).map(([k, v]) => [`version: ${k}`, v] as [string, unknown]),
    ...(spec.search ? Object.entries(spec.search).map(([k, v]) => [`search: ${k}`, v] as [string, unknown]) : []),
  ];
  const sorted = sortPoints(points);
  const main = mainColumns(points);
  const figures = studyFigures(points, findings, context);
  const body = [
    `<h1>hydra study ${escapeHtml(spec.id)}</h1>`,
    embedded ? `<div class="banner">${escapeHtml(EMBEDDED_TABLE_NOTE.replace(/^rehearsal: measured/, 'Measured'))}</div>` : '',
    `<div class="context">${escapeHtml(contextLine(points, context))}</div>`,
    '<h2>Summary</h2>',
    `<ul class="summary">${[...sentences, tally].map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`,
    ...(remedies.length ? ['<h3>What to do</h3>', `<ul class="remedies">${remedies.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`] : []),
    ...(findings.length
      ? [
          '<h3>Rate boundaries (kafkarate)</h3>',
          table(
            ['client_count', 'max_rate', 'max_rx_rate', 'no_drop_rate', 'steps', 'note'],
            findings.map((f) => [f.client_count, f.max_rate, f.max_rx_rate, f.no_drop_rate, f.steps, findingNote(f)]),
          ),
        ]
      : []),
    '<h2>Figures</h2>',
    ...Object.entries(figures).map(([id, fig]) => figureSnippet(id, fig)),
    `<h2>Points (${points.length})</h2>`,
    table(
      main.map((c) => c.header),
      sorted.map((p) => main.map((c) => c.value(p))),
    ),
    '<details><summary>Every column of every point</summary>',
    table(
      EXPORT_COLUMNS.map((c) => c.id),
      sorted.map((p) => EXPORT_COLUMNS.map((c) => c.value(p))),
    ),
    '</details>',
    '<h2>What the study set</h2>',
    '<p class="context">Options that differ from hydra\'s defaults, the grid, the brokers and the versions.</p>',
    table(
      ['parameter', 'value'],
      params.map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
    ),
    '<details><summary>Every option</summary>',
    table(
      ['option', 'value'],
      Object.entries(spec.options).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
    ),
    '</details>',
  ]
    .filter(Boolean)
    .join('\n');
  return htmlPage(`hydra study ${spec.id}`, body, REPORT_STYLE);
}
