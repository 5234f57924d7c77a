import * as path from 'node:path';
import { escapeHtml } from '../plot/html';
import type { StudySpec } from '../study/spec';

/**
 * The HTML of `hydra serve`'s two pages: a skeleton each, filled and refreshed by the page script
 * (browser/pages.ts, served as /pages.js), which reads what it needs from the body's data
 * attributes. No inline script: the pages' policy allows scripts from the server only.
 */
export const POLL_MS = 1500;

/** The compiled page script, as the build leaves it (tsc -p src/serve/browser). */
export function pageScriptPath(): string {
  return path.resolve(__dirname, '..', '..', 'serve-browser', 'browser', 'pages.js');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.banner{background:#fde8e8;border:1px solid #d99;padding:6px 10px;color:#900;font-weight:600;margin:8px 0}
.muted{color:#666}.running{color:#060;font-weight:600}.interrupted{color:#a60}`;

function page(title: string, body: string, data: Record<string, string>, plotly = false): string {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeHtml(v)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style>
${plotly ? '<script src="/plotly.js"></script>' : ''}</head>
<body${attrs}>${body}<script type="module" src="/pages.js"></script></body></html>
`;
}

/** `/`: the studies under the results dir, with status and verdict counts, refreshed in place. */
export function listPage(resultsDir: string): string {
  const body = `<h1>hydra studies</h1><p class="muted">in ${escapeHtml(resultsDir)} — updates as studies start and points land</p>
<table id="studies"><thead><tr><th class="l">study</th><th class="l">kind</th><th class="l">status</th><th>points</th><th>measured</th><th>harness-limited</th><th>invalid</th><th>failed</th><th class="l">broker</th><th class="l">created</th></tr></thead><tbody></tbody></table>
<p id="empty" class="muted" hidden>no studies yet</p>`;
  return page('hydra studies', body, { page: 'list', 'poll-ms': String(POLL_MS) });
}

/** `/study/<id>`: parameters, progress, summary, points table, interactive figures and exports, redrawn as points land. */
export function studyPage(spec: StudySpec): string {
  const embedded = spec.options.brokers.length === 0;
  const params: [string, string][] = [
    ['kind', spec.kind],
    ['created', spec.created_at],
    ['client counts', spec.grid.client_counts.join(', ')],
    ['message rates [msg/s]', spec.kind === 'kafkarate' ? 'searched' : spec.grid.msg_rates.join(', ')],
    ['batch sizes', spec.grid.msg_batches.join(', ')],
    ['seconds per point', String(spec.options.test_duration)],
    ['clients per sub app', String(spec.options.clients_per_app)],
    ['message size [B]', String(spec.options.msg_size)],
    ['acks', String(spec.options.acks)],
    ['client', spec.options.client_library],
    ['brokers', embedded ? "hydra's embedded broker" : spec.options.brokers.join(', ')],
  ];
  const body = `<p><a href="/">← all studies</a></p><h1>hydra study ${escapeHtml(spec.id)}</h1>
${embedded ? `<div class="banner">hydra's embedded broker: a rehearsal — these numbers say nothing about Kafka</div>` : ''}
<p id="progress" class="muted"></p>
<table>${params.map(([k, v]) => `<tr><th class="l">${escapeHtml(k)}</th><td class="l">${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>Summary</h2><ul id="summary"></ul>
<h2>Figures</h2><div id="figures"></div>
<h2>Points (<span id="count">0</span>)</h2><table id="points"><thead></thead><tbody></tbody></table>
<h2>Exports</h2><ul id="exports"></ul>`;
  return page(`hydra study ${spec.id}`, body, { page: 'study', study: spec.id, 'poll-ms': String(POLL_MS) }, true);
}
