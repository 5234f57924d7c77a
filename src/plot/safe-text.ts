import type { Figure } from './figures';

/**
 * Plotly renders a little HTML in a figure's text — titles, legends, hover text, annotations —
 * and turns `<a href>` into a live link. Stored text that reaches a figure (a fault as written, a
 * broker's name, a workload, an edited study) must show as text. hydra's own figures use only the
 * tags below; every other `<` in a figure's strings is escaped, so Plotly shows it as written.
 */
const OWN_TAG = /^<(br|b|\/b|i|\/i|sup|\/sup|sub|\/sub|\/span|span style="color:#[0-9a-fA-F]{3,6}")>$/;

/** `text` with every `<` that does not begin one of hydra's own tags escaped (`&lt;`, which Plotly shows as `<`). */
export function plotText(text: string): string {
  return text.replace(/<[^<>]*>?/g, (tag) => (OWN_TAG.test(tag) ? tag : `&lt;${tag.slice(1)}`));
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return plotText(value);
  if (Array.isArray(value)) return value.map(safeValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeValue(v)]));
  return value;
}

/** The figure with every string in it made safe (plotText): what every way out of hydra draws (pages, reports, images). */
export function safeFigure(figure: Figure): Figure {
  return { data: safeValue(figure.data) as Figure['data'], layout: safeValue(figure.layout) as Figure['layout'] };
}
