import { escapeHtml } from '../plot/html';
import type { StudySpec } from '../study/spec';

/**
 * The browser side of `hydra serve`: two pages of plain HTML and a small script each, no build
 * step. Each page asks the server for its data every POLL_MS and redraws what changed, so a
 * running study's new points appear without a reload.
 */
export const POLL_MS = 1500;

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.banner{background:#fde8e8;border:1px solid #d99;padding:6px 10px;color:#900;font-weight:600;margin:8px 0}
.muted{color:#666}.running{color:#060;font-weight:600}.interrupted{color:#a60}`;

function page(title: string, body: string, script: string, plotly = false): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style>
${plotly ? '<script src="/plotly.js"></script>' : ''}</head>
<body>${body}<script>${script}</script></body></html>
`;
}

/** Shared by both pages: HTML escaping and a duration in words. */
const HELPERS = `const esc=(s)=>String(s).replace(/[&<>"']/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
const dur=(s)=>{s=Math.round(s);const m=Math.floor(s/60);return m>=60?Math.floor(m/60)+'h'+String(m%60).padStart(2,'0')+'m':m+':'+String(s%60).padStart(2,'0');};
const progressText=(p)=>p.state==='running'?'<span class="running">running</span> '+p.stored+(p.planned!==null?'/'+p.planned:'')+' points'+(p.eta_s!==null?', ETA '+dur(p.eta_s):''):p.state==='interrupted'?'<span class="interrupted">interrupted</span> '+p.stored+(p.planned!==null?'/'+p.planned:'')+' points (hydra study resume)':'done, '+p.stored+' points';`;

/** `/`: the studies under the results dir, with status and verdict counts, refreshed in place. */
export function listPage(resultsDir: string): string {
  const body = `<h1>hydra studies</h1><p class="muted">in ${escapeHtml(resultsDir)} — updates as studies start and points land</p>
<table id="studies"><thead><tr><th class="l">study</th><th class="l">kind</th><th class="l">status</th><th>points</th><th>measured</th><th>harness-limited</th><th>invalid</th><th>failed</th><th class="l">broker</th><th class="l">created</th></tr></thead><tbody></tbody></table>
<p id="empty" class="muted" hidden>no studies yet</p>`;
  const script = `${HELPERS}
async function refresh(){
  const r=await fetch('/api/studies');if(!r.ok)return;const list=await r.json();
  document.getElementById('empty').hidden=list.length>0;
  document.querySelector('#studies tbody').innerHTML=list.map((s)=>s.error
    ?'<tr data-study="'+esc(s.id)+'"><td class="l">'+esc(s.id)+'</td><td class="l" colspan="9">unreadable: '+esc(s.error)+'</td></tr>'
    :'<tr data-study="'+esc(s.id)+'"><td class="l"><a href="/study/'+encodeURIComponent(s.id)+'">'+esc(s.id)+'</a></td><td class="l">'+esc(s.kind)+'</td><td class="l">'+progressText(s.progress)+'</td><td>'+s.points+'</td><td>'+s.measured+'</td><td>'+s.harness_limited+'</td><td>'+s.invalid+'</td><td>'+s.failed+'</td><td class="l">'+(s.broker==='embedded'?'embedded (a rehearsal, not Kafka)':esc(s.broker))+'</td><td class="l">'+esc(s.created_at)+'</td></tr>').join('');
}
refresh();setInterval(refresh,${POLL_MS});`;
  return page('hydra studies', body, script);
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
  const id = JSON.stringify(spec.id).replace(/</g, '\\u003c');
  const script = `${HELPERS}
const id=${id};let shown=-1;
async function refresh(){
  const r=await fetch('/api/study/'+encodeURIComponent(id));if(!r.ok)return;const s=await r.json();
  document.getElementById('progress').innerHTML=progressText(s.progress);
  const stamp=s.table.rows.length+'/'+s.progress.state;
  if(stamp===shown)return;shown=stamp;
  document.getElementById('count').textContent=s.table.rows.length;
  document.getElementById('summary').innerHTML=s.sentences.map((t)=>'<li>'+esc(t)+'</li>').join('');
  document.querySelector('#points thead').innerHTML='<tr>'+s.table.header.map((h)=>'<th>'+esc(h)+'</th>').join('')+'</tr>';
  document.querySelector('#points tbody').innerHTML=s.table.rows.map((row)=>'<tr>'+row.map((c)=>'<td>'+esc(c)+'</td>').join('')+'</tr>').join('');
  document.getElementById('exports').innerHTML=s.exports.map((f)=>'<li><a href="/files/'+encodeURIComponent(id)+'/'+encodeURIComponent(f)+'">'+esc(f)+'</a></li>').join('')||'<li class="muted">none yet (hydra report '+esc(id)+', hydra plot '+esc(id)+')</li>';
  const holder=document.getElementById('figures');
  for(const [name,fig] of Object.entries(s.figures)){
    let div=document.getElementById('fig-'+name);
    if(!div){div=document.createElement('div');div.id='fig-'+name;div.className='hydra-figure';div.style.height='480px';holder.appendChild(div);}
    Plotly.react(div,fig.data,fig.layout,{responsive:true,displaylogo:false});
  }
}
refresh();setInterval(refresh,${POLL_MS});`;
  return page(`hydra study ${spec.id}`, body, script, true);
}
