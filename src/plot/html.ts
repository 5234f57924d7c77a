import * as fs from 'node:fs';
import type { Figure } from './figures';
import { safeFigure } from './safe-text';

let plotlySource: string | undefined;

/**
 * Path of the minified plotly.js bundle (plotly.js-dist-min, the same library as plotly.js-dist):
 * HTML exports inline it, and the minified bundle keeps them under 5 MB instead of 10.
 */
export function plotlyPath(): string {
  return require.resolve('plotly.js-dist-min');
}

/** The plotly.js bundle, read once: HTML exports inline it so they open offline. */
export function plotlyScript(): string {
  plotlySource ??= fs.readFileSync(plotlyPath(), 'utf8');
  return plotlySource;
}

/** JSON that is safe inside an inline <script>. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A div and the script that draws `figure` into it; needs plotly.js loaded on the page. */
export function figureSnippet(id: string, unsafe: Figure, size: { width?: number; height?: number } = {}): string {
  const figure = safeFigure(unsafe);
  const style = `width:${size.width ? `${size.width}px` : '100%'};height:${size.height ?? 480}px`;
  return `<div id="${escapeHtml(id)}" class="hydra-figure" style="${style}"></div>\n<script>Plotly.newPlot(${scriptJson(id)}, ${scriptJson(figure.data)}, ${scriptJson(figure.layout)}, {responsive: true, displaylogo: false});</script>`;
}

/** `<script>` with plotly.js inlined. */
export function plotlyScriptTag(): string {
  return `<script>${plotlyScript()}</script>`;
}

/** A complete, self-contained HTML page: plotly.js inlined once, then `body`. */
export function htmlPage(title: string, body: string, style = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}${style}</style>
${plotlyScriptTag()}
</head>
<body>
${body}
</body>
</html>
`;
}

/** One page with every figure. */
export function figuresPage(title: string, figures: Record<string, Figure>): string {
  const body = [`<h1>${escapeHtml(title)}</h1>`, ...Object.entries(figures).map(([id, fig]) => figureSnippet(id, fig))].join('\n');
  return htmlPage(title, body);
}
