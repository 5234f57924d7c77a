import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { belongsTo, findLeftovers, removeLeftovers, runPrefix, type LeftoverAdmin, type LeftoverCleaner } from '../../src/broker/leftovers';
import { runCli } from '../../src/cli/main';
import { cleanupLines } from '../../src/cli/progress';

/** A cluster's topics and groups in memory, with kafkajs's admin behaviour for what cleanup uses. */
class FakeCluster implements LeftoverAdmin {
  /** Groups with live members: kafkajs's deleteGroups fails them (NON_EMPTY_GROUP). */
  readonly busy = new Set<string>();
  constructor(
    public topics: string[],
    public groups: string[],
  ) {}
  async listTopics(): Promise<string[]> {
    return [...this.topics];
  }
  async listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    return { groups: this.groups.map((groupId) => ({ groupId, protocolType: 'consumer' })) };
  }
  async deleteTopics({ topics }: { topics: string[] }): Promise<void> {
    this.topics = this.topics.filter((t) => !topics.includes(t));
  }
  async deleteGroups(ids: string[]): Promise<unknown> {
    const failed = ids.filter((g) => this.busy.has(g));
    this.groups = this.groups.filter((g) => !ids.includes(g) || this.busy.has(g));
    if (failed.length > 0) {
      const err = new Error('Error in DeleteGroups') as Error & { groups: unknown[] };
      err.groups = failed.map((groupId) => ({ groupId, errorCode: 68, error: { message: 'The group is not empty' } }));
      throw err;
    }
    return ids.map((groupId) => ({ groupId, errorCode: 0 }));
  }
}

function cleanerOf(cluster: FakeCluster): LeftoverCleaner & { closed: boolean } {
  return {
    closed: false,
    leftovers: (prefix) => findLeftovers(cluster, prefix),
    remove: (l) => removeLeftovers(cluster, l),
    async close() {
      this.closed = true;
    },
  };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const RUN = '20261123-101500-a1b2c3';
const cluster = (): FakeCluster =>
  new FakeCluster(
    ['orders', `hydra-${RUN}`, `hydra-${RUN}-p1`, `hydra-${RUN}0`, 'hydra-20261122-090000-ffffff'],
    ['payments', `hydra-${RUN}-sub-0-c0-0`, `hydra-${RUN}-sub-1-c0-1`, 'hydra-20261122-090000-ffffff-sub-0-c0-0'],
  );

describe('leftovers on a cluster (topics and consumer groups)', () => {
  it("matches a run's names exactly: hydra-<run> and hydra-<run>-..., not another run that shares a prefix", () => {
    assert.ok(belongsTo(`hydra-${RUN}`, runPrefix(RUN)));
    assert.ok(belongsTo(`hydra-${RUN}-sub-0-c0-0`, runPrefix(RUN)));
    assert.ok(!belongsTo(`hydra-${RUN}0`, runPrefix(RUN)));
    assert.ok(belongsTo('hydra-anything', 'hydra-'));
    assert.ok(!belongsTo('orders', 'hydra-'));
  });

  it("finds one run's topics and groups and deletes groups, then topics", async () => {
    const c = cluster();
    const found = await findLeftovers(c, runPrefix(RUN));
    assert.deepEqual(found, { topics: [`hydra-${RUN}`, `hydra-${RUN}-p1`], groups: [`hydra-${RUN}-sub-0-c0-0`, `hydra-${RUN}-sub-1-c0-1`] });
    const { removed, failed } = await removeLeftovers(c, found);
    assert.deepEqual(removed, found);
    assert.deepEqual(failed, []);
    assert.deepEqual(c.topics, ['orders', `hydra-${RUN}0`, 'hydra-20261122-090000-ffffff']);
    assert.deepEqual(c.groups, ['payments', 'hydra-20261122-090000-ffffff-sub-0-c0-0']);
  });

  it('reports a group it could not delete, deletes the rest, and never throws', async () => {
    const c = cluster();
    c.busy.add(`hydra-${RUN}-sub-1-c0-1`);
    const { removed, failed } = await removeLeftovers(c, await findLeftovers(c, runPrefix(RUN)));
    assert.deepEqual(removed.groups, [`hydra-${RUN}-sub-0-c0-0`]);
    assert.deepEqual(removed.topics, [`hydra-${RUN}`, `hydra-${RUN}-p1`]);
    assert.deepEqual(failed, [`group hydra-${RUN}-sub-1-c0-1: The group is not empty`]);
    assert.match(cleanupLines({ run: RUN, topics: 2, groups: 1, failed }).join('\n'), new RegExp(`could not remove: .* hydra clean --run=${RUN} --yes`));
  });

  describe('hydra clean', () => {
    const run = async (args: string[], c: FakeCluster): Promise<{ code: number; out: string; err: string; cleaner: ReturnType<typeof cleanerOf> }> => {
      const out = new Capture();
      const err = new Capture();
      const cleaner = cleanerOf(c);
      const code = await runCli(['clean', '--config_file=', ...args], { stdout: out, stderr: err, interactive: false, openCleaner: async () => cleaner });
      return { code, out: out.text, err: err.text, cleaner };
    };

    it('lists without deleting by default', async () => {
      const c = cluster();
      const r = await run(['--brokers=127.0.0.1:9092'], c);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.split('\n').filter(Boolean).length, 7);
      assert.match(r.err, /4 topic\(s\) and 3 consumer group\(s\) named hydra-\.\.\.; dry run, nothing deleted \(add --yes to delete them\)/);
      assert.equal(c.topics.length, 5);
      assert.ok(r.cleaner.closed);
    });

    it("deletes one run's with --run and --yes, and nothing else", async () => {
      const c = cluster();
      const r = await run(['--brokers=127.0.0.1:9092', `--run=${RUN}`, '--yes'], c);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, new RegExp(`deleted 2 topic\\(s\\) and 2 consumer group\\(s\\) named hydra-${RUN}\\.\\.\\.`));
      assert.deepEqual(c.topics, ['orders', `hydra-${RUN}0`, 'hydra-20261122-090000-ffffff']);
    });

    it('exits 1 naming what it could not delete', async () => {
      const c = cluster();
      c.busy.add('hydra-20261122-090000-ffffff-sub-0-c0-0');
      const r = await run(['--brokers=127.0.0.1:9092', '--yes'], c);
      assert.equal(r.code, 1);
      assert.match(r.err, /not deleted: group hydra-20261122-090000-ffffff-sub-0-c0-0: The group is not empty/);
    });

    it('refuses without a real cluster or with a bad run id, touching nothing', async () => {
      const c = cluster();
      const none = await run([], c);
      assert.equal(none.code, 2);
      assert.match(none.err, /hydra clean needs a real cluster/);
      const bad = await run(['--brokers=127.0.0.1:9092', '--run=../x'], c);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--run="\.\.\/x"/);
      assert.equal(c.topics.length, 5);
    });
  });
});
