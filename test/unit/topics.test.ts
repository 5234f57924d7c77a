import { strict as assert } from 'node:assert';
import { PartitionPicker, TopicPicker } from '../../src/apps/payload';
import { belongsTo } from '../../src/broker/leftovers';
import { ensureTopicsWith } from '../../src/broker/topics';
import { clientsPerTopic, sharedGroupOfTopic, topicNames, topicOfClient } from '../../src/apps/topics';
import { DEFAULT_OPTIONS, pointParamsOf } from '../../src/config/options';
import { checkPointParams } from '../../src/config/rules';
import { emptyPubStats, type ClientStats } from '../../src/control/wire';
import { ConfigError } from '../../src/errors';
import { fixtureClient } from '../fixtures';
import { computeResult } from '../../src/stats/result';
import { pointKey } from '../../src/study/grid';
import { parseVary } from '../../src/study/workloads';
import { FaultSchedule } from '../../src/config/fault-schedule';

const client = (topic: number, received: number, nextOffset: number, unique = received): ClientStats =>
  fixtureClient(received, nextOffset, unique, { client_id: `c-${topic}`, topic });

describe('topics as an axis', () => {
  it('names one topic as before and several with -t<i>; spreads clients in turn', () => {
    assert.deepEqual(topicNames('hydra-r1', 1), ['hydra-r1']);
    assert.deepEqual(topicNames('hydra-r1', 3), ['hydra-r1-t0', 'hydra-r1-t1', 'hydra-r1-t2']);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => topicOfClient(i, 3)),
      [0, 1, 2, 0, 1],
    );
    assert.deepEqual(clientsPerTopic(5, 3), [2, 2, 1]);
    assert.equal(sharedGroupOfTopic('g', 2, 1), 'g');
    assert.equal(sharedGroupOfTopic('g', 2, 3), 'g-t2');
    // Every topic carries the run's prefix: cleanup finds them all, and no other run's.
    assert.ok(topicNames('hydra-r1', 3).every((t) => belongsTo(t, 'hydra-r1') && !belongsTo(t, 'hydra-r10')));
  });

  it('places message k on topic k mod n, each topic with its own sequence per partition', () => {
    const picker = new TopicPicker(3, () => new PartitionPicker([0, 1]));
    const slots = Array.from({ length: 12 }, () => picker.pick());
    assert.deepEqual(
      slots.map((s) => s.topic),
      [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2],
    );
    // Topic 0 got messages 0, 3, 6, 9: partitions 0, 1, 0, 1 with sequences 0, 0, 1, 1.
    assert.deepEqual(
      slots.filter((s) => s.topic === 0).map((s) => [s.partition, s.seq]),
      [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    );
  });

  it('keys topics in a point only when it has more than one, so stored points keep their keys', () => {
    const params = pointParamsOf(DEFAULT_OPTIONS);
    assert.doesNotMatch(pointKey(params), /topics=/);
    assert.match(pointKey({ ...params, topics: 10 }), /topics=10/);
    assert.deepEqual(
      parseVary('topics=1,10,100').map((w) => w.topics),
      [1, 10, 100],
    );
  });

  it('refuses a point with fewer clients than topics, and planned faults with several topics, naming the flag', () => {
    const params = { ...pointParamsOf(DEFAULT_OPTIONS), total_sub_apps: 2, clients_per_app: 2 };
    assert.throws(
      () => checkPointParams({ ...params, topics: 5 }),
      (e: unknown) => e instanceof ConfigError && /--topics.*4 clients/.test(e.message),
    );
    checkPointParams({ ...params, topics: 4 });
    assert.throws(
      () => checkPointParams({ ...params, topics: 2, fault: FaultSchedule.parse('at=1s for=1s broker=stop', '--fault') }),
      (e: unknown) => e instanceof ConfigError && /--topics.*one topic/.test(e.message),
    );
  });

  it('judges each client against its own topic: a topic short of messages is that topic’s loss only', () => {
    const pub = { ...emptyPubStats(), msg_cnt: 900, msg_cnt_by_topic: [600, 300], rate: 900, 'time:start': 1, 'time:end': 2 };
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(0, 600, 600), client(1, 300, 300), client(0, 550, 550), client(1, 300, 300)] }], 4, 900, {
      topicLogs: [{ end: { '0': 600 } }, { end: { '0': 300 } }],
      topicNames: ['a', 'b'],
    });
    // Under one topic's rule every client would be failing (none got 900).
    assert.equal(r.failing_clients, 1);
    assert.equal(r.lost_total, 0, 'the short client is behind (the broker holds its 50), not lost');
    assert.equal(r.behind_total, 50);
    assert.ok(Math.abs(r.average_packet_loss - (50 * 100) / 1800) < 1e-9);
    assert.deepEqual(
      r.topic_figures?.map((t) => [t.topic, t.clients, t.packet_tx, t.failing_clients, t.behind_total]),
      [
        ['a', 2, 600, 1, 50],
        ['b', 2, 300, 0, 0],
      ],
    );
    assert.match(r.figure_notes.join(' '), /2 topics \(2 clients per topic\).*about 1\/2 of the Tx rate \(450 msg\/s\)/);
  });

  it('counts a shared group per topic: members of one topic add up against that topic', () => {
    const pub = { ...emptyPubStats(), msg_cnt: 1000, msg_cnt_by_topic: [500, 500], rate: 1000, 'time:start': 1, 'time:end': 2 };
    const r = computeResult(pub, [{ app: 'sub-0', clients: [client(0, 250, 250), client(0, 250, 250), client(1, 500, 500), client(1, 0, 0)] }], 4, 1000, {
      sharedGroup: true,
      topicLogs: [{ end: { '0': 500 } }, { end: { '0': 500 } }],
    });
    assert.equal(r.failing_clients, 0);
    assert.equal(r.lost_total, 0);
    assert.equal(r.average_packets, 500);
  });
});

describe('creating a point’s topics on a real cluster', () => {
  it('asks in requests of 1 000 topics and grows only existing topics with too few partitions', async () => {
    const calls: string[] = [];
    // A stand-in for kafkajs's admin that records what is asked: names 't5' and 't1500' exist already, t5 with 1 partition.
    const existing = new Map([
      ['t5', 1],
      ['t1500', 4],
    ]);
    const admin = {
      createTopics: async ({ topics }: { topics: { topic: string; numPartitions?: number }[] }) => {
        calls.push(`create ${topics.length} from ${topics[0]?.topic ?? ''}`);
        return !topics.some((t) => existing.has(t.topic));
      },
      fetchTopicMetadata: async ({ topics }: { topics?: string[] }) => {
        calls.push(`metadata ${topics?.length ?? 0}`);
        return {
          topics: (topics ?? []).map((name) => ({ name, partitions: Array.from({ length: existing.get(name) ?? 4 }, (_, i) => ({ partitionId: i })) })),
        };
      },
      createPartitions: async ({ topicPartitions }: { topicPartitions: { topic: string; count: number }[] }) => {
        calls.push(`grow ${topicPartitions.map((t) => `${t.topic}→${t.count}`).join(',')}`);
        return true;
      },
    };
    const topics = Array.from({ length: 2500 }, (_, i) => `t${i}`);
    let answered = 0;
    await ensureTopicsWith(admin as unknown as Parameters<typeof ensureTopicsWith>[0], { topics, partitions: 4, replication: 3, made: () => answered++ });
    assert.equal(answered, 3, 'each answered request says something may be on the cluster');
    assert.deepEqual(calls, ['create 1000 from t0', 'metadata 1000', 'grow t5→4', 'create 1000 from t1000', 'metadata 1000', 'create 500 from t2000']);
  });
});
