import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ClientAccumulator } from '../../src/apps/receive';
import * as zlib from 'node:zlib';
import { decodeMessage, encodeMessage } from '../../src/apps/message';
import { keyBytes, MessageBuilder, PartitionPicker } from '../../src/apps/payload';
import * as crypto from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { keyPartitioner, murmur2 } from '../../src/apps/partitioner';
import { emptyPubStats, type AppTelemetry, type PubStats } from '../../src/control/wire';
import { applyIdleLoopFix, applyLinearGrouping, groupMessagesPerPartition } from '../../src/client/kafkajs/patches';
import { pubConfigFor, pointMarks, publisherPartitions, pubRateShare, subConfigFor } from '../../src/runner/app-config';
import { DEFAULT_OPTIONS, pointParamsOf } from '../../src/config/options';
import { combinePubStats } from '../../src/stats/publishers';
import { computeResult } from '../../src/stats/result';
import { sumSequences } from '../../src/stats/sequence';
import { fixtureTelemetry } from '../fixtures';

const T0 = 1_700_000_000_000;

function msg(pubId: number, seq: number, epoch = 3): Buffer {
  return encodeMessage({ seq, pubId, epoch, intendedMs: T0 + 10 + seq, sentMs: T0 + 10 + seq }, T0);
}

function telemetry(host: string, cpu: number): AppTelemetry {
  return fixtureTelemetry({ cpu_pct: cpu, elu: 0.5, loop_delay_p99_ms: 1, host_cpu_busy_pct: 40, host });
}

function pub(msgCnt: number, start: number, end: number, cpuS: number, host: string): PubStats {
  return {
    ...emptyPubStats(),
    msg_cnt: msgCnt,
    rate: msgCnt / (end - start),
    'time:start': start,
    'time:end': end,
    'cpu:start': [1, 1],
    'cpu:end': [1 + cpuS, 1],
    'net:start': [1000, 2000],
    'net:end': [1000 + 10 * msgCnt, 2000 + msgCnt],
    requests: msgCnt / 100,
    telemetry: telemetry(host, (cpuS / (end - start)) * 100),
  };
}

describe('several publishers', () => {
  it('tracks sequences per publisher: the same numbers from two publishers are not duplicates', () => {
    const acc = new ClientAccumulator({ t0_ms: T0, epoch: 3, pub_count: 2 });
    for (let seq = 0; seq < 500; seq++) {
      acc.receive(msg(0, seq), T0 + 600);
      acc.receive(msg(1, seq), T0 + 600);
    }
    assert.deepEqual(acc.sequenceSummary(), { unique: 1000, duplicates: 0, out_of_order: 0, max_seq: 499, gaps: 0 });
    assert.equal(acc.msgCnt, 1000);
  });

  it('counts an injected duplicate once, against its publisher, and a gap and a reorder exactly', () => {
    const acc = new ClientAccumulator({ t0_ms: T0, epoch: 3, pub_count: 2 });
    for (const seq of [0, 1, 2, 3, 4]) acc.receive(msg(0, seq), T0 + 100);
    for (const seq of [0, 2, 1, 4]) acc.receive(msg(1, seq), T0 + 100); // 1 reordered, 3 missing
    acc.receive(msg(1, 2), T0 + 100); // the injected duplicate
    assert.deepEqual(acc.sequenceSummary(), { unique: 9, duplicates: 1, out_of_order: 1, max_seq: 4, gaps: 1 });
  });

  it('leaves messages of another point and of an unknown publisher out of the sequence figures', () => {
    const acc = new ClientAccumulator({ t0_ms: T0, epoch: 3, pub_count: 2 });
    acc.receive(msg(0, 0, 2), T0);
    acc.receive(msg(2, 0), T0);
    acc.receive(Buffer.from('short'), T0);
    assert.equal(acc.stale, 1);
    assert.equal(acc.malformed, 2);
    assert.equal(acc.sequenceSummary().unique, 0);
  });

  it('sums sequence summaries; max_seq is the highest', () => {
    assert.deepEqual(
      sumSequences([
        { unique: 5, duplicates: 1, out_of_order: 2, max_seq: 9, gaps: 5 },
        { unique: 3, duplicates: 0, out_of_order: 1, max_seq: 2, gaps: 0 },
      ]),
      { unique: 8, duplicates: 1, out_of_order: 3, max_seq: 9, gaps: 5 },
    );
  });

  it('combines publishers: messages and CPU add up, host network counters count once per host', () => {
    const a = pub(5000, 100, 110, 2, 'h1');
    const b = pub(5000, 100.05, 110.05, 3, 'h1');
    const c = pub(5000, 100, 110, 1, 'h2');
    const all = combinePubStats([a, b, c]);
    assert.equal(all.msg_cnt, 15000);
    assert.equal(all['time:start'], 100);
    assert.equal(all['time:end'], 110.05);
    assert.ok(Math.abs(all.rate - 15000 / 10.05) < 1e-9);
    assert.deepEqual([all['cpu:end'][0] - all['cpu:start'][0], all['cpu:end'][1] - all['cpu:start'][1]], [6, 0]);
    // h1's counters once (a), plus h2's (c): b's would double-count h1.
    assert.deepEqual([all['net:end'][0] - all['net:start'][0], all['net:end'][1] - all['net:start'][1]], [100000, 10000]);
    assert.equal(all.telemetry?.cpu_pct, 30);
    assert.equal(combinePubStats([a]), a);
  });

  it('computes HYDRA figures over two publishers: packet_tx is the sum, pub_cpu the total, the busiest one named', () => {
    const a = pub(5000, 100, 110, 2, 'h1');
    const b = pub(5000, 100, 110, 3, 'h1');
    const r = computeResult([a, b], [], 1, 1000);
    assert.equal(r.packet_tx, 10000);
    assert.equal(r.average_tx_rate, 1000);
    assert.equal(r.pub_apps, 2);
    assert.ok(Math.abs(r.pub_cpu - 50) < 1e-9);
    assert.ok(Math.abs(r.pub_cpu_max_pct - 30) < 1e-9);
  });

  it('splits the rate evenly and gives each publisher its id and partition; subscribers learn the count', () => {
    const params = { ...pointParamsOf({ ...DEFAULT_OPTIONS }), msg_rate: 3000, total_pub_apps: 3 };
    assert.equal(pubRateShare(params), 1000);
    const cfg = pubConfigFor(params, ['t'], pointMarks(7, T0), 2, [1]);
    assert.deepEqual([cfg.msg_rate, cfg.pub_id, cfg.partitions, cfg.epoch], [1000, 2, [1], 7]);
    const sub = subConfigFor(params, DEFAULT_OPTIONS, ['t'], pointMarks(7, T0));
    assert.deepEqual([sub.pub_count, sub.start_at], [3, 'latest']);
    assert.equal(subConfigFor(params, { ...DEFAULT_OPTIONS, fresh_topic_per_point: true }, ['t'], pointMarks(7, T0)).start_at, 'earliest');
  });
});

describe('workload shape: message size, payload, partitions', () => {
  it('builds values of the requested size with the header first', () => {
    for (const size of [16, 17, 1024, 65536]) {
      const b = new MessageBuilder(size, 50);
      const v = b.build({ seq: 9, pubId: 1, epoch: 4, intendedMs: T0 + 5, sentMs: T0 + 6 }, T0);
      assert.equal(v.length, size);
      const m = decodeMessage(v, T0);
      assert.deepEqual([m?.seq, m?.pubId, m?.epoch], [9, 1, 4]);
    }
  });

  it('pads with a chosen random share: zeros compress, random does not, and neighbours differ', () => {
    const ratio = (pct: number): number => {
      const b = new MessageBuilder(1000, pct);
      const batch = Buffer.concat(Array.from({ length: 200 }, (_, i) => b.build({ seq: i, pubId: 0, epoch: 0, intendedMs: T0, sentMs: T0 }, T0)));
      return zlib.gzipSync(batch).length / batch.length;
    };
    assert.ok(ratio(0) < 0.1, `zeros: ${ratio(0)}`);
    assert.ok(ratio(100) > 0.9, `random: ${ratio(100)}`);
    const mid = ratio(50);
    assert.ok(mid > 0.4 && mid < 0.7, `half random: ${mid}`);
  });

  it('spreads a sequence round-robin, numbering each partition from 0', () => {
    assert.deepEqual(
      (() => {
        const picker = new PartitionPicker([0, 1, 2]);
        return [0, 1, 2, 3, 4, 5, 6].map(() => picker.pick());
      })(),
      [
        { partition: 0, seq: 0, key: null },
        { partition: 1, seq: 0, key: null },
        { partition: 2, seq: 0, key: null },
        { partition: 0, seq: 1, key: null },
        { partition: 1, seq: 1, key: null },
        { partition: 2, seq: 1, key: null },
        { partition: 0, seq: 2, key: null },
      ],
    );
    assert.deepEqual(publisherPartitions({ partitions: 3 }, 1, 1), [0, 1, 2]);
    assert.deepEqual(publisherPartitions({ partitions: 1 }, 3, 2), [1]);
  });

  it("puts a key where Kafka's default partitioner does (murmur2 test vectors of Kafka's own UtilsTest)", () => {
    // Kafka's Utils.murmur2: "21" → -973932308, "foobar" → -790332482, "abc" → 479470107; partition = (h & 0x7fffffff) mod n.
    for (const [text, hash] of [
      ['21', -973932308],
      ['foobar', -790332482],
      ['abc', 479470107],
    ] as const) {
      for (const n of [3, 4, 7]) assert.equal(keyPartitioner(n)(Buffer.from(text)), (hash & 0x7fffffff) % n, `${text} over ${n}`);
    }
    assert.equal(murmur2(Buffer.from('21')), -973932308);
    // And where kafkajs's DefaultPartitioner does, for random keys of every tail length.
    for (const count of [1, 2, 3, 4, 7, 16, 100]) {
      const theirs = Partitioners.DefaultPartitioner();
      const partitionMetadata = Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
      const ours = keyPartitioner(count);
      for (let length = 0; length < 24; length++)
        for (let n = 0; n < 20; n++) {
          const key = crypto.randomBytes(length);
          assert.equal(ours(key), theirs({ topic: '', partitionMetadata, message: { key, value: null } }), `${key.toString('hex')} over ${count}`);
        }
    }
  });

  it('keys round-robin over K keys: a key stays in one partition, each partition numbered 0, 1, 2, ... without holes', () => {
    const partitions = [0, 1, 2, 3];
    const picker = new PartitionPicker(partitions, { mode: 'round_robin', count: 8 }, keyPartitioner(4));
    const slots = Array.from({ length: 80 }, () => picker.pick());
    const partitionOfKey = new Map<string, number>();
    const seqs = new Map<number, number[]>();
    slots.forEach((slot, k) => {
      assert.deepEqual(slot.key, keyBytes(k % 8));
      const key = String(slot.key);
      assert.equal(partitionOfKey.get(key) ?? slot.partition, slot.partition, `${key} moved partition`);
      partitionOfKey.set(key, slot.partition);
      seqs.set(slot.partition, [...(seqs.get(slot.partition) ?? []), slot.seq]);
    });
    for (const [p, list] of seqs)
      assert.deepEqual(
        list,
        Array.from({ length: list.length }, (_, i) => i),
        `partition ${p}`,
      );
    assert.ok(seqs.size >= 2, `8 keys should hash to more than one of 4 partitions (got ${[...seqs.keys()].join(',')})`);
  });

  it('keys at random draw from K keys with the given random source', () => {
    const draws = [0.0, 0.99, 0.5];
    const picker = new PartitionPicker(
      [5],
      { mode: 'random', count: 10 },
      () => 0,
      () => draws.shift() ?? 0,
    );
    assert.deepEqual(
      [picker.pick(), picker.pick(), picker.pick()].map((s) => [String(s.key), s.partition, s.seq]),
      [
        ['key-0', 5, 0],
        ['key-9', 5, 1],
        ['key-5', 5, 2],
      ],
    );
  });

  it('tracks sequences per (publisher, partition): equal numbers in two partitions are not duplicates', () => {
    const acc = new ClientAccumulator({ t0_ms: T0, epoch: 3, pub_count: 1 });
    for (let seq = 0; seq < 100; seq++) for (const partition of [0, 1, 2, 3]) acc.receive(msg(0, seq), T0 + 100, partition);
    acc.receive(msg(0, 50), T0 + 100, 2);
    assert.deepEqual(acc.sequenceSummary(), { unique: 400, duplicates: 1, out_of_order: 0, max_seq: 99, gaps: 0 });
  });
});

describe('kafkajs linear grouping', () => {
  it('groups like kafkajs: partition → messages in send order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ i }));
    const groups = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.i % 3 });
    assert.deepEqual(groups, { 0: [{ i: 0 }, { i: 3 }, { i: 6 }, { i: 9 }], 1: [{ i: 1 }, { i: 4 }, { i: 7 }], 2: [{ i: 2 }, { i: 5 }, { i: 8 }] });
    assert.deepEqual(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 }), {});
  });

  it("is the one kafkajs's producer loads in an app process", () => {
    // A fresh process, as an app starts: hydra's kafkajs client module first, then the producer.
    const dist = path.resolve(__dirname, '..', '..', 'src');
    const script = `require(${JSON.stringify(path.join(dist, 'client', 'kafkajs', 'client'))});
      require('kafkajs').Kafka;
      const used = require('kafkajs/src/producer/groupMessagesPerPartition');
      process.stdout.write(String(used === require(${JSON.stringify(path.join(dist, 'client', 'kafkajs', 'patches'))}).groupMessagesPerPartition));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..', '..'), encoding: 'utf8' });
    assert.equal(out, 'true');
    assert.equal(typeof applyLinearGrouping(), 'boolean');
  });
});

describe('kafkajs idle-loop fix', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the pinned kafkajs's internal request queue
  const RequestQueue = require('kafkajs/src/network/requestQueue') as new (o: Record<string, unknown>) => {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    destroy(): void;
  };
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, namespace: () => logger };

  it('is in force for the pinned kafkajs', () => {
    assert.equal(applyIdleLoopFix(), true);
  });

  it('arms no timer for an idle queue, and still one for a throttled queue with requests waiting', () => {
    applyIdleLoopFix();
    const q = new RequestQueue({
      instrumentationEmitter: null,
      maxInFlightRequests: null,
      requestTimeout: 1000,
      enforceRequestTimeout: false,
      clientId: 'x',
      broker: 'b',
      logger,
      isConnected: () => true,
    });
    try {
      q.checkPendingRequests();
      assert.equal(q.throttleCheckTimeoutId, null, 'an idle queue re-armed its timer');
      q.throttledUntil = Date.now() + 60_000;
      q.pending.push({ correlationId: 1 });
      q.checkPendingRequests();
      assert.notEqual(q.throttleCheckTimeoutId, null, 'a throttled queue with a waiting request must check again later');
    } finally {
      q.destroy();
    }
  });
});
