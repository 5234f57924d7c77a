import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import type { BooksSnapshot } from '../../src/client';
import { isInstalled, REPO_ROOT } from '../../src/client/registry';
import { stillAlive, uniqueTag } from '../helpers';

/**
 * The native core's C under AddressSanitizer, once in the suite: a program driving every path of
 * it (test/native-exercise.ts) runs with the sanitizer's build of the addon and its runtime
 * preloaded into Node, against the embedded broker, with foreign messages on the topic. A memory
 * error ends it with the sanitizer's report; a foreign message must be counted, never a crash.
 */
describe('the native core under AddressSanitizer (real broker, foreign messages on the topic)', function () {
  this.timeout(180000);
  let broker: BrokerHandle;

  before(async function () {
    if (!isInstalled('native')) {
      if (process.env.CI) throw new Error('the native client is not built: the test command (bash scripts/setup.sh test) builds it');
      process.stdout.write('    (skipped: the native client is not built here; bash scripts/setup.sh native builds it)\n');
      this.skip();
    }
    broker = await startEmbeddedBroker();
  });
  after(async () => {
    await broker?.stop();
  });

  it('publishes, reads, stops, drains and closes with no error reported; tombstones, short values, strangers and other points are counted', async () => {
    // The sanitizer's build (make asan: about a second), and its runtime, which must come first in the process.
    execFileSync('make', ['-s', '-C', path.join(REPO_ROOT, 'clients', 'native'), 'asan'], { stdio: 'inherit' });
    const runtime = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
    const addon = path.join(REPO_ROOT, 'clients', 'native', 'build', 'asan', 'hydra_native.node');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'test', 'native-exercise.js'), broker.brokers[0] as string, uniqueTag('native-asan')], {
      env: { ...process.env, LD_PRELOAD: runtime, ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:exitcode=86', HYDRA_NATIVE_ADDON: addon },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    assert.deepEqual(stillAlive([child.pid as number]), []);
    assert.doesNotMatch(stderr, /AddressSanitizer|LeakSanitizer/, stderr.slice(-4000));
    assert.equal(code, 0, stderr.slice(-4000));
    const out = JSON.parse(stdout) as {
      addon: string;
      windows: {
        msg_cnt: number;
        msg_cnt_by_topic?: number[];
        generated: number;
        send_errors: number;
        requests: number;
        measured_from_ms: number | null;
        start_ms: number;
        publish_delay: { count: number };
      }[];
      books: BooksSnapshot;
      replayed: BooksSnapshot;
      statistics_windows: number;
      producer_windows: number;
      consumer_windows: number;
      events: string[];
    };
    assert.equal(out.addon, addon, 'the sanitizer’s build ran');
    const [first, stopped] = out.windows as [(typeof out.windows)[0], (typeof out.windows)[0]];
    // 2 s at 4 000 msg/s, the first 0.5 s warm-up: 8 000 generated, 6 000 measured and acknowledged.
    assert.equal(first.generated, 8000);
    assert.equal(first.msg_cnt, 6000);
    assert.equal(first.send_errors, 0);
    assert.ok(first.measured_from_ms !== null && Math.abs(first.measured_from_ms - first.start_ms - 500) < 1, JSON.stringify(first));
    // The consumer's books: every measured message once and in order, plus the three foreign ones as malformed; the warm-up and the other point's one stale.
    const b = out.books;
    assert.equal(b.msg_cnt, 6003);
    assert.equal(b.malformed, 3);
    assert.equal(b.stale, 2001);
    assert.deepEqual(b.sequences, { unique: 6000, duplicates: 0, out_of_order: 0, max_seq: b.sequences.max_seq, gaps: 0 });
    assert.equal(b.latency.count, 6000);
    assert.equal(
      Object.values(b.next_offsets).reduce((s, n) => s + n, 0),
      8004,
      'every message of both partitions read',
    );
    // Stopped 0.3 s into a 30 s window: generating ended, every send settled.
    assert.ok(stopped.generated > 0 && stopped.generated < 8000, `stopped window generated ${stopped.generated}`);
    assert.equal(stopped.msg_cnt, stopped.generated);
    // Two topics, message k on topic k mod 2: each acknowledged message counted for its topic.
    assert.equal(first.msg_cnt_by_topic, undefined, 'one topic: no per-topic counts');
    assert.equal(stopped.msg_cnt_by_topic?.length, 2);
    assert.equal(
      (stopped.msg_cnt_by_topic ?? []).reduce((a, n) => a + n, 0),
      stopped.msg_cnt,
    );
    assert.ok(Math.abs((stopped.msg_cnt_by_topic?.[0] ?? 0) - (stopped.msg_cnt_by_topic?.[1] ?? 0)) <= 1, JSON.stringify(stopped.msg_cnt_by_topic));
    // A publish delay per measured message.
    assert.equal(first.publish_delay.count, 6000);
    // The replayed books: a null and a 2-byte value malformed, a jump of 32 offsets, a timeline.
    assert.equal(out.replayed.malformed, 2);
    assert.equal(out.replayed.skipped, 32);
    assert.ok(out.replayed.timeline && out.replayed.timeline.counts.length > 100, 'a timeline bucketed 15 minutes of replay');
    assert.equal(out.statistics_windows, 1, 'damaged statistics documents read as nothing, a good one as its window');
    assert.ok(out.producer_windows > 0 && out.consumer_windows > 0, `request windows: ${out.producer_windows}, ${out.consumer_windows}`);
    for (const kind of ['connected', 'measuring', 'done', 'started', 'joined', 'fetched', 'closed'])
      assert.ok(out.events.includes(kind), `${kind} in ${out.events.join(',')}`);
  });
});
