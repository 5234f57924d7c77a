/**
 * The script of `hydra serve`'s two pages, run in the browser: it asks the server for the page's
 * data every few seconds and redraws what changed, so a running study's new points appear
 * without a reload. Compiled for the browser (tsconfig.json here: the DOM, no Node), served as
 * /pages.js; the page says which it is, and what it needs, in its body's data attributes.
 */
import type { ListedStudyRow, PageFigure, StudyListReply, StudyPageReply, StudyProgress } from '../api';

/** plotly.js, loaded by the study page before this script. */
declare const Plotly: {
  react(div: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
};

/** Text made safe for innerHTML. */
function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Seconds as m:ss, or h..m beyond an hour. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

function progressText(p: StudyProgress): string {
  const count = `${p.stored}${p.planned !== null ? `/${p.planned}` : ''} points`;
  if (p.state === 'running') return `<span class="running">running</span> ${count}${p.eta_s !== null ? `, ETA ${duration(p.eta_s)}` : ''}`;
  if (p.state === 'interrupted') return `<span class="interrupted">interrupted</span> ${count} (hydra study resume)`;
  return `done, ${p.stored} points`;
}

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

async function fetchJson<T>(url: string): Promise<T | null> {
  const res = await fetch(url);
  return res.ok ? ((await res.json()) as T) : null;
}

function studyRow(s: ListedStudyRow): string {
  const broker = s.broker === 'embedded' ? 'embedded (a rehearsal, not Kafka)' : esc(s.broker);
  const counts = [s.points, s.measured, s.harness_limited, s.invalid, s.failed].map((n) => `<td>${n}</td>`).join('');
  return `<tr data-study="${esc(s.id)}"><td class="l"><a href="/study/${encodeURIComponent(s.id)}">${esc(s.id)}</a></td><td class="l">${esc(s.kind)}</td><td class="l">${progressText(s.progress)}</td>${counts}<td class="l">${broker}</td><td class="l">${esc(s.created_at)}</td></tr>`;
}

/** `/`: the studies under the results directory, refreshed in place. */
async function refreshList(): Promise<void> {
  const list = await fetchJson<StudyListReply>('/api/studies');
  if (!list) return;
  element('empty').hidden = list.length > 0;
  const body = document.querySelector('#studies tbody');
  if (body)
    body.innerHTML = list
      .map((s) =>
        'error' in s
          ? `<tr data-study="${esc(s.id)}"><td class="l">${esc(s.id)}</td><td class="l" colspan="9">unreadable: ${esc(s.error)}</td></tr>`
          : studyRow(s),
      )
      .join('');
}

/** `/study/<id>`: progress, summary, points table, exports and figures, redrawn as points land. */
function studyRefresher(id: string): () => Promise<void> {
  let shown = '';
  return async () => {
    const s = await fetchJson<StudyPageReply>(`/api/study/${encodeURIComponent(id)}`);
    if (!s) return;
    element('progress').innerHTML = progressText(s.progress);
    const stamp = `${s.table.rows.length}/${s.progress.state}`;
    if (stamp === shown) return;
    shown = stamp;
    element('count').textContent = String(s.table.rows.length);
    element('summary').innerHTML = s.sentences.map((t) => `<li>${esc(t)}</li>`).join('');
    const head = document.querySelector('#points thead');
    const rows = document.querySelector('#points tbody');
    if (head) head.innerHTML = `<tr>${s.table.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
    if (rows) rows.innerHTML = s.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
    element('exports').innerHTML =
      s.exports.map((f) => `<li><a href="/files/${encodeURIComponent(id)}/${encodeURIComponent(f)}">${esc(f)}</a></li>`).join('') ||
      `<li class="muted">none yet (hydra report ${esc(id)}, hydra plot ${esc(id)})</li>`;
    for (const [name, figure] of Object.entries(s.figures)) await draw(name, figure);
  };
}

/** Draws a figure into its own div, made the first time it is seen. */
async function draw(name: string, figure: PageFigure): Promise<void> {
  let div = document.getElementById(`fig-${name}`);
  if (!div) {
    div = document.createElement('div');
    div.id = `fig-${name}`;
    div.className = 'hydra-figure';
    div.style.height = '480px';
    element('figures').appendChild(div);
  }
  await Plotly.react(div, figure.data, figure.layout, { responsive: true, displaylogo: false });
}

function start(): void {
  const { page, study, pollMs } = document.body.dataset;
  const refresh = page === 'study' && study !== undefined ? studyRefresher(study) : refreshList;
  const tick = (): void => {
    refresh().catch(() => undefined);
  };
  tick();
  setInterval(tick, Number(pollMs ?? 1500));
}

start();
