import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { MessageBuilder } from '../../src/apps/payload';
import { decodeMessage } from '../../src/apps/message';
import { runCli } from '../../src/cli/main';
import { clientsPerAppFor } from '../../src/cli/commands/omb';
import { compareStudies } from '../../src/compare/compare';
import { ConfigError } from '../../src/errors';
import { ombAsStudy, readOmbResult } from '../../src/omb/compare-side';
import { OMB_SCALARS, ombLeftOut, ombResultOf } from '../../src/omb/result';
import { ombStudyPlan, readOmbWorkload, type OmbWorkload } from '../../src/omb/workload';
import type { OkPointRecord } from '../../src/study/record';
import type { StudySpec } from '../../src/study/spec';
import { fixturePoint, fixtureSpec } from '../fixtures';
import { REPO_ROOT, tempDir } from '../helpers';

/** OMB-shaped workload files written for these tests (test/omb-workloads). */
const WORKLOADS = path.join(REPO_ROOT, 'test', 'omb-workloads');
const workload = (name: string): string => path.join(WORKLOADS, `${name}.yaml`);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The fields OMB's chart script (bin/create_charts.py) reads of every result. */
const CHART_SERIES = ['publishLatency99pct', 'publishDelayLatency99pct', 'publishRate', 'endToEndLatency95pct', 'consumeRate', 'endToEndLatencyAvg'];
const CHART_QUANTILES = ['aggregatedPublishLatencyQuantiles', 'aggregatedPublishDelayLatencyQuantiles', 'aggregatedEndToEndLatencyQuantiles'];

function withOmbFigures(record: OkPointRecord): OkPointRecord {
  return {
    ...record,
    result: { ...record.result, latency_mean_ms: 40, produce_rtt_mean_ms: 3, publish_delay_p50_ms: 0.2, publish_delay_p99_ms: 1.5, publish_delay_max_ms: 4 },
  };
}

const studySpec = (over: Partial<StudySpec> = {}): StudySpec => fixtureSpec({ id: 'omb-study', ...over });

describe('OpenMessaging Benchmark workloads', () => {
  it('maps a single-topic 1 KB workload with a payload file: size from the file, batches of one, OMB’s one-minute warm-up', () => {
    const file = workload('1-topic-1-partition-1kb');
    const plan = ombStudyPlan(readOmbWorkload(file), file);
    assert.equal(plan.kind, 'sweep');
    assert.equal(plan.workload.name, '1 topic / 1 partition / 1Kb');
    assert.equal(plan.options.payload_file, path.join(WORKLOADS, 'payload', 'payload-1Kb.data'));
    assert.deepEqual(
      [plan.options.msg_size, plan.options.msg_rate, plan.options.msg_batch, plan.options.test_duration, plan.options.warmup, plan.options.topics],
      [1024, 1000, 1, 900, 60, 1],
    );
    assert.deepEqual(plan.grid.client_counts, [1]);
    assert.equal(plan.fieldOf.partitions, 'partitionsPerTopic');
  });

  it('maps a shared subscription to a shared group per topic, producers per topic to publisher apps, keys to 10 000 keys', () => {
    const file = workload('2-topics-shared-subscription');
    const plan = ombStudyPlan(readOmbWorkload(file), file);
    assert.deepEqual(
      [plan.options.consumer_group, plan.options.topics, plan.options.partitions, plan.options.total_pub_apps, plan.options.keys, plan.options.key_count],
      ['shared', 2, 2, 2, 'round_robin', 10000],
    );
    assert.equal(plan.options.payload_random_pct, 50);
    assert.deepEqual(plan.grid.client_counts, [4]);
    assert.ok(plan.notes.some((n) => /each writing every topic/.test(n)));
  });

  it('sends in batches of what a millisecond of a publisher’s share holds (OMB paces every message)', () => {
    const file = workload('1-topic-1-partition-1kb');
    const base = readOmbWorkload(file);
    const batchOf = (producerRate: number, producersPerTopic: number): number | undefined =>
      ombStudyPlan({ ...base, producerRate, producersPerTopic }, file).options.msg_batch;
    assert.deepEqual([batchOf(50000, 1), batchOf(50000, 4), batchOf(1000, 2), batchOf(10, 1)], [50, 13, 1, 1]);
  });

  it('runs producerRate 0 as a boundary search, said so', () => {
    const file = workload('max-rate');
    const plan = ombStudyPlan(readOmbWorkload(file), file);
    assert.equal(plan.kind, 'kafkarate');
    assert.equal(plan.options.msg_rate, undefined);
    assert.deepEqual(plan.grid.client_counts, [2]);
    assert.ok(plan.notes.some((n) => /producerRate 0.*kafkarate/.test(n)));
  });

  it('refuses what cannot map, naming the field: a backlog, several shared subscriptions per topic, a message smaller than the header', () => {
    const file = workload('1-topic-1-partition-1kb');
    const base = readOmbWorkload(file);
    const refused = (w: Partial<OmbWorkload>, field: RegExp): void =>
      assert.throws(
        () => ombStudyPlan({ ...base, ...w }, file),
        (e: unknown) => e instanceof ConfigError && field.test(e.message),
      );
    refused({ consumerBacklogSizeGB: 1 }, /consumerBacklogSizeGB.*does not build a backlog/);
    refused({ subscriptionsPerTopic: 2, consumerPerSubscription: 3 }, /subscriptionsPerTopic.*one shared group per topic/);
    refused({ payloadFile: null, messageSize: 10 }, /messageSize="10".*16-byte header/);
    refused({ producersPerTopic: 100 }, /producersPerTopic.*at most 64/);
  });

  for (const [name, message] of [
    ['bad-unknown-field', /bad-unknown-field\.yaml partitionPerTopic: not a field of an OMB workload \(did you mean partitionsPerTopic\?\)/],
    ['bad-negative-count', /bad-negative-count\.yaml topics="-1": must not be negative/],
    ['bad-missing-payload', /bad-missing-payload\.yaml payloadFile=.*no-such-payload\.data.*cannot read the payload file \(ENOENT\)/],
  ] as const) {
    it(`exits 2 naming the field for ${name}.yaml, and makes nothing`, async () => {
      const dir = tempDir();
      try {
        const err = new Capture();
        const code = await runCli(['omb', 'run', workload(name), '--config_file=', `--results_dir=${dir}`], {
          stdout: new Capture(),
          stderr: err,
          interactive: false,
        });
        assert.equal(code, 2, err.text);
        assert.match(err.text, message);
        assert.equal(err.text.trim().split('\n').length, 1, err.text);
        assert.deepEqual(fs.readdirSync(dir), []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('fills whole sub apps: the largest clients per app up to hydra.ini’s that divides the workload’s clients', () => {
    assert.equal(clientsPerAppFor(100, 10), 10);
    assert.equal(clientsPerAppFor(4, 10), 4);
    assert.equal(clientsPerAppFor(14, 10), 7);
    assert.equal(clientsPerAppFor(13, 10), 1);
  });

  it('builds every value from a payload file: the file’s bytes with the header written over the first 16', () => {
    const payload = Buffer.from(Array.from({ length: 64 }, (_, i) => i + 100));
    const builder = new MessageBuilder(64, 100, payload);
    const value = builder.build({ seq: 7, pubId: 1, epoch: 3, intendedMs: 1000, sentMs: 1000 }, 0);
    assert.equal(value.length, 64);
    assert.deepEqual(value.subarray(16), payload.subarray(16));
    assert.equal(decodeMessage(value, 0)?.seq, 7);
    // The file's bytes are not changed by building from them.
    assert.equal(payload[0], 100);
  });
});

describe('OMB results: export and compare', () => {
  it('writes every field OMB’s chart script reads, one value per series for the window, and says what it did not measure', () => {
    const record = withOmbFigures(fixturePoint(10, 1000) as OkPointRecord);
    const spec = studySpec({ omb: { file: 'w.yaml', workload: '1 topic / 1 partition / 1Kb', notes: [] } });
    const out = ombResultOf(spec, record);
    assert.equal(out.workload, '1 topic / 1 partition / 1Kb', 'grouped with OMB’s runs of the same workload');
    assert.match(out.driver, /^hydra-kafkajs \(embedded broker: rehearsal\)$/);
    for (const field of CHART_SERIES) {
      const series = (out as unknown as Record<string, unknown>)[field];
      assert.ok(Array.isArray(series) && series.length === 1 && typeof series[0] === 'number', field);
    }
    for (const field of CHART_QUANTILES) assert.ok(Object.keys((out as unknown as Record<string, object>)[field] ?? {}).length > 0, field);
    // OMB's consume rate is every consumer's together: 10 clients × the per-client rate.
    assert.equal(out.consumeRate[0], 10 * record.result.average_rate);
    assert.equal(out.publishDelayLatency99pct[0], 1500, 'µs, as OMB gives it');
    for (const scalar of OMB_SCALARS) assert.equal(typeof out[scalar], 'number', scalar);
    assert.ok(out.hydra.not_measured.includes('publishLatency75pct'));
    assert.equal(out.hydra.verdict, 'rehearsal');
  });

  it('leaves out points that are not measurements of Kafka’s steady state', () => {
    assert.equal(ombLeftOut(fixturePoint(10, 1000)), null);
    assert.equal(ombLeftOut(fixturePoint(10, 1000, { failed: true })), 'failed');
    const limited = fixturePoint(10, 1000) as OkPointRecord;
    assert.equal(ombLeftOut({ ...limited, result: { ...limited.result, verdict: 'harness_limited' } }), 'harness-limited');
  });

  it('reads an export back as one side of compare: matched to its point, figures equal, loss not a number', () => {
    const dir = tempDir();
    try {
      const record = withOmbFigures(fixturePoint(10, 1000) as OkPointRecord);
      const other = withOmbFigures(fixturePoint(10, 2000) as OkPointRecord);
      const spec = studySpec();
      const file = path.join(dir, 'run.json');
      fs.writeFileSync(file, JSON.stringify(ombResultOf(spec, record)));
      const study = { spec, points: [record, other] };
      const side = ombAsStudy(readOmbResult(file), file, [study]);
      assert.match(side.note, /matched to 10 clients, 1000 msg\/s, batch 100 — its requested rate/);
      const comparison = compareStudies([study, side.study]);
      assert.equal(comparison.studies[1]?.kind, 'omb result');
      const point = comparison.shared.find((p) => p.msgRate === 1000);
      assert.ok(point, JSON.stringify(comparison.unshared));
      const diff = (field: string): (number | null)[] | undefined => point.diffs.find((d) => d.field === field)?.diff;
      assert.ok(Math.abs(diff('average_rate')?.[1] ?? NaN) < 1e-9);
      assert.ok(Math.abs(diff('latency_p99_ms')?.[1] ?? NaN) < 1e-9);
      assert.equal(point.diffs.find((d) => d.field === 'average_packet_loss')?.values[1], null, 'OMB measures no loss');
      // An OMB run of its own (no hydra part) is matched by the rate nearest its publish rate.
      const plain: Record<string, unknown> = { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>), publishRate: [1900, 2100] };
      delete plain.hydra;
      fs.writeFileSync(file, JSON.stringify(plain));
      assert.match(ombAsStudy(readOmbResult(file), file, [study]).note, /matched to 10 clients, 2000 msg\/s.*nearest its publish rate 2000 msg\/s/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a result without the fields OMB writes, naming the field', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'bad.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          workload: 'w',
          driver: 'kafka',
          topics: 1,
          partitions: 1,
          messageSize: 1024,
          producersPerTopic: 1,
          publishRate: [1],
          consumeRate: [1],
        }),
      );
      assert.throws(
        () => readOmbResult(file),
        (e: unknown) => e instanceof ConfigError && /bad\.json consumersPerTopic/.test(e.message),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
