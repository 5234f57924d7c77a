import { strict as assert } from 'node:assert';
import { consumerOptions } from '../../src/client/kafkajs/settings';
import { checkStudyInput } from '../../src/study/create';
import { decodeApiVersionsResponse, encodeApiVersionsRequest, versionFloor } from '../../src/broker/api-versions';
import { topicConfigEntries } from '../../src/broker/topics';
import { parseArgs } from '../../src/config/flags';
import { parseIni } from '../../src/config/ini';
import { DEFAULT_OPTIONS, knobsOf, pointParamsOf, type HydraOptions } from '../../src/config/options';
import { kafkajsOptions } from '../../src/config/passthrough';
import { flagsToOptions, iniToOptions, OPTION_FLAGS, resolveOptions, validateOptions } from '../../src/config/resolve';
import { parsePubConfig, parseSubConfig } from '../../src/apps/config';
import { pointMarks, pubConfigFor, subConfigFor } from '../../src/runner/app-config';
import { SharedGroupNamer, sharedGroupSettled } from '../../src/runner/shared-group';
import { throughputFigure } from '../../src/plot/figures';
import { studyFigures } from '../../src/plot/study-figures';
import { computeResult } from '../../src/stats/result';
import { expandGrid, pointKey } from '../../src/study/grid';
import { checkGrid } from '../../src/study/create';
import { parseVary } from '../../src/study/workloads';
import { emptyPubStats, type ClientStats } from '../../src/control/wire';
import { fixturePoint } from '../fixtures';

const ini = (text: string) => iniToOptions(parseIni(text, 'h.ini'), 'h.ini').values;
const withFlags = (argv: string[]) => resolveOptions({ ...flagsToOptions(parseArgs(argv, OPTION_FLAGS).flags), config_file: '' }, { overrideSource: 'flag' });
const options = (over: Partial<HydraOptions>): HydraOptions => ({ ...DEFAULT_OPTIONS, config_file: '', ...over });

describe('producer and consumer knobs', () => {
  it('reads every new knob from its flag, and the defaults are kafkajs/Kafka defaults', () => {
    const o = withFlags([
      '--brokers=127.0.0.1:9092',
      '--keys=round_robin',
      '--key_count=64',
      '--acks=-1',
      '--idempotent',
      '--max_in_flight=5',
      '--batch_bytes=65536',
      '--retries=3',
      '--request_timeout_ms=5000',
      '--consumer_min_bytes=1024',
      '--consumer_max_wait_ms=250',
      '--consumer_session_timeout_ms=10000',
      '--consumer_group=shared',
    ]);
    assert.deepEqual(
      [o.keys, o.key_count, o.idempotent, o.max_in_flight, o.batch_bytes, o.retries, o.request_timeout_ms],
      ['round_robin', 64, true, 5, 65536, 3, 5000],
    );
    assert.deepEqual([o.consumer_min_bytes, o.consumer_max_wait_ms, o.consumer_session_timeout_ms, o.consumer_group], [1024, 250, 10000, 'shared']);
    const d = DEFAULT_OPTIONS;
    assert.deepEqual(
      [d.keys, d.idempotent, d.max_in_flight, d.retries, d.request_timeout_ms, d.consumer_min_bytes, d.consumer_session_timeout_ms],
      ['none', false, 1, 5, 30000, 1, 30000],
    );
  });

  it('refuses the idempotent producer without acks=-1 or with more than 5 requests in flight, naming the flag', () => {
    assert.throws(() => withFlags(['--idempotent']), /--idempotent="true": the idempotent producer needs acks=-1 \(all\), but acks is 1 \(default acks\)/);
    assert.throws(
      () => withFlags(['--brokers=127.0.0.1:9092', '--idempotent', '--acks=-1', '--max_in_flight=6']),
      /--idempotent="true": the idempotent producer allows at most 5 requests in flight, but max_in_flight is 6 \(--max_in_flight\)/,
    );
    // What a client library cannot do where the study runs is checked with the study (client/rules.ts), before anything starts.
    assert.throws(
      () => checkStudyInput({ kind: 'sweep', options: withFlags(['--idempotent', '--acks=-1']) }, { option: (name) => `--${name}` }),
      /--idempotent="true": the embedded broker \(librdkafka's mock cluster\) names controller 0/,
    );
    assert.throws(() => withFlags(['--keys=hashed']), /--keys="hashed": expected none or round_robin or random/);
    assert.throws(() => withFlags(['--consumer_group=queue']), /--consumer_group="queue": expected per_client or shared/);
    assert.throws(() => withFlags(['--batch_bytes=0']), /--batch_bytes="0": must be at least 1/);
  });

  it('takes the consumer heartbeat as a knob: flag, below the session timeout, in the point key, in both libraries’ settings', () => {
    assert.equal(DEFAULT_OPTIONS.consumer_heartbeat_interval_ms, 3000);
    assert.equal(withFlags(['--consumer_heartbeat_interval_ms=1000', '--consumer_session_timeout_ms=6000']).consumer_heartbeat_interval_ms, 1000);
    assert.throws(
      () => withFlags(['--consumer_heartbeat_interval_ms=6000', '--consumer_session_timeout_ms=6000']),
      /--consumer_heartbeat_interval_ms="6000": must be below consumer_session_timeout_ms \(6000, --consumer_session_timeout_ms\): a member that heartbeats less often than its session lasts is taken for dead/,
    );
    const p = pointParamsOf(DEFAULT_OPTIONS);
    assert.notEqual(pointKey({ ...p, consumer_heartbeat_interval_ms: 1000 }), pointKey(p));
    const stored = Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'consumer_heartbeat_interval_ms'));
    assert.equal(pointKey(stored as typeof p), pointKey(p), 'a point stored before the knob existed keeps its key');
    const wire = JSON.parse(JSON.stringify(subConfigFor({ ...p, consumer_heartbeat_interval_ms: 1000 }, DEFAULT_OPTIONS, ['t'], pointMarks(0)))) as Record<
      string,
      unknown
    >;
    assert.equal(parseSubConfig(wire).consumer_heartbeat_interval_ms, 1000);
    assert.throws(
      () => parseSubConfig({ ...wire, consumer_heartbeat_interval_ms: 40000 }),
      /updateconfig: consumer_heartbeat_interval_ms="40000": must be below consumer_session_timeout_ms/,
    );
    assert.deepEqual(consumerOptions({ ...knobsOf('consumer', p), consumer_heartbeat_interval_ms: 1000 }).heartbeatInterval, 1000);
  });

  it('an app refuses a config that breaks the same rule (the rule holds on the wire too)', () => {
    const params = { ...pointParamsOf(DEFAULT_OPTIONS), idempotent: true, acks: 1 as const };
    const wire = JSON.parse(JSON.stringify(pubConfigFor(params, ['t'], pointMarks(0)))) as Record<string, unknown>;
    assert.throws(() => parsePubConfig(wire), /updateconfig: idempotent="true": the idempotent producer needs acks=-1/);
    assert.doesNotThrow(() => parsePubConfig({ ...wire, producer: { ...(wire.producer as object), acks: -1 } }));
  });

  it('makes every knob part of the point key, and leaves stored points of older studies their key', () => {
    const p = pointParamsOf(DEFAULT_OPTIONS);
    for (const [k, v] of [
      ['keys', 'random'],
      ['idempotent', true],
      ['max_in_flight', 2],
      ['consumer_group', 'shared'],
      ['consumer_min_bytes', 4096],
    ] as const)
      assert.notEqual(pointKey({ ...p, [k]: v }), pointKey(p), k);
    const stored = Object.fromEntries(Object.entries(p).filter(([k]) => !['keys', 'idempotent', 'consumer_group', 'consumer_max_wait_ms'].includes(k)));
    assert.equal(pointKey(stored as typeof p), pointKey(p), 'a point stored before these keys existed keeps its key');
  });
});

describe('kafkajs passthrough', () => {
  it('passes [client], [producer], [consumer] and [admin] kafkajs options through, typed', () => {
    const v = ini(
      '[client]\nconnectionTimeout = 3000\nenforceRequestTimeout = false\n[producer]\nmetadataMaxAge = 60000\nretry.initialRetryTime = 50\n[consumer]\nrackId = eu-1a\nrebalanceTimeout = 60000\n[admin]\nretry.retries = 4\n',
    );
    assert.deepEqual(v.kafkajs, {
      client: { connectionTimeout: 3000, enforceRequestTimeout: false },
      producer: { metadataMaxAge: 60000, 'retry.initialRetryTime': 50 },
      consumer: { rackId: 'eu-1a', rebalanceTimeout: 60000 },
      admin: { 'retry.retries': 4 },
    });
    assert.deepEqual(kafkajsOptions({ metadataMaxAge: 1, 'retry.initialRetryTime': 50 }, { retry: { retries: 3 } }), {
      metadataMaxAge: 1,
      retry: { retries: 3, initialRetryTime: 50 },
    });
  });

  it('refuses unknown keys and the ones hydra sets itself, each in one line naming the key', () => {
    assert.throws(() => ini('[producer]\nlingerMs = 5\n'), /h\.ini \[producer\] lingerMs="5": unknown key \(kafkajs options here: metadataMaxAge/);
    assert.throws(() => ini('[producer]\nidempotent = maybe\n'), /\[producer\] idempotent="maybe": expected true or false/);
    assert.throws(() => ini('[producer]\nmaxInFlightRequests = 3\n'), /\[producer\] maxInFlightRequests="3": is set by hydra: use \[producer\] max_in_flight/);
    assert.throws(() => ini('[consumer]\ngroupId = mine\n'), /is set by hydra: hydra names the groups/);
    // A knob of hydra's own, named in each library's words by the option table.
    assert.throws(
      () => ini('[consumer]\nheartbeatInterval = 1000\n'),
      /\[consumer\] heartbeatInterval="1000": is set by hydra: use \[consumer\] heartbeat_interval_ms/,
    );
    assert.throws(
      () => ini('[consumer]\nheartbeat.interval.ms = 1000\n'),
      /\[consumer\] heartbeat\.interval\.ms="1000": is set by hydra: use \[consumer\] heartbeat_interval_ms/,
    );
    assert.throws(() => ini('[client]\nconnectionTimeout = soon\n'), /\[client\] connectionTimeout="soon": expected a non-negative number/);
    assert.throws(() => ini('[admin]\ntimeout = 1\n'), /\[admin\] timeout="1": unknown key/);
    assert.throws(
      () => validateOptions(options({ kafkajs: { client: {}, producer: { metadataMaxAge: 'soon' }, consumer: {}, admin: {} } })),
      /options\.kafkajs\.producer\['metadataMaxAge'\]="soon": expected a non-negative number/,
    );
  });
});

describe('topic configs', () => {
  it('builds CreateTopics config entries from the typed keys and topic_configs', () => {
    const o = withFlags(['--brokers=127.0.0.1:9092']);
    const v = {
      ...o,
      ...ini(
        '[broker]\ntopic_replication = 3\ntopic_min_insync_replicas = 2\ntopic_retention_ms = 3600000\ntopic_configs = segment.bytes=1048576 cleanup.policy=delete\n',
      ),
    };
    validateOptions(v);
    assert.deepEqual(topicConfigEntries(v), [
      { name: 'min.insync.replicas', value: '2' },
      { name: 'retention.ms', value: '3600000' },
      { name: 'segment.bytes', value: '1048576' },
      { name: 'cleanup.policy', value: 'delete' },
    ]);
    assert.deepEqual(topicConfigEntries(DEFAULT_OPTIONS), []);
  });

  it('refuses topic configs on the embedded broker, min.insync.replicas above the replication, and typed keys in topic_configs', () => {
    assert.throws(() => validateOptions(options({ topic_retention_ms: 1000 })), /options\.topic_retention_ms="1000": needs a real cluster/);
    const real = { brokers: ['127.0.0.1:9092'] };
    assert.throws(
      () => validateOptions(options({ ...real, topic_min_insync_replicas: 2 })),
      /topic_min_insync_replicas="2": must not exceed topic_replication \(1\)/,
    );
    assert.throws(() => validateOptions(options({ ...real, topic_configs: ['retention.ms=5'] })), /"retention.ms=5": use topic_retention_ms/);
    assert.throws(() => validateOptions(options({ ...real, topic_configs: ['segment.bytes'] })), /expected key=value entries/);
  });
});

describe('one shared consumer group', () => {
  it('is settled only when every member has joined and the partitions are each owned once', () => {
    assert.equal(
      sharedGroupSettled(
        [
          [0, 1],
          [2, 3],
        ],
        4,
      ),
      true,
    );
    assert.equal(sharedGroupSettled([[0, 1, 2, 3], [], []], 4), true, 'members without partitions are fine');
    assert.match(String(sharedGroupSettled([[0, 1], null], 4)), /1 of 2 members rebalancing/);
    assert.match(
      String(
        sharedGroupSettled(
          [
            [0, 1, 2, 3],
            [2, 3],
          ],
          4,
        ),
      ),
      /partitions 2,3 held by two members/,
    );
    assert.match(String(sharedGroupSettled([[0], [1]], 4)), /partitions 2,3 not assigned yet/);
  });

  it('keeps the group name while the consumer settings stay, and makes a new one when they change', () => {
    const namer = new SharedGroupNamer();
    const cfg = subConfigFor(
      { ...pointParamsOf(DEFAULT_OPTIONS), clients_per_app: 2, consumer_max_buffer_size: 0, total_pub_apps: 1 },
      DEFAULT_OPTIONS,
      ['hydra-r1'],
      pointMarks(0),
    );
    const a = namer.nameFor(cfg);
    assert.equal(namer.nameFor({ ...cfg, clients_per_app: 5, epoch: 3 }), a, 'more clients or another point: the same group');
    const b = namer.nameFor({ ...cfg, consumer_min_bytes: 2 });
    assert.notEqual(b, a);
    assert.ok(b.startsWith('hydra-r1-'), 'under the run prefix, so cleanup finds it');
  });

  it("counts the group as one consumer: members' receipts add up, loss and failing are the group's", () => {
    const pub = { ...emptyPubStats(), msg_cnt: 1000, rate: 100, 'time:start': 1, 'time:end': 11 };
    const member = (id: string, n: number, partition: string): ClientStats => ({
      client_id: id,
      msg_cnt: n,
      first_ms: 1000,
      last_ms: 10000,
      rate: n / 10,
      unique: n,
      duplicates: 0,
      out_of_order: 0,
      max_seq: n - 1,
      gaps: 0,
      latency: { buckets: {}, count: 0, sum_us: 0, min_us: null, max_us: null, negative: 0 },
      latency_intended: { buckets: {}, count: 0, sum_us: 0, min_us: null, max_us: null, negative: 0 },
      next_offsets: { [partition]: n },
      stale: 0,
      malformed: 0,
      errors: 0,
    });
    const subs = [
      { app: 'sub-0', clients: [member('a', 600, '0'), member('b', 400, '1')] },
      { app: 'sub-1', clients: [member('c', 0, '2')] },
    ];
    const shared = computeResult(pub, subs, 2, 100, { sharedGroup: true });
    assert.deepEqual([shared.client_count, shared.average_packets, shared.average_packet_loss, shared.failing_clients, shared.lost_total], [3, 1000, 0, 0, 0]);
    // The same receipts read as fan-out: every client should have had all 1 000.
    const fanOut = computeResult(pub, subs, 2, 100);
    assert.equal(fanOut.failing_clients, 3);
    assert.ok(fanOut.average_packet_loss > 60);
    const short = computeResult(pub, [{ app: 'sub-0', clients: [member('a', 600, '0'), member('b', 300, '1')] }], 2, 100, { sharedGroup: true });
    assert.deepEqual([short.failing_clients, short.lost_total, Math.round(short.average_packet_loss)], [1, 100, 10]);
  });
});

describe('workloads: studies that vary message size, compression, keys...', () => {
  it('reads --vary as every combination, each value checked by its own rule', () => {
    assert.deepEqual(parseVary('msg_size=100,1000;compression=none,gzip'), [
      { msg_size: 100, compression: 'none' },
      { msg_size: 100, compression: 'gzip' },
      { msg_size: 1000, compression: 'none' },
      { msg_size: 1000, compression: 'gzip' },
    ]);
    assert.deepEqual(parseVary('idempotent=false,true'), [{ idempotent: false }, { idempotent: true }]);
    assert.throws(() => parseVary('msg_rate=1,2'), /--vary="msg_rate=1,2": cannot vary 'msg_rate'/);
    assert.throws(() => parseVary('msg_size=8'), /--vary msg_size="8": must be at least 16/);
    assert.throws(() => parseVary('compression=brotli'), /expected none or gzip or snappy/);
    assert.deepEqual(parseVary('client_library=kafkajs,librdkafka'), [{ client_library: 'kafkajs' }, { client_library: 'librdkafka' }]);
    assert.throws(() => parseVary('msg_size=100,100'), /100 is listed twice/);
  });

  it('crosses workloads with the axes (clients outermost) and checks each against the point rules', () => {
    const o = options({ clients_per_app: 2 });
    const points = expandGrid(o, {
      client_counts: [2, 4],
      msg_rates: [100, 200],
      msg_batches: [10],
      workloads: [{ msg_size: 100 }, { msg_size: 1000, compression: 'gzip' }],
    });
    assert.deepEqual(
      points.map((p) => [p.total_sub_apps, p.msg_size, p.compression, p.msg_rate]),
      [
        [1, 100, 'none', 100],
        [1, 100, 'none', 200],
        [1, 1000, 'gzip', 100],
        [1, 1000, 'gzip', 200],
        [2, 100, 'none', 100],
        [2, 100, 'none', 200],
        [2, 1000, 'gzip', 100],
        [2, 1000, 'gzip', 200],
      ],
    );
    assert.throws(
      () => checkGrid({ workloads: [{ msg_size: 100 }, { idempotent: true }] }, o, undefined, pointParamsOf(o)),
      /grid\.workloads\[1\]\.idempotent="true": the idempotent producer needs acks=-1 \(all\), but acks is 1 \(options\.acks\)/,
    );
    assert.throws(() => checkGrid({ workloads: [] }, o, undefined, pointParamsOf(o)), /grid\.workloads: is empty/);
  });

  it('draws a curve per message size, and adds a MB/s figure when sizes differ', () => {
    const sized = (size: number, rate: number) => {
      const r = fixturePoint(4, rate);
      return { ...r, params: { ...r.params, msg_size: size } };
    };
    const records = [sized(100, 1000), sized(100, 2000), sized(10000, 1000), sized(10000, 2000)];
    const figures = studyFigures(records);
    assert.ok('throughput-mbs' in figures);
    assert.deepEqual(
      figures['rx-tx']?.data.map((t) => t.name),
      ['4 clients, msg_size 100', '4 clients, msg_size 10000', 'Rx = Tx (nothing lost)'],
    );
    const mbs = throughputFigure(records);
    const big = mbs.data.find((t) => t.name.endsWith('10000'));
    // 1 000 msg/s × 10 000 B = 10 MB/s (fixture Tx is 99.9 % of the rate).
    assert.deepEqual(
      big?.y.map((v) => Number(v.toFixed(3))),
      [10, 20],
    );
    assert.ok(Math.abs((big?.x[0] ?? 0) - 9.99) < 1e-9);
    assert.equal(mbs.layout.xaxis && (mbs.layout.xaxis as { title: { text: string } }).title.text, 'Average Tx Throughput [MB/s]');
    assert.ok(!('throughput-mbs' in studyFigures([sized(100, 1000)])), 'one size: msg/s says it all');
  });
});

describe('broker release from ApiVersions', () => {
  it('encodes ApiVersions v0 and decodes its answer', () => {
    const req = encodeApiVersionsRequest(7, 'hydra');
    assert.equal(req.readInt32BE(0), req.length - 4);
    assert.deepEqual([req.readInt16BE(4), req.readInt16BE(6), req.readInt32BE(8), req.readInt16BE(12)], [18, 0, 7, 5]);
    const frame = Buffer.alloc(10 + 2 * 6);
    frame.writeInt32BE(7, 0);
    frame.writeInt16BE(0, 4);
    frame.writeInt32BE(2, 6);
    [
      [0, 0, 9],
      [60, 0, 1],
    ].forEach(([k, min, max], i) => {
      frame.writeInt16BE(k as number, 10 + i * 6);
      frame.writeInt16BE(min as number, 12 + i * 6);
      frame.writeInt16BE(max as number, 14 + i * 6);
    });
    assert.deepEqual(decodeApiVersionsResponse(frame, 7), { '0': 9, '60': 1 });
    assert.throws(() => decodeApiVersionsResponse(frame, 8), /another request/);
  });

  it('gives the release floor of the newest API a broker serves', () => {
    assert.equal(versionFloor({ '0': 9, '60': 1 }), '2.8');
    assert.equal(versionFloor({ '0': 9, '37': 1, '65': 0 }), '3.0');
    assert.equal(versionFloor({ '0': 7, '1': 11 }), null, 'none of the markers (the embedded mock broker)');
  });
});
