import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { studyProgress } from '../../src/cli/progress';
import { DEFAULT_OPTIONS, pointParamsOf } from '../../src/config/options';
import { verdictText } from '../../src/present/columns';
import { StudyStore } from '../../src/study/store';
import type { HydraEvent } from '../../src/study/events';
import { failsTimes, FakeRunner, openFake } from '../fake-runner';
import { fixtureFinding, fixturePoint } from '../fixtures';
import { tempDir } from '../helpers';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function io(runner?: FakeRunner, interactive = false): CliIO & { out: Capture; err: Capture } {
  const out = new Capture();
  const err = new Capture();
  return { stdout: out, stderr: err, interactive, out, err, ...(runner ? { openSession: openFake(runner) } : {}) };
}

describe('CLI in process (runCli)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const common = (): string[] => ['--config_file=', `--results_dir=${dir}`, `--log_dir=${path.join(dir, 'logs')}`, '--clients_per_app=2', '--test_duration=1'];

  const badInput: [string[], RegExp][] = [
    [['kafka', '--msg_rate=-1'], /^hydra kafka: --msg_rate="-1": must not be negative/],
    [['kafka', '--msg_rate=1e300'], /^hydra kafka: --msg_rate="1e300": must be at most 10000000/],
    [['kafka', '--msg_batch=1000000'], /^hydra kafka: --msg_batch="1000000": must be at most 10000/],
    [['kafka', '--msg_batch=2.5'], /^hydra kafka: --msg_batch="2.5": expected a whole number/],
    [['kafka', '--compression=brotli'], /^hydra kafka: --compression="brotli": expected none or gzip or snappy or lz4 or zstd/],
    [['kafka', '--compression=zstd'], /^hydra kafka: --compression="zstd": needs the librdkafka or native client: set client_library=librdkafka/],
    [['sweep', '--clients=2', '--msg_rates=100', '--msg_size=8'], /^hydra sweep: --msg_size="8": must be at least 16/],
    [['kafka', '--partitions=0'], /^hydra kafka: --partitions="0": must be at least 1/],
    [['sweep', '--msg_rates=0x10'], /^hydra sweep: --msg_rates="0x10": not a number/],
    [['sweep', '--msg_rates=100,100'], /^hydra sweep: --msg_rates="100,100": 100 is listed twice/],
    [['sweep', '--msg_rate=100', '--msg_rates=200'], /^hydra sweep: --msg_rate: conflicts with --msg_rates/],
    [['sweep', '--total_sub_apps=2', '--clients=4'], /^hydra sweep: --total_sub_apps: conflicts with --clients/],
    [['kafka', '-msg_rate=100'], /^hydra kafka: -msg_rate=100: flags start with two dashes/],
    [['kafka', 'stray'], /^hydra kafka: stray: unexpected argument/],
    [['kafka', '--json=maybe'], /^hydra kafka: --json="maybe": expected true or false/],
    [['kafkarate', '--loss_bound=150'], /^hydra kafkarate: --loss_bound="150": must be at most 100/],
    [['kafka', '--brokers=127.0.0.1:99999'], /^hydra kafka: --brokers="127.0.0.1:99999": port must be 1-65535/],
    [['kafka', '--no_such_flag'], /^hydra kafka: --no_such_flag: unknown flag/],
    [['kafka', '--test_duration=abc'], /^hydra kafka: --test_duration="abc": not a number/],
    [['kafka', '--config_file=/nonexistent/hydra.ini'], /^hydra kafka: --config_file="\/nonexistent\/hydra.ini": cannot read/],
    [['study', 'export', 'x', '--format=xml'], /^hydra study: --format="xml": expected csv, jsonl or omb/],
    [['nope'], /^hydra: unknown command 'nope'/],
    [['kafka', '--log_dir=/dev/null'], /^hydra kafka: --log_dir="\/dev\/null": not a directory/],
    [['sweep', '--results_dir=/dev/null'], /^hydra sweep: --results_dir="\/dev\/null": not a directory/],
    [['kafka', '--log_dir='], /^hydra kafka: --log_dir="": must name a directory/],
    [['sweep', '--clients_per_app=1', '--clients=100000'], /^hydra sweep: --clients="100000": needs 100000 sub apps; at most 10000/],
    [['sweep', '--clients_per_app=1', '--clients=2000'], /^hydra sweep: --clients="2000": needs 2000 sub apps; the local launcher starts at most 1000/],
    [['kafka', '--total_sub_apps=5000'], /^hydra kafka: --total_sub_apps="5000": needs 5000 sub apps; the local launcher starts at most 1000/],
    [['sweep', '--study_id=../escape'], /^hydra sweep: --study_id="..\/escape": use letters, digits/],
    [['plot', 'missing-study', '--format=pdf'], /^hydra plot: --format="pdf": expected html, png or svg/],
    [['sweep', '--vary=msg_rate=1,2'], /^hydra sweep: --vary="msg_rate=1,2": cannot vary 'msg_rate'/],
    [['sweep', '--vary=idempotent=true'], /^hydra sweep: --vary idempotent="true": the idempotent producer needs acks=-1 \(all\), but acks is 1 \(--acks\)/],
    [['kafka', '--idempotent'], /^hydra kafka: --idempotent="true": the idempotent producer needs acks=-1 \(all\), but acks is 1 \(default acks\)/],
    [['kafka', '--max_in_flight=0'], /^hydra kafka: --max_in_flight="0": must be at least 1/],
    [['kafka', '--msg_rate=100', '--msg_rate=200'], /^hydra kafka: --msg_rate: given twice; give it once/],
    [['kafka', '--msg_rate=100', '--msg-rate=200'], /^hydra kafka: --msg_rate: given twice; give it once/],
    [['kafka', '--log_dir=/proc/self'], /^hydra kafka: log_dir="\/proc\/self": cannot create directories there: ENOENT/],
    [['study', 'frobnicate'], /^hydra study: subcommand="frobnicate": expected list, show, export, spec, rerun or resume$/m],
    [['study', 'lst'], /^hydra study: subcommand="lst": expected list, show, export, spec, rerun or resume \(did you mean list\?\)$/m],
    [['kafka', '--msg_rat=100'], /^hydra kafka: --msg_rat: unknown flag \(did you mean --msg_rate\?\) \(see --help\)$/m],
    [['sweep', '--client=2'], /^hydra sweep: --client: unknown flag \(did you mean --clients\?\)/],
    [['study', 'show', 'no-such-study-x'], /^hydra study: study="no-such-study-x": no such study in /],
    [['sweeep'], /^hydra: unknown command 'sweeep' \(did you mean sweep\?\)/],
    [['serve', '--host=10.1.2.3'], /^hydra serve: --host="10.1.2.3": serves beyond this machine: the pages have no login and no TLS.*--allow_remote/],
    [['serve', '--host=not-an-address'], /^hydra serve: --host="not-an-address": expected an IP address of this host or localhost/],
    [['serve', '--port=70000'], /^hydra serve: --port="70000": must be at most 65535/],
  ];
  for (const [argv, message] of badInput) {
    it(`exits 2 with one line and opens nothing for: ${argv.join(' ')}`, async () => {
      const runner = new FakeRunner();
      const cli = io(runner);
      const named = argv.some((a) => a.startsWith('--config_file'));
      const code = await runCli([...argv, ...(argv[0] === 'nope' || argv[0] === 'sweeep' || named ? [] : ['--config_file='])], cli);
      assert.equal(code, 2);
      assert.match(cli.err.text, message);
      if (argv[0] !== 'nope' && argv[0] !== 'sweeep') assert.equal(cli.err.text.trim().split('\n').length, 1, cli.err.text);
      assert.equal(runner.calls.length, 0, 'nothing was measured');
      assert.deepEqual(fs.readdirSync(dir), [], 'nothing was created');
    });
  }

  const badIni: [string, RegExp][] = [
    ['[control]\nhost = not-a-host\n', /\[control\] host="not-a-host": expected an IP address of this host/],
    ['[control]\nhost = 10.99.99.99\n', /\[control\] host="10.99.99.99": not an address of this host/],
    ['[nosuchsection]\n', /\[nosuchsection\]: unknown section/],
    ['[test]\nmsg_rat = 100\n', /\[test\] msg_rat="100": unknown key \(did you mean msg_rate\?\)/],
    ['[tset]\n', /\[tset\]: unknown section \(did you mean test\?\)/],
  ];
  for (const [text, message] of badIni) {
    it(`refuses hydra.ini ${JSON.stringify(text)} naming the file and key`, async () => {
      const ini = path.join(dir, 'bad.ini');
      fs.writeFileSync(ini, text);
      const runner = new FakeRunner();
      const cli = io(runner);
      assert.equal(await runCli(['kafka', `--config_file=${ini}`], cli), 2);
      assert.match(cli.err.text, message);
      assert.equal(runner.calls.length, 0);
    });
  }

  for (const flag of ['--json=maybe', '--report=maybe', '--quiet=maybe'])
    it(`checks ${flag} before anything starts: exit 2, no study created, nothing measured`, async () => {
      const runner = new FakeRunner();
      const cli = io(runner);
      assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100', flag, ...common()], cli), 2);
      assert.equal(cli.err.text, `hydra sweep: ${flag.replace('=maybe', '')}="maybe": expected true or false\n`);
      assert.equal(runner.calls.length, 0);
      assert.deepEqual(fs.readdirSync(dir), [], 'no study, no log directory');
    });

  it('with no command, explains on stderr and exits 2 (stdout stays empty for pipes)', async () => {
    const cli = io();
    assert.equal(await runCli([], cli), 2);
    assert.equal(cli.out.text, '');
    assert.match(cli.err.text, /^hydra: no command given\nhydra — scaling studies of Apache Kafka/);
    const help = io();
    assert.equal(await runCli(['--help'], help), 0);
    assert.match(help.out.text, /^hydra — scaling studies/);
  });

  it('study list names an unreadable study and still lists the others', async () => {
    const runner = new FakeRunner();
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=100', '--study_id=good', '--quiet', ...common()], io(runner)), 0);
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'study.json'), '');
    const cli = io();
    assert.equal(await runCli(['study', 'list', `--results_dir=${dir}`, '--config_file='], cli), 0);
    assert.match(cli.out.text, /^good\b/m);
    assert.match(cli.err.text, /^hydra: study 'broken' is unreadable: cannot read .*study\.json/m);
  });

  it('refuses a FIFO as --config_file at once instead of hanging', async () => {
    const fifo = path.join(dir, 'fifo.ini');
    execFileSync('mkfifo', [fifo]);
    const cli = io(new FakeRunner());
    assert.equal(await runCli(['kafka', `--config_file=${fifo}`], cli), 2);
    assert.match(cli.err.text, /--config_file=".*fifo\.ini": not a regular file/);
  });

  it('crosses a sweep with --vary workloads: every combination, each point carrying its values', async () => {
    const runner = new FakeRunner();
    const cli = io(runner);
    const code = await runCli(['sweep', '--clients=2', '--msg_rates=100,200', '--vary=msg_size=100,1000;compression=none,gzip', '--quiet', ...common()], cli);
    assert.equal(code, 0, cli.err.text);
    assert.deepEqual(
      runner.calls.map((p) => `${p.msg_size}/${p.compression}/${p.msg_rate}`),
      ['100/none/100', '100/none/200', '100/gzip/100', '100/gzip/200', '1000/none/100', '1000/none/200', '1000/gzip/100', '1000/gzip/200'],
    );
  });

  it('refuses an unreachable broker before anything is created (no study directory)', async () => {
    const cli = io();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const code = await runCli(['sweep', '--brokers=127.0.0.1:1', '--clients=2', '--msg_rates=100', ...common()], cli);
    assert.equal(code, 2);
    assert.match(
      cli.err.text,
      /^hydra sweep: brokers="127.0.0.1:1": no broker accepts connections: 127.0.0.1:1: connection refused \(ECONNREFUSED\): the host answers, but nothing listens on that port/,
    );
    assert.doesNotMatch(cli.err.text, /tried for/, 'a refusal comes at once: no "tried for 5 s"');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('tells a host name that does not resolve from a refused port, each broker with its reason', async () => {
    const cli = io();
    // .invalid never resolves (RFC 2606): the resolver answers without any connection being made.
    const code = await runCli(['kafka', '--brokers=no-such-host.invalid:9092,127.0.0.1:1', ...common()], cli);
    assert.equal(code, 2);
    assert.match(cli.err.text, /no-such-host\.invalid:9092: the host name does not resolve \((ENOTFOUND|EAI_AGAIN)\); 127\.0\.0\.1:1: connection refused/);
    assert.equal(cli.err.text.trim().split('\n').length, 1);
  });

  it('names the ini key, not a flag, for a bad hydra.ini value', async () => {
    const ini = path.join(dir, 'bad.ini');
    fs.writeFileSync(ini, '[broker]\nbrokers = nohostport\n');
    const cli = io(new FakeRunner());
    assert.equal(await runCli(['kafka', `--config_file=${ini}`], cli), 2);
    assert.match(cli.err.text, /bad\.ini \[broker\] brokers="nohostport": expected host:port/);
  });

  it('prints help for every command, listing its flags with defaults', async () => {
    for (const name of ['kafka', 'sweep', 'kafkarate', 'kafka-batch', 'kafkafixed', 'study', 'plot', 'report', 'compare', 'serve', 'broker']) {
      const cli = io();
      assert.equal(await runCli([name, '--help'], cli), 0, name);
      assert.match(cli.out.text, new RegExp(`^usage: hydra ${name}`), name);
      assert.match(cli.out.text, /--help\s+show this help/, name);
    }
    const top = io();
    assert.equal(await runCli(['--help'], top), 0);
    assert.match(top.out.text, /commands:\n {2}kafka/);
    const kafka = io();
    await runCli(['kafka', '--help'], kafka);
    assert.match(kafka.out.text, /--msg_rate=<msg\/s>\s+requested publish rate \(default: 10000\)/);
  });

  it('runs one point (hydra kafka) and prints the RES dict, or JSON, and --json=false is not JSON', async () => {
    const runner = new FakeRunner();
    const cli = io(runner);
    assert.equal(
      await runCli(
        ['kafka', '--total_sub_apps=2', '--clients_per_app=2', '--msg_rate=500', '--test_duration=2', '--config_file=', '--quiet', `--results_dir=${dir}`],
        cli,
      ),
      0,
    );
    assert.match(cli.out.text, /^RES = \{'average_packet_loss': 0,/);
    assert.equal(cli.err.text, '');
    assert.equal(runner.closes, 1);
    assert.equal(runner.calls.length, 1);
    const json = io(new FakeRunner());
    await runCli(['kafka', '--total_sub_apps=1', '--clients_per_app=2', '--config_file=', '--quiet', '--json', `--results_dir=${dir}`, '--study_id=k1'], json);
    const parsed = JSON.parse(json.out.text) as { client_count: number; study: string; verdict: string; verdict_label: string };
    assert.deepEqual([parsed.client_count, parsed.study], [2, 'k1']);
    // One word per verdict: the JSON's is the stored one, and the table's label rides beside it.
    const [stored] = StudyStore.open(dir, 'k1').readPoints();
    assert.ok(stored?.result);
    assert.equal(parsed.verdict, stored.result.verdict);
    assert.equal(parsed.verdict_label, verdictText(stored));
    assert.match(cli.out.text, /'verdict_label': '[a-z:+]+'/, 'the RES dict carries the label too');
    // Stored as a one-point study: study show and export work on it.
    const show = io();
    assert.equal(await runCli(['study', 'show', 'k1', `--results_dir=${dir}`, '--config_file='], show), 0);
    assert.match(show.out.text, /^study k1 \(kafka, done\)/);
    const notJson = io(new FakeRunner());
    await runCli(['kafka', '--total_sub_apps=1', '--clients_per_app=2', '--config_file=', '--quiet', '--json=false', `--results_dir=${dir}`], notJson);
    assert.match(notJson.out.text, /^RES = /);
  });

  it('runs a sweep, shows and exports it (CSV, JSON Lines, stdout)', async () => {
    const runner = new FakeRunner({ fault: failsTimes(1) });
    const cli = io(runner);
    const code = await runCli(['sweep', '--clients=2,4', '--msg_rates=500,1000', '--study_id=s1', ...common()], cli);
    assert.equal(code, 0, cli.err.text);
    assert.equal(runner.calls.length, 5, '4 points, one retried');
    assert.match(cli.err.text, /hydra: study s1 in .*: 4 points\n/);
    assert.match(cli.err.text, /hydra: retry 2\/4 of 2 clients, 500 msg\/s, batch 100 with fresh apps: publisher app died/);
    assert.match(cli.out.text, /clients {2}batch {2}rate {2}status/);

    const show = io();
    assert.equal(await runCli(['study', 'show', 's1', `--results_dir=${dir}`, '--config_file='], show), 0);
    assert.match(show.out.text, /^study s1 \(sweep, done\)/);
    assert.match(show.out.text, /^4 clients: no loss up to 1000 msg\/s \(no point lost messages\)$/m);
    assert.match(cli.out.text, /^2 clients: no loss up to 1000 msg\/s \(no point lost messages\)$/m, 'a study ends with its summary');
    assert.equal(
      show.out.text
        .trim()
        .split('\n')
        .filter((l) => / ok /.test(l)).length,
      4,
    );

    const list = io();
    await runCli(['study', 'list', `--results_dir=${dir}`, '--config_file='], list);
    const [header, row] = list.out.text.split('\n');
    assert.match(header as string, /^study {2}kind {3}status {2}points {2}measured {2}harness-limited {2}invalid {2}failed {2}broker {4}created$/);
    assert.match(row as string, /^s1 +sweep +done +4 +4 +0 +0 +0 +embedded +20\d\d-/);
    assert.equal(row?.indexOf('sweep'), header?.indexOf('kind'), 'columns line up with the header');
    const listJson = io();
    assert.equal(await runCli(['study', 'list', '--json', `--results_dir=${dir}`, '--config_file='], listJson), 0);
    assert.deepEqual(
      (JSON.parse(listJson.out.text) as { id: string; points: number; measured: number; broker: string }[]).map((s) => [s.id, s.points, s.measured, s.broker]),
      [['s1', 4, 4, 'embedded']],
    );

    const csv = io();
    assert.equal(await runCli(['study', 'export', 's1', '--out=-', `--results_dir=${dir}`, '--config_file='], csv), 0);
    assert.equal(csv.out.text.trim().split('\n').length, 5);
    assert.match(csv.out.text, /^study,total_sub_apps,total_pub_apps,clients_per_app,msg_rate,/);

    const jsonl = io();
    assert.equal(await runCli(['study', 'export', 's1', '--format=jsonl', `--results_dir=${dir}`, '--config_file='], jsonl), 0);
    const file = jsonl.out.text.trim();
    assert.equal(path.basename(file), 'points.jsonl');
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 4);
  });

  it('hydra kafka measures once: a failing point is one error line and exit 1, stored as failed, not retried', async () => {
    const runner = new FakeRunner({ fault: () => new Error('broker gone') });
    const cli = io(runner);
    const code = await runCli(['kafka', '--total_sub_apps=1', '--study_id=k2', ...common()], cli);
    assert.equal(code, 1, cli.err.text);
    assert.match(cli.err.text, /^hydra kafka: error: broker gone/m);
    assert.equal(runner.calls.length, 1, `not retried: ${cli.err.text}`);
    assert.equal(cli.out.text, '');
  });

  it("replays a study's workload from its spec file: same points, same options, flags still win", async () => {
    const first = new FakeRunner();
    const base = ['--config_file=', `--results_dir=${dir}`, `--log_dir=${path.join(dir, 'logs')}`, '--quiet'];
    assert.equal(
      await runCli(
        ['sweep', '--clients=2,4', '--msg_rates=500,1000', '--clients_per_app=2', '--test_duration=3', '--vary=msg_size=100,200', '--study_id=orig', ...base],
        io(first),
      ),
      0,
    );
    const file = path.join(dir, 'study.yaml');
    const spec = io();
    assert.equal(await runCli(['study', 'spec', 'orig', `--out=${file}`, `--results_dir=${dir}`, '--config_file='], spec), 0);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^# hydra study workload, taken from study orig/);
    assert.match(text, /^kind: sweep$/m);
    assert.match(text, /^ {2}client_counts: \[2, 4\]$/m);
    assert.match(text, /^ {2}test_duration: 3$/m);
    const body = text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    assert.doesNotMatch(body, /brokers|results_dir|k8s_|sasl|log_dir/, 'where it ran is not part of the workload');

    const again = new FakeRunner();
    assert.equal(await runCli(['sweep', `--spec=${file}`, '--study_id=copy', ...base], io(again)), 0);
    const key = (p: { total_sub_apps: number; msg_rate: number; msg_size: number; test_duration: number; clients_per_app: number }): string =>
      `${p.total_sub_apps}x${p.clients_per_app}/${p.msg_rate}/${p.msg_size}/${p.test_duration}`;
    assert.deepEqual(again.calls.map(key), first.calls.map(key));
    assert.equal(again.calls.length, 8);

    const shorter = new FakeRunner();
    assert.equal(await runCli(['sweep', `--spec=${file}`, '--test_duration=1', '--msg_rates=700', '--study_id=flags-win', ...base], io(shorter)), 0);
    assert.deepEqual([...new Set(shorter.calls.map((p) => `${p.msg_rate}/${p.test_duration}`))], ['700/1']);

    const wrongKind = io(new FakeRunner());
    assert.equal(await runCli(['kafkarate', `--spec=${file}`, ...base], wrongKind), 2);
    assert.match(wrongKind.err.text, /--spec=".*study\.yaml": holds a sweep study: run it with hydra sweep --spec=/);

    fs.writeFileSync(path.join(dir, 'bad.yaml'), text.replace(/^options:$/m, 'options:\n  brokers: kafka-1:9092'));
    const bad = io(new FakeRunner());
    assert.equal(await runCli(['sweep', `--spec=${path.join(dir, 'bad.yaml')}`, ...base], bad), 2);
    assert.match(bad.err.text, /bad\.yaml options\.brokers: not a workload option \(where a study runs, not its workload: set it in hydra\.ini or a flag\)/);

    fs.writeFileSync(path.join(dir, 'typo.yaml'), text.replace(/^ {2}test_duration: 3$/m, '  test_duraton: 3'));
    const typo = io(new FakeRunner());
    assert.equal(await runCli(['sweep', `--spec=${path.join(dir, 'typo.yaml')}`, ...base], typo), 2);
    assert.match(typo.err.text, /typo\.yaml options\.test_duraton: not a workload option \(did you mean test_duration\?\)/);
  });

  it('exits 1 when a study stores a failed point', async () => {
    const cli = io(new FakeRunner({ fault: (p) => (p.msg_rate === 1000 ? new Error('broker gone') : null) }));
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=500,1000', '--study_id=f1', '--quiet', ...common()], cli), 1);
    // Named as people read a point, not by its internal key.
    assert.match(cli.out.text, /^ {2}failed: 2 clients, 1000 msg\/s, batch 100: broker gone/m);
    assert.doesNotMatch(cli.out.text, /total_sub_apps=/);
  });

  it('warns before a study likely to mislead, naming what fixes it, and still runs it', async () => {
    const runner = new FakeRunner();
    const cli = io(runner);
    assert.equal(await runCli(['sweep', '--clients=2', '--msg_rates=10,1000', '--quiet', ...common()], cli), 0);
    assert.equal(
      cli.err.text,
      'hydra: warning: at 10 msg/s for 1 s a client gets 10 messages per point: one lost message is 10 % loss, and smaller losses cannot be seen; use test_duration=100 or more (or higher rates)\n',
    );
    assert.equal(runner.calls.length, 2);
  });
});

describe('progress display', () => {
  const params = pointParamsOf({ ...DEFAULT_OPTIONS, clients_per_app: 2, total_sub_apps: 2, msg_rate: 500 });
  const events: HydraEvent[] = [
    { type: 'broker', brokers: ['127.0.0.1:9092'], embedded: true },
    { type: 'study-start', studyId: 's', dir: '/r/s', totalPoints: 2, donePoints: 1 },
    { type: 'point-start', index: 1, total: 2, params },
    { type: 'phase', phase: 'publish', detail: '500 msg/s for 10 s' },
    { type: 'point-retry', attempt: 2, maxAttempts: 4, params, error: 'app died' },
    { type: 'point-done', index: 1, total: 2, record: fixturePoint(4, 500) },
    { type: 'point-done', index: 1, total: 2, record: fixturePoint(4, 500, { failed: true }) },
    {
      type: 'search-done',
      finding: fixtureFinding({ client_count: 4, max_rate: 4000, max_rx_rate: 3950, no_drop_rate: 5000, steps: 7 }),
    },
    { type: 'study-done', studyId: 's', dir: '/r/s', points: 2, failed: 1, invalid: 0 },
  ];

  it('prints one plain line per event when stderr is not a terminal', () => {
    const cli = io();
    const sink = studyProgress(cli);
    for (const e of events) sink(e);
    assert.deepEqual(cli.err.text.split('\n'), [
      'hydra: embedded broker at 127.0.0.1:9092',
      'hydra: study s in /r/s: 2 points, 1 already done',
      'hydra: point 2/2: 4 clients, 500 msg/s, batch 100',
      'hydra: retry 2/4 of 4 clients, 500 msg/s, batch 100 with fresh apps: app died',
      "hydra: point 2/2 done: 4 clients, 500 msg/s, batch 100 → loss 0.000 %, rx 500.0 msg/s, tx 499.5 msg/s, failing 0/4 — rehearsal on hydra's embedded broker, not Kafka",
      'hydra: point 2/2 done: 4 clients, 500 msg/s, batch 100 → FAILED after 4 attempts: publisher app died',
      'hydra: 4 clients: max rate 4000 msg/s, no-drop rate 5000 msg/s (converged within precision)',
      'hydra: study s done: 2 points (1 failed) in /r/s',
      '',
    ]);
  });

  it('shows a long point is alive: a plain line after a quiet spell, the phase and its seconds on the bar', async () => {
    const plain = io();
    const sink = studyProgress(plain, { barMs: 10, quietMs: 40 });
    sink(events[1] as HydraEvent);
    sink(events[2] as HydraEvent);
    sink({ type: 'phase', phase: 'publish', detail: '500 msg/s for 10 s' });
    await new Promise((r) => setTimeout(r, 150));
    sink({ type: 'point-done', index: 1, total: 2, record: fixturePoint(4, 500) });
    const lines = plain.err.text.split('\n');
    assert.ok(
      lines.some((l) => /^hydra: point 2\/2 still running: 4 clients, 500 msg\/s, batch 100 — publish 0 s$/.test(l)),
      plain.err.text,
    );
    const before = plain.err.text;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(plain.err.text, before, 'nothing more once the point is done');
    sink({ type: 'study-done', studyId: 's', dir: '/r/s', points: 2, failed: 0, invalid: 0, measured: 1, harnessLimited: 1 });
    assert.match(plain.err.text, /hydra: study s done: 2 points \(1 measured now; 0 failed, 1 harness-limited\) in \/r\/s\n$/);

    const term = io(undefined, true);
    const bar = studyProgress(term, { barMs: 10, quietMs: 40 });
    for (const e of events.slice(0, 4)) bar(e);
    await new Promise((r) => setTimeout(r, 60));
    bar({ type: 'study-done', studyId: 's', dir: '/r/s', points: 2, failed: 0, invalid: 0 });
    assert.match(term.err.text, /4 clients, 500 msg\/s, batch 100 — publish 0 s/);
  });

  it('redraws a bar with an ETA on a terminal', () => {
    const cli = io(undefined, true);
    const sink = studyProgress(cli);
    for (const e of events.slice(0, 3)) sink(e);
    // eslint-disable-next-line no-control-regex -- the bar is drawn with ANSI escapes
    assert.match(cli.err.text, /\r\x1b\[K\[#{12}\.{12}\] 1\/2 points {2}ETA \? {2}4 clients, 500 msg\/s, batch 100$/);
  });
});
