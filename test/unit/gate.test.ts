import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from '../../src/config/flags';
import { runCli } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';
import { EXIT_THRESHOLD } from '../../src/cli/exit-codes';
import { OPTION_FLAGS } from '../../src/config/resolve';
import { gateLines, gateStudy } from '../../src/present/gate';
import { checkThresholds, parseThresholds } from '../../src/gate/thresholds';
import { junitXml } from '../../src/present/junit';
import type { PointRecord } from '../../src/study/record';
import { readJsonLines } from '../../src/study/store';
import { FakeRunner, openFake } from '../fake-runner';
import { fixturePoint } from '../fixtures';
import { tempDir } from '../helpers';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
const io = (runner?: FakeRunner): CliIO & { out: Capture; err: Capture } => {
  const out = new Capture();
  const err = new Capture();
  return { stdout: out, stderr: err, interactive: false, out, err, ...(runner ? { openSession: openFake(runner) } : {}) };
};

describe('thresholds: a gate on the points that measured Kafka', () => {
  it('reads field<op>limit items, and names a bad one with what was meant', () => {
    assert.deepEqual(
      parseThresholds('average_packet_loss<=0.1; latency_p99_ms < 200;failing_clients>=0;average_rate>1e3', '--threshold').map((t) => t.text),
      ['average_packet_loss<=0.1', 'latency_p99_ms<200', 'failing_clients>=0', 'average_rate>1000'],
    );
    assert.throws(() => parseThresholds('latency_p99_ms=200', '--threshold'), /--threshold="latency_p99_ms=200": expected field<limit/);
    assert.throws(() => parseThresholds('latency_p99<200', '--threshold'), /'latency_p99' is not a numeric point field \(did you mean latency_p99_ms\?\)/);
    assert.throws(() => parseThresholds('verdict<1', 'hydra.ini [gate] threshold'), /^Error|not a numeric point field/);
    assert.deepEqual(parseThresholds('', '--threshold'), []);
  });

  it('answers an unknown field in one short line: the closest field, or a few related ones and where the rest are', () => {
    const message = (raw: string): string => {
      try {
        parseThresholds(raw, '--threshold');
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`${raw} was accepted`);
    };
    const close = message('latency_p99<200');
    assert.ok(close.length < 160, close);
    assert.doesNotMatch(close, /one of|related/);
    const far = message('zzzlatencyzzz_produce_wobble<1');
    assert.match(
      far,
      /related: [a-z_0-9]*produce[a-z_0-9]*(, [a-z_0-9]+)*(, and \d+ more)?; every numeric column of 'hydra study export <id> --format=csv' can be named/,
    );
    assert.ok(far.length < 400, `${far.length} characters: ${far}`);
    assert.match(message('qqq<1'), /not a numeric point field \(every numeric column/);
  });

  it('joins a repeated --threshold flag, and still refuses other flags given twice', () => {
    const args = parseArgs(['--threshold=a<1', '--threshold', 'b<2'], OPTION_FLAGS);
    assert.equal(args.flags.get('threshold'), 'a<1;b<2');
    assert.throws(() => parseArgs(['--msg_rate=1', '--msg_rate=2'], OPTION_FLAGS), /given twice/);
  });

  it('judges a point that measured Kafka; a missing figure fails; a harness-limited point neither passes nor fails unless asked', () => {
    const checks = checkThresholds(
      fixturePoint(10, 2000).result as NonNullable<PointRecord['result']>,
      parseThresholds('latency_p99_ms<9;average_packet_loss<=0', 'x'),
    );
    assert.deepEqual(
      checks.map((c) => [c.threshold, c.value, c.passed]),
      [
        ['latency_p99_ms<9', 9, false],
        ['average_packet_loss<=0', 0, true],
      ],
    );
    const nullLatency = { ...fixturePoint(10, 1000) } as PointRecord;
    if (nullLatency.result) nullLatency.result = { ...nullLatency.result, latency_p99_ms: null };
    const limited = fixturePoint(10, 5000, { limited: ['publisher'] });
    const failed = fixturePoint(10, 6000, { failed: true });
    const thresholds = parseThresholds('latency_p99_ms<100', 'x');
    const gate = gateStudy('s', [fixturePoint(10, 1000, {}), nullLatency, limited, failed].slice(1), thresholds);
    assert.deepEqual(
      gate.points.map((p) => [p.name, p.outcome]),
      [
        ['10 clients, 1000 msg/s, batch 100', 'fail'],
        ['10 clients, 5000 msg/s, batch 100', 'harness_limited'],
        ['10 clients, 6000 msg/s, batch 100', 'unmeasured'],
      ],
    );
    assert.equal(gate.failed, true, 'no latency: the check cannot pass');
    const lenient = gateStudy('s', [fixturePoint(10, 1000), limited], thresholds);
    assert.equal(lenient.failed, false, 'harness-limited points do not fail the gate by default');
    assert.match(gateLines(lenient).join('\n'), /1 harness-limited point of study s not judged by the thresholds \(hydra, not Kafka, was the limit there\)/);
    assert.equal(gateStudy('s', [fixturePoint(10, 1000), limited], thresholds, true).failed, true, '--fail_on_harness_limited');
  });

  it('writes JUnit XML: a test case per point, crossings as failures, harness-limited skipped, unmeasured as errors', () => {
    const gate = gateStudy(
      's<1>',
      [fixturePoint(10, 1000), fixturePoint(10, 3000), fixturePoint(10, 5000, { limited: ['host'] }), fixturePoint(10, 6000, { failed: true })],
      parseThresholds('latency_p99_ms<10', 'x'),
    );
    const xml = junitXml([gate]);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="hydra">/);
    assert.match(xml, /<testsuite name="hydra study s&lt;1&gt;" tests="4" failures="1" errors="1" skipped="1">/);
    assert.match(xml, /<testcase classname="hydra.s&lt;1&gt;" name="10 clients, 1000 msg\/s, batch 100" time="[\d.]+"\/>/);
    assert.match(
      xml,
      /name="10 clients, 3000 msg\/s, batch 100"[^>]*>\n {6}<failure message="latency_p99_ms = 11, limit latency_p99_ms&lt;10" type="threshold"\/>/,
    );
    assert.match(xml, /<skipped message="harness-limited, not a measurement of Kafka: /);
    assert.match(xml, /<error message="failed: /);
  });

  it('ends a study command with exit code 3, one line per crossing, the checks stored with the point and JUnit XML', async () => {
    const dir = tempDir();
    try {
      const common = ['--config_file=', `--results_dir=${dir}`, `--log_dir=${path.join(dir, 'logs')}`, '--clients_per_app=2', '--test_duration=1', '--quiet'];
      const junit = path.join(dir, 'gate.xml');
      // The fake Kafka delivers at most 1500 msg/s to a client: 25 % loss at 2000 msg/s.
      const cli = io(new FakeRunner({ capRate: 1500 }));
      const code = await runCli(
        [
          'sweep',
          '--clients=2',
          '--msg_rates=1000,2000',
          '--threshold=average_packet_loss<=0.1',
          '--threshold=latency_p99_ms<1000',
          `--junit=${junit}`,
          '--study_id=g',
          ...common,
        ],
        cli,
      );
      assert.equal(code, EXIT_THRESHOLD, cli.err.text);
      assert.equal(EXIT_THRESHOLD, 3);
      assert.match(
        cli.err.text,
        /^hydra: threshold crossed: study g, 2 clients, 2000 msg\/s, batch 100: average_packet_loss = 25, limit average_packet_loss<=0.1$/m,
      );
      assert.equal(cli.err.text.match(/threshold crossed/g)?.length, 1);
      assert.match(cli.err.text, /1 passed, 1 crossed, 0 harness-limited, 0 not measured — gate FAILED/);
      const stored = readJsonLines<PointRecord>(path.join(dir, 'g', 'points.jsonl'));
      assert.deepEqual(
        stored.map((p) => p.thresholds?.map((c) => c.passed)),
        [
          [true, true],
          [false, true],
        ],
      );
      assert.match(fs.readFileSync(junit, 'utf8'), /tests="2" failures="1"/);

      // A publisher that cannot reach 2000 msg/s: that point is the harness's, not judged, and the gate passes unless asked.
      const capped = io(new FakeRunner({ pubCapRate: 1500 }));
      const args = ['sweep', '--clients=2', '--msg_rates=1000,2000', '--threshold=average_packet_loss<=0.1', ...common];
      assert.equal(await runCli([...args, '--study_id=h'], capped), 0, capped.err.text);
      assert.match(capped.err.text, /1 harness-limited point of study h not judged by the thresholds/);
      const strict = io(new FakeRunner({ pubCapRate: 1500 }));
      assert.equal(await runCli([...args, '--study_id=i', '--fail_on_harness_limited'], strict), EXIT_THRESHOLD);

      // From hydra.ini as well, named by its key when wrong.
      const ini = path.join(dir, 'gate.ini');
      fs.writeFileSync(ini, '[gate]\nthreshold = average_packet_loss<=0.1; latency_p50_ms<0.001\n');
      const fromIni = io(new FakeRunner());
      assert.equal(await runCli(['kafka', '--total_sub_apps=1', '--msg_rate=1000', `--config_file=${ini}`, ...common.slice(1)], fromIni), EXIT_THRESHOLD);
      assert.match(
        fromIni.err.text,
        /threshold crossed: study kafka-[\w-]+, 2 clients, 1000 msg\/s, batch 100: latency_p50_ms = [\d.]+, limit latency_p50_ms<0.001/,
      );
      fs.writeFileSync(ini, '[gate]\nthreshold = latency_p99<8\n');
      const badIni = io(new FakeRunner());
      assert.equal(await runCli(['kafka', `--config_file=${ini}`, ...common.slice(1)], badIni), 2);
      assert.match(badIni.err.text, /gate\.ini \[gate\] threshold="latency_p99<8": 'latency_p99' is not a numeric point field/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
