import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { DEFAULT_CHROMIUM } from '../../src/plot/image';
import { createStudy } from '../../src/study/create';
import { StudyStore } from '../../src/study/store';
import { FIXTURE_OPTIONS, fixturePoint, fixtureStudyPoints } from '../fixtures';
import { HYDRA_BIN, REPO_ROOT, tempDir, uniqueTag, waitNoProcesses } from '../helpers';

/** `hydra serve` in a child process on a free loopback port; resolves with its URL once it listens. */
function startServe(resultsDir: string, tag: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HYDRA_BIN, 'serve', '--port=0', `--results_dir=${resultsDir}`, '--config_file='], {
      cwd: REPO_ROOT,
      env: { ...process.env, HYDRA_TEST_TAG: tag },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`hydra serve did not start: ${stderr}`)), 20000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`hydra serve exited ${code}: ${stderr}`)));
  });
}

describe('hydra serve in a real headless Chromium', function () {
  this.timeout(120000);
  let dir: string;
  let browser: Browser | undefined;
  let server: ChildProcess | undefined;
  const tag = uniqueTag();
  before(() => {
    dir = tempDir();
  });
  after(async () => {
    await browser?.close();
    server?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the studies, draws a study page, and shows a study started later — and its new points — without a reload', async () => {
    const done = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir }, id: 'finished' });
    for (const p of fixtureStudyPoints()) done.appendPoint(p);
    const spec = done.readSpec();
    done.writeSpec({ ...spec, status: 'done' });

    const serve = await startServe(dir, tag);
    server = serve.child;
    browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const list = await browser.newPage();
    const external: string[] = [];
    await list.route('**/*', (route) => {
      const url = route.request().url();
      if (!url.startsWith(serve.url)) external.push(url);
      return url.startsWith(serve.url) ? route.continue() : route.abort();
    });
    await list.goto(serve.url);
    await list.waitForSelector('tr[data-study="finished"]');
    const row = await list.textContent('tr[data-study="finished"]');
    assert.match(row ?? '', /finished\s*sweep\s*done, 9 points\s*9\s*8\s*0\s*0\s*1\s*embedded \(a rehearsal, not Kafka\)/);

    // A study page: its figures drawn by plotly.js, its points, its summary.
    const study = await browser.newPage();
    await study.goto(`${serve.url}study/finished`);
    // (Page-side code as strings: this project's TypeScript has no DOM types.)
    await study.waitForFunction("document.querySelectorAll('.hydra-figure .main-svg').length >= 4", undefined, { timeout: 30000 });
    assert.equal(await study.$$eval('#points tbody tr', (rows) => rows.length), 9);
    assert.match((await study.textContent('#summary')) ?? '', /40 clients: no loss up to 1500 msg\/s; loss from 2000 msg\/s/);
    assert.match((await study.textContent('.banner')) ?? '', /embedded broker: a rehearsal/);
    assert.match((await study.textContent('#exports')) ?? '', /points\.jsonl/);

    // A study started after the server, by a live process (this one holds its lock): it appears on the open list page.
    const live = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir }, id: 'live' });
    const release = live.lock();
    try {
      live.appendPoint(fixturePoint(2, 1000));
      await list.waitForSelector('tr[data-study="live"]', { timeout: 10000 });
      assert.match((await list.textContent('tr[data-study="live"]')) ?? '', /running 1\/1 points, ETA 0:00/);
      const livePage = await browser.newPage();
      await livePage.goto(`${serve.url}study/live`);
      await livePage.waitForFunction("document.querySelectorAll('#points tbody tr').length === 1");
      const before = await livePage.evaluate('performance.timeOrigin');
      // Two more points land: the open page shows them (and redraws its figures) without a reload.
      const s = live.readSpec();
      live.writeSpec({ ...s, grid: { ...s.grid, msg_rates: [1000, 2000, 3000] } });
      live.appendPoint(fixturePoint(2, 2000));
      live.appendPoint(fixturePoint(2, 3000));
      await livePage.waitForFunction("document.querySelectorAll('#points tbody tr').length === 3", undefined, { timeout: 10000 });
      assert.equal(await livePage.evaluate('performance.timeOrigin'), before, 'the same page, not a reload');
      assert.match((await livePage.textContent('#progress')) ?? '', /running 3\/3 points/);
      const traces = await livePage.evaluate("document.getElementById('fig-rx-tx').data[0].x.length");
      assert.equal(traces, 3, 'the figure was redrawn with the new points');
    } finally {
      release();
    }
    live.writeSpec({ ...live.readSpec(), status: 'done' });
    await list.waitForFunction(`/done, 3 points/.test(document.querySelector('tr[data-study="live"]')?.textContent ?? '')`, undefined, { timeout: 10000 });
    assert.deepEqual(external, [], 'the pages made no request beyond the server');

    // Exports are served from the study directory; anything else is not.
    const res = await fetch(`${serve.url}files/finished/points.jsonl`);
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim().split('\n').length, 9);
    assert.equal((await fetch(`${serve.url}files/finished/..%2Fx.json`)).status, 404);
    assert.equal((await fetch(`${serve.url}study/nope`)).status, 404);

    server.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => server?.once('exit', (c) => resolve(c)));
    assert.equal(code, 130);
    assert.deepEqual(await waitNoProcesses(tag), []);
    assert.ok(StudyStore.open(dir, 'live').activeRun() === null);
  });
});
