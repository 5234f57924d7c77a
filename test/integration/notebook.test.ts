import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { killTagged, REPO_ROOT, tempDir, uniqueTag, waitNoProcesses } from '../helpers';

interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string[] | string;
  data?: Record<string, unknown>;
  ename?: string;
}

describe('notebook kafka-scaling.ipynb (tslab, executed headless)', function () {
  this.timeout(600000);
  let dir: string;
  const tag = uniqueTag();
  before(() => {
    dir = tempDir();
  });
  after(() => {
    killTagged(tag);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("resolves the tslab kernel to this checkout's own spec, not a machine-wide one", () => {
    // Asked of jupyter_client itself (Debian's jupyter has no kernelspec subcommand): which spec it would start for 'tslab'.
    const listed = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import json; from jupyter_client.kernelspec import KernelSpecManager as K; print(json.dumps({"kernelspecs": K().get_all_specs()}))'],
      {
        env: { ...process.env, JUPYTER_PATH: path.join(REPO_ROOT, '.jupyter', 'share', 'jupyter') },
        encoding: 'utf8',
      },
    );
    assert.equal(listed.status, 0, listed.stderr);
    const specs = (JSON.parse(listed.stdout) as { kernelspecs: Record<string, { resource_dir: string; spec: { argv: string[] } }> }).kernelspecs;
    const tslab = specs.tslab;
    assert.ok(tslab, `no tslab kernel: ${Object.keys(specs).join(', ')}`);
    assert.equal(tslab.resource_dir, path.join(REPO_ROOT, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab'));
    assert.equal(tslab.spec.argv[0], path.join(REPO_ROOT, 'node_modules', '.bin', 'tslab'));
  });

  it('runs top to bottom without errors and shows the plots', async () => {
    const out = path.join(dir, 'executed.ipynb');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        'jupyter',
        ['nbconvert', '--to', 'notebook', '--execute', 'kafka-scaling.ipynb', '--output', out, '--ExecutePreprocessor.timeout=500'],
        {
          cwd: path.join(REPO_ROOT, 'notebooks'),
          env: {
            ...process.env,
            // This checkout's kernel (scripts/setup.sh installs it in .jupyter/), never another checkout's.
            JUPYTER_PATH: path.join(REPO_ROOT, '.jupyter', 'share', 'jupyter'),
            HYDRA_TEST_TAG: tag,
            HYDRA_NB_CLIENTS: '2',
            HYDRA_NB_RATES: '500,1000',
            HYDRA_NB_DURATION: '1',
            HYDRA_NB_EXTRA_RATES: '1500',
            HYDRA_NB_SIZES: '100,10000',
            HYDRA_NB_CODECS: 'none,gzip',
            HYDRA_NB_SIZE_RATES: '500',
            HYDRA_NB_RESULTS: path.join(dir, 'results'),
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 560000);
      child.once('error', (err) => reject(new Error(`cannot run jupyter (scripts/setup.sh test installs it): ${err.message}`)));
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, 'nbconvert --execute failed');
    const nb = JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: { cell_type: string; outputs?: NotebookOutput[] }[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const errors = outputs.filter((o) => o.output_type === 'error' || (o.name === 'stderr' && /Error/.test(String(o.text))));
    assert.deepEqual(errors, [], 'no cell raised');
    const text = outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
    assert.match(text, /point 2\/2: 2 clients, 1000 msg\/s, batch 100 -> loss/);
    assert.match(text, /measured 1 new points; the study now has 3/);
    assert.match(text, /report\.html/);
    assert.match(text, /workload study sweep-\S+: 4 points, 4 workloads \(msg_size=100, compression=none \| msg_size=100, compression=gzip \| msg_size=10000/);
    const pngs = outputs.filter((o) => typeof o.data?.['image/png'] === 'string');
    assert.ok(pngs.length >= 7, `${pngs.length} inline plots`);
    // Interactive figures: plotly.js once, then one Plotly.newPlot per figure, with the verdict in the hover text.
    const html = outputs.map((o) => o.data?.['text/html']).map((h) => (Array.isArray(h) ? h.join('') : typeof h === 'string' ? h : ''));
    const figures = html.filter((h) => h.includes('Plotly.newPlot('));
    assert.ok(figures.length >= 7, `${figures.length} interactive figures`);
    const throughput = figures.find((h) => h.includes('Average Client Throughput'));
    assert.ok(throughput?.includes('Average Tx Throughput [MB/s]'), 'the workload section shows throughput in MB/s');
    assert.ok(throughput?.includes('msg_size 10000'), 'one curve per message size');
    // (The failing-clients figure has no points when no client failed, so no hover text.)
    // On the embedded broker the verdict says the point is a rehearsal, and every figure says so in its title and a watermark.
    const withVerdict = figures.filter((h) => h.includes('a rehearsal, not a measurement of Kafka') || h.includes('HARNESS-LIMITED'));
    assert.ok(withVerdict.length >= 4, `${withVerdict.length} figures carry the verdict in their hover text`);
    assert.ok(
      figures.every((h) => h.includes('these numbers say nothing about Kafka') && h.includes('NOT KAFKA')),
      'every figure from the embedded broker says it is a rehearsal',
    );
    assert.ok(
      figures.some((h) => /study sweep-[\w-]+ · hydra's embedded broker · 16 B messages · 1 s points/.test(h)),
      'figures carry their context',
    );
    const printed = outputs
      .filter((o) => o.name === 'stdout')
      .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
      .join('');
    // A rehearsal — or, on a busy host, the host's limit named (the notebook prints the same verdicts as the CLI).
    assert.match(
      printed,
      /point 1\/\d+: 2 clients, 500 msg\/s, batch 100 -> loss [\d.]+ %, rx \d+ msg\/s — (rehearsal on hydra's embedded broker, not Kafka|HARNESS-LIMITED, not a Kafka result: the host)/,
    );
    assert.match(printed, /^2 clients: (no loss up to|no lossless point|nothing measured — (all \d+ points|its one point) harness-limited)/m);
    // The compare cell: a fresh results dir has no earlier study, so it measured the grid with acks=-1 and compared.
    assert.match(printed, /^compare sweep-[\w-]+ vs sweep-[\w-]+\n/m);
    assert.match(printed, /differ: acks -1 \| 1/);
    assert.ok(
      figures.some((h) => /Average Client Rate — sweep-[\w-]+ vs sweep-/.test(h)),
      'the compare figure is shown',
    );
    // The fault cell: the embedded broker frozen for 2 s, measured through and drawn apart.
    assert.match(printed, /fault started at 2\.\d s: at=2s for=2s broker=stop/);
    assert.match(printed, /^2 clients, 500 msg\/s, batch 100: faulted \(at=2s for=2s broker=stop\): nothing lost, longest gap \d\.\d s, recovery/m);
    assert.ok(
      figures.some((h) => h.includes('Delivery through the fault')) && figures.some((h) => h.includes('Recovery from Planned Faults')),
      'the fault figures are shown',
    );
    assert.ok(
      html.some((h) => h.length > 1_000_000 && h.startsWith('<script>')),
      'plotly.js is on the page',
    );
    // The first study (ids start with their creation time) is the one the notebook exported.
    const study = fs
      .readdirSync(path.join(dir, 'results'))
      .filter((d) => d.startsWith('sweep-'))
      .sort()[0];
    assert.ok(study, 'the notebook stored its study');
    for (const f of ['points.jsonl', 'report.html', 'plots.html', 'rx-tx.png', 'loss-tx.svg']) assert.ok(fs.existsSync(path.join(dir, 'results', study, f)), f);
    assert.deepEqual(await waitNoProcesses(tag), [], 'the kernel left no app or broker behind');
  });
});
