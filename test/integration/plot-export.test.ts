import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { exportStudyPlots, writeStudyReport } from '../../src/plot/export';
import { DEFAULT_CHROMIUM, ImageRenderer, PlotExportError, pngSize } from '../../src/plot/image';
import { createStudy } from '../../src/study/create';
import type { StudyStore } from '../../src/study/store';
import { FIXTURE_OPTIONS, fixtureStudyPoints } from '../fixtures';
import { runHydra, tempDir, uniqueTag } from '../helpers';

describe('plot export (headless Chromium)', function () {
  this.timeout(90000);
  let dir: string;
  let store: StudyStore;
  before(() => {
    dir = tempDir();
    store = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir }, id: 'fixture' });
    for (const p of fixtureStudyPoints()) store.appendPoint(p);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes PNGs of the requested size and SVGs with an svg root', async () => {
    const files = await exportStudyPlots(store, { formats: ['png', 'svg'], width: 800, height: 500, outDir: path.join(dir, 'img') });
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['rx-tx.png', 'loss-tx.png', 'fail-tx.png', 'latency-tx.png', 'rx-tx.svg', 'loss-tx.svg', 'fail-tx.svg', 'latency-tx.svg'],
    );
    for (const f of files.filter((f) => f.endsWith('.png'))) {
      const buf = fs.readFileSync(f);
      assert.deepEqual(pngSize(buf), { width: 800, height: 500 }, f);
      assert.ok(buf.length > 10000, `${f} has a real picture (${buf.length} bytes)`);
    }
    for (const f of files.filter((f) => f.endsWith('.svg'))) {
      const text = fs.readFileSync(f, 'utf8');
      assert.match(text, /^<svg[^>]*\swidth="800"[^>]*\sheight="500"/);
      assert.match(text, /<\/svg>\s*$/);
    }
    assert.match(fs.readFileSync(path.join(dir, 'img', 'rx-tx.svg'), 'utf8'), /Average Client Rate/);
  });

  it('writes a report that holds the data and renders with the network cut off', async () => {
    const report = writeStudyReport(store);
    const html = fs.readFileSync(report, 'utf8');
    assert.match(html, /hydra study fixture/);
    assert.match(html, /40 clients/);
    assert.match(html, /publisher app died/);
    // It opens with the summary a reader wants first: the banner, then per client count where loss starts.
    const text = html
      .replace(/<script>[\s\S]*?<\/script>/g, '')
      .replace(/<[^>]+>/g, '\n')
      .replace(/&#39;/g, "'");
    const order = [
      'hydra study fixture',
      "Measured on hydra's embedded broker",
      'Summary',
      '10 clients: no loss up to 3000 msg/s',
      'Figures',
      'Points',
      'What the study set',
    ];
    const at = order.map((t) => text.indexOf(t));
    assert.ok(
      at.every((i, k) => i >= 0 && (k === 0 || i > (at[k - 1] as number))),
      `in order: ${order.map((t, k) => `${t}@${at[k]}`).join(', ')}`,
    );
    assert.match(text, /40 clients: no loss up to 1500 msg\/s; loss from 2000 msg\/s; 1 not measured \(failed or invalid\)/);
    // A local run's Kubernetes fields are not among what the study set (only in the folded "every option").
    const setPart = text.slice(text.indexOf('What the study set'), text.indexOf('Every option'));
    assert.doesNotMatch(setPart, /kubernetes/);
    assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external scripts');
    assert.doesNotMatch(html, /<link[^>]+href=["']?https?:/i, 'no external stylesheets');

    const browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        external.push(url);
        return route.abort();
      });
      await page.goto(`file://${path.resolve(report)}`);
      await page.waitForSelector('#rx-tx .main-svg', { timeout: 30000 });
      const rendered = await page.$$eval('.hydra-figure .main-svg', (els) => els.length);
      assert.ok(rendered >= 4, `${rendered} figures rendered`);
      assert.deepEqual(external, [], 'the report made no network request');
    } finally {
      await browser.close();
    }
  });

  it('compares two studies through the CLI: PNGs of every compare figure and a page', async () => {
    const other = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir, linger_ms: 5 }, id: 'fixture-b' });
    for (const p of fixtureStudyPoints()) other.appendPoint({ ...p, params: { ...p.params, linger_ms: 5 } });
    const out = path.join(dir, 'cmp');
    const run = await runHydra(
      ['compare', 'fixture', 'fixture-b', '--format=html,png', '--width=800', '--height=500', `--out=${out}`, `--results_dir=${dir}`, '--config_file='],
      {
        tag: uniqueTag(),
        timeoutMs: 60000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /differ: linger_ms 0 \| 5/);
    for (const f of ['compare-rx-tx.png', 'compare-loss-tx.png', 'compare-fail-tx.png', 'compare-latency-p99.png']) {
      const buf = fs.readFileSync(path.join(out, f));
      assert.deepEqual(pngSize(buf), { width: 800, height: 500 }, f);
      assert.ok(buf.length > 10000, f);
    }
    assert.ok(fs.existsSync(path.join(out, 'compare.html')));
  });

  it('exports through the CLI and reports a missing Chromium with an install hint', async () => {
    const run = await runHydra(
      ['plot', 'fixture', '--format=png,html', '--width=640', '--height=400', `--out=${path.join(dir, 'cli')}`, `--results_dir=${dir}`],
      { tag: uniqueTag(), timeoutMs: 60000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const files = run.stdout.trim().split('\n');
    assert.ok(files.some((f) => f.endsWith('plots.html')));
    assert.deepEqual(pngSize(fs.readFileSync(files.find((f) => f.endsWith('loss-tx.png')) as string)), { width: 640, height: 400 });
    await assert.rejects(
      ImageRenderer.open('/nonexistent/chromium'),
      (e: unknown) => e instanceof PlotExportError && /apt-get install -y chromium/.test(e.message),
    );
  });
});
