import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { DEFAULT_CHROMIUM } from '../../src/plot/image';
import { createStudy } from '../../src/study/create';
import { StudyStore } from '../../src/study/store';
import * as http from 'node:http';
import * as path from 'node:path';
import { FIXTURE_OPTIONS, fixtureFaultedPoint, fixturePoint, fixtureStudyPoints, MARKUP } from '../fixtures';
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
    // Playwright's string predicates (waitForFunction) run through eval, which the pages' own policy
    // forbids: this test of the pages' behaviour lifts the policy; the markup test below keeps it.
    const context = await browser.newContext({ bypassCSP: true });
    const list = await context.newPage();
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
    const study = await context.newPage();
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
      const livePage = await context.newPage();
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
    // It says what it stops: the server, not apps or a broker it never had.
    assert.match(serve.stderr(), /hydra: SIGINT received, stopping the server\.\.\./);
    assert.doesNotMatch(serve.stderr(), /apps and broker/);
    assert.deepEqual(await waitNoProcesses(tag), []);
    assert.ok(StudyStore.open(dir, 'live').activeRun() === null);
  });

  it('survives any request and hands out only its results directory: malformed URLs, absolute and linked paths, other host names', async () => {
    const results = path.join(dir, 'guarded');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    // A directory elsewhere that looks like a study, with a file no one should read through the server.
    fs.writeFileSync(path.join(outside, 'study.json'), '{}');
    fs.writeFileSync(path.join(outside, 'secret.json'), '{"secret":1}');
    const done = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: results }, id: 'finished' });
    for (const p of fixtureStudyPoints()) done.appendPoint(p);
    fs.writeFileSync(path.join(done.dir, 'report.html'), '<script>fetch("/api/studies")</script>');
    fs.symlinkSync(outside, path.join(results, 'linked'));
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(done.dir, 'leak.json'));

    const serve = await startServe(results, tag);
    try {
      const base = new URL(serve.url);
      /** A raw GET, the path sent exactly as given (fetch would normalize it). */
      const get = (target: string, host = base.host): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> =>
        new Promise((resolve, reject) => {
          const req = http.request({ host: base.hostname, port: base.port, path: target, headers: { host } }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          });
          req.on('error', reject);
          req.end();
        });
      for (const target of ['/%', '/study/%E0%A4%A', '/api/study/%', '/files/finished/%zz']) {
        const res = await get(target);
        assert.equal(res.status, 400, `${target}: ${res.body}`);
        assert.equal((await get('/')).status, 200, `still serving after ${target}`);
      }
      const abs = encodeURIComponent(outside);
      for (const target of [
        `/files/${abs}/secret.json`,
        `/study/${abs}`,
        `/api/study/${abs}`,
        `/files/%2E%2E/secret.json`,
        `/files/finished/..%2F..%2Foutside%2Fsecret.json`,
        '/study/linked',
        '/api/study/linked',
        '/files/linked/secret.json',
        '/files/finished/leak.json',
        '/files/finished/study.json%00.png',
      ]) {
        const res = await get(target);
        assert.equal(res.status, 404, `${target} answered ${res.status}: ${res.body}`);
        assert.doesNotMatch(res.body, /secret/);
      }
      // A page elsewhere that points its own name at this address (DNS rebinding) reads nothing.
      assert.equal((await get('/api/studies', 'attacker.example:8080')).status, 421);
      assert.equal((await get('/api/studies', `localhost:${base.port}`)).status, 200);
      // A study's own HTML opens sandboxed: its scripts cannot read the server's other pages.
      const report = await get('/files/finished/report.html');
      assert.equal(report.status, 200);
      assert.match(String(report.headers['content-security-policy'] ?? ''), /^sandbox allow-scripts;/);
      assert.equal(report.headers['x-content-type-options'], 'nosniff');
      assert.match(String((await get('/')).headers['content-security-policy'] ?? ''), /default-src 'none'; script-src 'self';/);
      assert.equal(serve.child.exitCode, null, 'the server is still up');
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('shows stored markup as text in the study page’s figures and table, never as a link or an image', async () => {
    const results = path.join(dir, 'markup');
    const study = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: results }, id: 'marked' });
    study.appendPoint(fixturePoint(2, 1000));
    study.appendPoint(fixtureFaultedPoint(2, 1000, `at=2s for=2s command='${MARKUP}'`, MARKUP));
    study.writeSpec({ ...study.readSpec(), status: 'done' });
    const serve = await startServe(results, tag);
    browser ??= await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage();
    const requests: string[] = [];
    const violations: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    try {
      await page.goto(`${serve.url}study/marked`);
      // Polled from here: the page's policy (no eval) stays in force.
      for (const deadline = Date.now() + 30000; ((await page.evaluate("document.querySelectorAll('.hydra-figure .main-svg').length")) as number) < 3;) {
        assert.ok(Date.now() < deadline, 'the figures were drawn');
        await new Promise((r) => setTimeout(r, 100));
      }
      const links = await page.evaluate("[...document.querySelectorAll('.hydra-figure a')].map((a) => a.getAttribute('href') || a.getAttribute('xlink:href'))");
      assert.deepEqual(links, [], 'no link in any figure');
      assert.equal(await page.evaluate("document.querySelectorAll('img').length"), 0, 'no image element anywhere');
      const figureText = (await page.evaluate("[...document.querySelectorAll('.hydra-figure')].map((f) => f.textContent).join(' ')")) as string;
      assert.match(figureText, /<a href="https:\/\/example\.invalid\/x">click<\/a>/, 'the markup is shown as the text it is');
      assert.ok(!requests.some((u) => u.includes('example.invalid') || /\/x$/.test(u)), requests.join('\n'));
      assert.deepEqual(violations, [], 'the page runs within its own policy');
    } finally {
      await page.close();
      serve.child.kill('SIGKILL');
    }
  });
});
