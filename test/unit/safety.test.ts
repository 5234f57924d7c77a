import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { parseFaultSchedule } from '../../src/config/fault-schedule';
import { resolveOptions } from '../../src/config/resolve';
import { eachLine } from '../../src/files';
import { plotText, safeFigure } from '../../src/plot/safe-text';
import { studyFigures } from '../../src/plot/study-figures';
import { summarizeStudy } from '../../src/present/study';
import { FaultDriver, type FaultTargets } from '../../src/faults/driver';
import { CommandLedger, endLeftCommands, LEDGER_DIR } from '../../src/supervise/command-ledger';
import { groupMembers, processStart } from '../../src/supervise/process-group';
import { createStudy } from '../../src/study/create';
import { readStudyPlan } from '../../src/study/spec-file';
import { StudyStore } from '../../src/study/store';
import { FakeRunner, openFake } from '../fake-runner';
import { FIXTURE_OPTIONS, fixtureFaultedPoint, fixturePoint, MARKUP } from '../fixtures';
import { tempDir } from '../helpers';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function io(runner?: FakeRunner): CliIO & { out: Capture; err: Capture } {
  const out = new Capture();
  const err = new Capture();
  return { stdout: out, stderr: err, interactive: false, out, err, ...(runner ? { openSession: openFake(runner) } : {}) };
}

describe('safe to share: text from files is shown, never run or rendered', () => {
  it('escapes every tag in a figure but hydra’s own (br, b, colour spans), so Plotly shows stored markup as text', () => {
    assert.equal(plotText('a <b>b</b><br><span style="color:#555">c</span>'), 'a <b>b</b><br><span style="color:#555">c</span>');
    assert.equal(plotText(MARKUP), '&lt;a href="https://example.invalid/x">click&lt;/a> &lt;img src=x onerror=alert(1)>');
    assert.equal(plotText('loss < 1 % and p99 <200'), 'loss &lt; 1 % and p99 &lt;200');
    const figures = studyFigures([fixturePoint(2, 1000), fixtureFaultedPoint(2, 1000, `at=2s for=2s command='${MARKUP}'`, MARKUP)], [], {
      study: 's',
      brokers: ['<a href="x">b</a>:9092'],
    });
    const raw = JSON.stringify(figures);
    assert.match(raw, /<a href/, 'the figures as built carry the stored markup (this test can fail)');
    for (const [name, figure] of Object.entries(figures)) {
      const safe = JSON.stringify(safeFigure(figure));
      assert.doesNotMatch(safe, /<a[\s>]|<img|<\/a>/i, name);
      if (name === 'rx-tx') assert.match(safe, /<span style=\\"color:#555\\">/, 'hydra’s own styling stays');
    }
  });

  it('refuses a YAML alias bomb by its expanded size, at once and naming the file', function () {
    this.timeout(5000);
    const dir = tempDir();
    try {
      const file = path.join(dir, 'bomb.yaml');
      const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
      lines.push('hydra_spec: 1', 'kind: sweep', 'grid: {client_counts: [2], msg_rates: [100], msg_batches: [100], workloads: [{fault: *a8}]}');
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const started = process.hrtime.bigint();
      const heapBefore = process.memoryUsage().heapUsed;
      assert.throws(() => readStudyPlan(file), /--spec=".*bomb\.yaml": holds more than 100000 values once its YAML aliases \(\*name\) are expanded/);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const grewMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      assert.ok(ms < 2000, `took ${ms} ms`);
      assert.ok(grewMb < 200, `heap grew ${grewMb} MB`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a workload file, hydra.ini or stored study larger than any hydra writes, by its size, naming it', () => {
    const dir = tempDir();
    try {
      const spec = path.join(dir, 'big.yaml');
      fs.writeFileSync(spec, `hydra_spec: 1\nkind: sweep\n# ${'x'.repeat(300 * 1024)}\n`);
      assert.throws(() => readStudyPlan(spec), /--spec=".*big\.yaml": \d+ KB: larger than a workload file can be \(at most 256 KB\)/);
      const ini = path.join(dir, 'big.ini');
      fs.writeFileSync(ini, `; ${'x'.repeat(2 * 1024 * 1024)}\n`);
      assert.throws(() => resolveOptions({ config_file: ini }), /big\.ini: 2\.0 MB: larger than an ini file can be \(at most 1\.0 MB\)/);
      const store = createStudy({ kind: 'sweep', options: { ...FIXTURE_OPTIONS, results_dir: dir }, id: 'huge' });
      const specFile = path.join(store.dir, 'study.json');
      fs.writeFileSync(specFile, JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }));
      assert.throws(() => store.readSpec(), /study\.json: 5\.0 MB: larger than a study spec can be/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses text values longer than any of hydra’s, and a fault with a control character', () => {
    assert.throws(
      () => resolveOptions({ config_file: '', fault: `at=1s for=1s command='${'x'.repeat(5000)}'` }),
      /options\.fault=".*…": 5\d{3} characters: longer than any value of hydra's \(at most 4096\)/,
    );
    assert.throws(() => resolveOptions({ config_file: '', fault: "at=1s for=1s command='a\nb'" }), /options\.fault=.*holds a control character/);
  });

  it('reads points.jsonl line by line, and names a line longer than a point can be instead of holding it', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'lines');
      fs.writeFileSync(file, `one\n${'y'.repeat(3000)}\n\nfour`);
      const seen: [string | null, number][] = [];
      eachLine(file, { maxBytes: 1 << 20, maxLineBytes: 1000, what: 'lines' }, (text, line) => seen.push([text, line]));
      assert.deepEqual(seen, [
        ['one', 1],
        [null, 2],
        ['', 3],
        ['four', 4],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no quiet failures: damaged stores, empty flags, refusals before anything exists', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const common = (): string[] => ['--config_file=', `--results_dir=${dir}`, `--log_dir=${path.join(dir, 'logs')}`, '--clients_per_app=2', '--test_duration=4'];

  it('names each damaged line of points.jsonl in list, show, export and compare, and a study missing a point is not "done"', async () => {
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100,200,300,400', '--study_id=dmg', '--quiet', ...common()], io(new FakeRunner())), 0);
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100,200,300,400', '--study_id=ok', '--quiet', ...common()], io(new FakeRunner())), 0);
    const file = path.join(dir, 'dmg', 'points.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    // A garbage line in the middle, and the last point cut short as a crash mid-write leaves it.
    fs.writeFileSync(file, [lines[0], 'garbage {', lines[1], lines[2], (lines[3] ?? '').slice(0, 40)].join('\n'));
    const store = StudyStore.open(dir, 'dmg');
    const stored = store.readStored();
    assert.deepEqual(
      stored.damaged.map((d) => [d.line, d.reason]),
      [
        [2, 'not JSON (a write cut short, or edited)'],
        [5, 'not JSON (a write cut short, or edited)'],
      ],
    );
    assert.equal(summarizeStudy(store.readSpec(), stored.points, stored.damaged.length).status, 'incomplete');

    for (const argv of [
      ['study', 'list'],
      ['study', 'show', 'dmg'],
      ['study', 'export', 'dmg', '--out=-'],
      ['compare', 'dmg', 'ok', '--format=html', `--out=${path.join(dir, 'cmp')}`],
    ]) {
      const cli = io();
      assert.equal(await runCli([...argv, `--results_dir=${dir}`, '--config_file='], cli), 0, cli.err.text);
      assert.match(
        cli.err.text,
        /^hydra: warning: .*dmg\/points\.jsonl line 2: not JSON .* — skipped; the point it held is not stored \(hydra study resume dmg measures it again\)$/m,
        argv.join(' '),
      );
      assert.match(cli.err.text, /points\.jsonl line 5: not JSON/, argv.join(' '));
      if (argv[1] === 'list') assert.match(cli.out.text, /^dmg\s+sweep\s+incomplete\s+3\/4\b/m);
      if (argv[1] === 'show') assert.match(cli.out.text, /^study dmg \(sweep, incomplete\)/m);
    }
    // A resume measures the point that was lost and the study is whole again.
    const again = new FakeRunner();
    const resume = io(again);
    assert.equal(await runCli(['study', 'resume', 'dmg', `--results_dir=${dir}`, '--config_file=', '--quiet'], resume), 0, resume.err.text);
    assert.deepEqual(
      again.calls.map((p) => p.msg_rate),
      [400],
      'the point cut short is measured again',
    );
    const healed = store.readStored();
    assert.equal(summarizeStudy(store.readSpec(), healed.points, healed.damaged.length).status, 'done');
  });

  it('refuses an empty --threshold or --fault instead of switching the gate or the fault off', async () => {
    for (const [flag, message] of [
      ['--threshold=', /^hydra sweep: --threshold="": is empty: give field<limit/],
      ['--fault=', /^hydra sweep: --fault="": is empty: give a fault/],
    ] as const) {
      const runner = new FakeRunner();
      const cli = io(runner);
      assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100', flag, ...common()], cli), 2);
      assert.match(cli.err.text, message);
      assert.equal(runner.calls.length, 0);
    }
  });

  it('refuses a fault on an app the point lacks, and any fault in a rate search, before any directory is made, naming --fault', async () => {
    const results = path.join(dir, 'not-yet');
    const logs = path.join(dir, 'logs-not-yet');
    const cases: [string[], RegExp][] = [
      [
        ['sweep', '--clients=2', '--msg_rates=100', '--fault=at=1s for=1s stop=sub-9'],
        /^hydra sweep: --fault="at=1s for=1s stop=sub-9": the point has no app 'sub-9'/,
      ],
      [['kafka', '--total_sub_apps=1', '--fault=at=1s kill=sub-3'], /^hydra kafka: --fault="at=1s kill=sub-3": the point has no app 'sub-3'/],
      [
        ['kafkarate', '--clients=2', '--fault=at=1s for=1s broker=stop'],
        /^hydra kafkarate: --fault="at=1s for=1s broker=stop": a rate search looks for the steady-state boundary/,
      ],
      [
        ['sweep', '--clients=2', '--msg_rates=100', '--vary=fault=none,at=1s kill=sub-5'],
        /^hydra sweep: --vary fault="at=1s kill=sub-5": the point has no app 'sub-5'/,
      ],
    ];
    for (const [argv, message] of cases) {
      const runner = new FakeRunner();
      const cli = io(runner);
      const code = await runCli([...argv, '--config_file=', `--results_dir=${results}`, `--log_dir=${logs}`, '--clients_per_app=2', '--test_duration=4'], cli);
      assert.equal(code, 2, cli.err.text);
      assert.match(cli.err.text, message);
      assert.equal(cli.err.text.trim().split('\n').length, 1, cli.err.text);
      assert.ok(!fs.existsSync(results) && !fs.existsSync(logs), `${argv.join(' ')}: nothing created`);
    }
  });

  it('a point whose fault command failed is stored invalid at once, not retried four times', async () => {
    const runner = new FakeRunner({ fault: () => ({ unresponsive: 1, hopeless: "the planned fault's command failed" }) });
    const cli = io(runner);
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100', '--study_id=h', '--quiet', ...common()], cli), 1);
    assert.equal(runner.calls.length, 1);
    const [point] = StudyStore.open(dir, 'h').readPoints();
    assert.equal(point?.status, 'invalid');
    assert.equal(point?.attempts, 1);
    assert.match(point?.error ?? '', /not retried: the planned fault's command failed/);
  });

  it('study spec exports the planned faults and thresholds, and says what it leaves out', async () => {
    const runner = new FakeRunner();
    const argv = [
      'sweep',
      '--clients=2',
      '--msg_rates=100',
      '--study_id=sp',
      '--quiet',
      '--fault=at=1s for=1s broker=stop',
      '--threshold=average_packet_loss<=0.1',
    ];
    assert.equal(await runCli([...argv, ...common()], io(runner)), 0);
    const cli = io();
    assert.equal(await runCli(['study', 'spec', 'sp', `--results_dir=${dir}`, '--config_file='], cli), 0);
    assert.match(cli.out.text, /^ {2}fault: at=1s for=1s broker=stop$/m);
    assert.match(cli.out.text, /^ {2}threshold: average_packet_loss<=0\.1$/m);
    assert.match(cli.out.text, /^# Left out, as they belong to where a study runs: brokers, security settings and their secrets/m);
    // The exported file runs the same workload: its fault comes back.
    const file = path.join(dir, 'sp.yaml');
    fs.writeFileSync(file, cli.out.text);
    assert.equal(String(readStudyPlan(file).options.fault), 'at=1s for=1s broker=stop');
  });
});

describe('commands only when the user asked for them', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const common = (): string[] => ['--config_file=', `--results_dir=${dir}`, `--log_dir=${path.join(dir, 'logs')}`, '--clients_per_app=2', '--test_duration=4'];

  it('refuses a command written in a workload file, hydra.ini or a workload of the file; --allow_commands lists it and runs', async () => {
    const marker = path.join(dir, 'ran');
    const fault = `at=1s for=1s command='touch ${marker}'`;
    const spec = path.join(dir, 's.yaml');
    fs.writeFileSync(spec, `hydra_spec: 1\nkind: sweep\ngrid: {client_counts: [2], msg_rates: [100], msg_batches: [100], workloads: [{fault: "${fault}"}]}\n`);
    const specOptions = path.join(dir, 'o.yaml');
    fs.writeFileSync(
      specOptions,
      `hydra_spec: 1\nkind: sweep\ngrid: {client_counts: [2], msg_rates: [100], msg_batches: [100]}\noptions: {fault: "${fault}"}\n`,
    );
    const ini = path.join(dir, 'shared.ini');
    fs.writeFileSync(ini, `[faults]\nfault = ${fault}\n`);
    const cases: [string[], RegExp][] = [
      [
        [`--spec=${spec}`],
        /^hydra sweep: .*s\.yaml grid\.workloads\[0\]\.fault="touch .*ran": runs a command on this machine, and it is written in a file rather than typed: hydra runs commands from files only when you add --allow_commands/,
      ],
      [[`--spec=${specOptions}`], /^hydra sweep: .*o\.yaml options\.fault="touch .*ran": runs a command on this machine/],
      [
        ['--clients=2', '--msg_rates=100', `--config_file=${ini}`],
        /^hydra sweep: .*shared\.ini \[faults\] fault="touch .*ran": runs a command on this machine/,
      ],
    ];
    for (const [argv, message] of cases) {
      const runner = new FakeRunner();
      const cli = io(runner);
      const rest = common().filter((a) => !(argv.some((x) => x.startsWith('--config_file')) && a.startsWith('--config_file')));
      assert.equal(await runCli(['sweep', ...argv, ...rest], cli), 2, cli.err.text);
      assert.match(cli.err.text, message);
      assert.equal(runner.calls.length, 0);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['o.yaml', 's.yaml', 'shared.ini'], 'nothing created');

      const allowed = io(new FakeRunner());
      assert.equal(await runCli(['sweep', ...argv, ...rest, '--allow_commands', '--quiet'], allowed), 0, allowed.err.text);
      assert.match(
        allowed.err.text,
        /^hydra: this run executes 1 command on this machine:\nhydra: {3}touch .*ran {4}\(.*(s\.yaml grid\.workloads\[0\]\.fault|o\.yaml options\.fault|shared\.ini \[faults\] fault)\)$/m,
      );
      for (const entry of fs.readdirSync(dir)) if (!entry.endsWith('.yaml') && !entry.endsWith('.ini')) fs.rmSync(path.join(dir, entry), { recursive: true });
    }
  });

  it('the command launcher’s command and librdkafka properties that run programs count as commands too', () => {
    const ini = path.join(dir, 'h.ini');
    fs.writeFileSync(ini, '[launcher]\nkind = command\nhosts = a@127.0.0.1\ncommand = ssh {host} node app.js\n');
    assert.throws(
      () => resolveOptions({ config_file: ini }),
      /h\.ini \[launcher\] command="ssh \{host\} node app\.js \(the command launcher's, for every app\)": runs a command/,
    );
    assert.equal(resolveOptions({ config_file: ini }, { allowCommands: true }).launcher_command, 'ssh {host} node app.js');
    fs.writeFileSync(ini, '[client]\nlibrary = librdkafka\nsasl.kerberos.kinit.cmd = touch /tmp/x\n');
    assert.throws(() => resolveOptions({ config_file: ini }), /h\.ini \[client\] sasl\.kerberos\.kinit\.cmd="touch \/tmp\/x": runs a command/);
    // Typed in code (a notebook) it is the user's own.
    assert.equal(String(resolveOptions({ config_file: '', fault: "at=1s for=1s command='true'" }).fault), "at=1s for=1s command='true'");
  });

  it('resumes one’s own study naming its commands; a study.json edited or handed over runs none without --allow_commands', async () => {
    const runner = new FakeRunner();
    const own = io(runner);
    assert.equal(
      await runCli(['sweep', '--clients=2', '--msg_rates=100,200', '--study_id=mine', '--quiet', "--fault=at=1s for=1s command='true'", ...common()], own),
      0,
      own.err.text,
    );
    const file = path.join(dir, 'mine', 'study.json');
    const points = path.join(dir, 'mine', 'points.jsonl');
    fs.writeFileSync(points, fs.readFileSync(points, 'utf8').split('\n')[0] + '\n');

    const resume = io(new FakeRunner());
    assert.equal(await runCli(['study', 'resume', 'mine', `--results_dir=${dir}`, '--config_file=', '--quiet'], resume), 0, resume.err.text);
    assert.match(resume.err.text, /^hydra: this run executes 1 command on this machine:\nhydra: {3}true {4}\(.*mine\/study\.json options\.fault\)$/m);

    // Edited: another command in its place.
    const marker = path.join(dir, 'pwned');
    const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as { options: { fault: string } };
    spec.options.fault = `at=1s for=1s command='touch ${marker}'`;
    fs.writeFileSync(file, JSON.stringify(spec));
    fs.writeFileSync(points, fs.readFileSync(points, 'utf8').split('\n')[0] + '\n');
    const history = (): number => (JSON.parse(fs.readFileSync(file, 'utf8')) as { history: unknown[] }).history.length;
    const before = history();
    const edited = new FakeRunner();
    const refused = io(edited);
    assert.equal(await runCli(['study', 'resume', 'mine', `--results_dir=${dir}`, '--config_file='], refused), 2);
    assert.match(
      refused.err.text,
      /^hydra study: .*mine\/study\.json options\.fault="touch .*pwned": runs a command on this machine, and it is written in a file rather than typed/m,
    );
    assert.equal(edited.calls.length, 0);
    assert.equal(history(), before, 'a refused resume is not in the history');

    // Allowed on the command line, it runs, named first.
    const allowed = io(new FakeRunner());
    assert.equal(
      await runCli(['study', 'resume', 'mine', `--results_dir=${dir}`, '--config_file=', '--allow_commands', '--quiet'], allowed),
      0,
      allowed.err.text,
    );
    assert.match(allowed.err.text, /touch .*pwned {4}\(.*study\.json options\.fault\)/);
    // Allowed once, it is sealed: the next resume needs no flag.
    const again = io(new FakeRunner());
    assert.equal(await runCli(['study', 'resume', 'mine', `--results_dir=${dir}`, '--config_file=', '--quiet'], again), 0, again.err.text);
  });
});

describe('nothing hydra starts outlives it: fault commands in their own process group', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function targets(ledger: CommandLedger): FaultTargets {
    return {
      app: () => undefined,
      signal: () => undefined,
      snapshot: () => Promise.reject(new Error('no apps')),
      brokerPid: undefined,
      commandValues: { node: process.execPath, brokers: 'b:9092', topic: 't', run: 'r' },
      emit: () => undefined,
      ledger,
    };
  }

  /** A sleep length no other process has on its command line: `300.` and random digits. */
  const uniqueSeconds = (): string => `300.${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

  /** Pids of processes whose command line holds `needle`. */
  function withArg(needle: string): number[] {
    return fs
      .readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .filter((e) => {
        try {
          return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle) && !/\) Z /.test(fs.readFileSync(`/proc/${e}/stat`, 'utf8'));
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  it('a command still running at its fault’s end is ended with what it started, named as not done as planned; the undo runs', async function () {
    this.timeout(15000);
    const marker = path.join(dir, 'undone');
    const ledger = new CommandLedger(dir);
    const tag = uniqueSeconds();
    // It starts a child in its group and waits: both must be gone at the fault's end.
    const faults = parseFaultSchedule(`at=0s for=0.5s command='sh -c "sleep ${tag} & sleep ${tag}; wait"' undo='touch ${marker}'`, 'x');
    const driver = new FaultDriver(faults, targets(ledger));
    driver.start(Date.now());
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(withArg(tag).length >= 2, true, 'the command and its child run');
    const record = JSON.parse(fs.readFileSync(path.join(dir, LEDGER_DIR, `${process.pid}.json`), 'utf8')) as { commands: { label: string }[] };
    assert.match(record.commands[0]?.label ?? '', /sleep 300/, 'recorded while it runs');
    await driver.done();
    assert.deepEqual(withArg(tag), [], 'nothing of its group is left');
    assert.ok(fs.existsSync(marker), 'the undo ran');
    assert.match(driver.fired[0]?.error ?? '', /was still running at the fault's end \(for=0\.5s\): ended/);
    assert.ok(!fs.existsSync(path.join(dir, LEDGER_DIR, `${process.pid}.json`)), 'the record is gone with the command');
  });

  it('a point ending early (Ctrl-C) ends a running command’s whole group and runs its undo, without calling it a failure', async function () {
    this.timeout(15000);
    const marker = path.join(dir, 'undone');
    const tag = uniqueSeconds();
    const faults = parseFaultSchedule(`at=0s for=30s command='sh -c "sleep ${tag} & wait"' undo='touch ${marker}'`, 'x');
    const driver = new FaultDriver(faults, targets(new CommandLedger(dir)));
    driver.start(Date.now());
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(withArg(tag).length > 0);
    await driver.abort();
    assert.deepEqual(withArg(tag), []);
    assert.ok(fs.existsSync(marker));
    assert.equal(driver.fired[0]?.error, null);
  });

  it('the next hydra ends what a hydra killed outright left running, checked by start time, and names the undo it did not run', async function () {
    this.timeout(15000);
    const tag = uniqueSeconds();
    // A process group as a fault command leaves it: detached, its leader gone, a member running on.
    const leader = spawn('sh', ['-c', `sleep ${tag} & exit 0`], { detached: true, stdio: 'ignore' });
    const pgid = leader.pid as number;
    const start = processStart(pgid) as number;
    await new Promise((r) => leader.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(groupMembers(pgid, start).length, 1, 'its member runs on');
    // The hydra that recorded it is gone: a process that has exited, with its start time.
    const gone = spawnSync('sh', ['-c', 'echo $$']);
    const deadPid = Number(gone.stdout.toString().trim());
    const ledgerDir = path.join(dir, LEDGER_DIR);
    fs.mkdirSync(ledgerDir);
    const entry = {
      pgid,
      start,
      argv: ['sh', '-c', 'sleep 300 & exit 0'],
      label: 'at=1s for=30s command=...',
      undo: ['systemctl', 'start', 'kafka'],
      since: '',
    };
    fs.writeFileSync(path.join(ledgerDir, `${deadPid}.json`), JSON.stringify({ runner: { pid: deadPid, start: 1, host: os.hostname() }, commands: [entry] }));
    // A record of a live hydra (this process) is left alone, and a group whose start time differs is not signalled.
    fs.writeFileSync(
      path.join(ledgerDir, `${process.pid}.json`),
      JSON.stringify({ runner: { pid: process.pid, start: processStart(process.pid), host: os.hostname() }, commands: [{ ...entry, undo: null }] }),
    );
    const lines = endLeftCommands(dir);
    assert.deepEqual(withArg(tag), [], 'ended');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^ended 1 process of the planned-fault command 'sh -c sleep 300 & exit 0' \(at=1s for=30s command=\.\.\.\), left running by hydra process \d+/,
    );
    assert.match(
      lines[1] ?? '',
      /the undo of .* was not run when hydra process \d+ ended: run it by hand if the fault is still in effect: systemctl start kafka/,
    );
    assert.deepEqual(fs.readdirSync(ledgerDir), [`${process.pid}.json`], 'the live hydra’s record stays');
    // A group id now held by another process (another start time) is not the recorded group: not signalled.
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const otherStart = processStart(other.pid as number) as number;
    try {
      fs.writeFileSync(
        path.join(ledgerDir, `${deadPid}.json`),
        JSON.stringify({
          runner: { pid: deadPid, start: 1, host: os.hostname() },
          commands: [{ ...entry, undo: null, pgid: other.pid, start: otherStart - 1 }],
        }),
      );
      assert.deepEqual(endLeftCommands(dir), []);
      assert.equal(processStart(other.pid as number), otherStart, 'still running');
    } finally {
      other.kill('SIGKILL');
    }
  });
});
