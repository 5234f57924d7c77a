import { strict as assert } from 'node:assert';
import { JsBooks } from '../../src/apps/books';
import { encodeMessage } from '../../src/apps/message';
import type { BooksSettings, TimelineSettings } from '../../src/client';
import type { NativeModule, NativeReplayBatch } from '../../src/client/native/api';
import { loadNative } from '../../src/client/native/load';
import { isInstalled } from '../../src/client/registry';
import { StatisticsReader } from '../../src/client/librdkafka/statistics';
import { RequestRecorder } from '../../src/client/requests';

/**
 * The native core's books against the TypeScript ones: the same scripted stream through both must
 * give the same counts, sequences, histograms, positions and timeline, to the bit. CI builds the
 * native client (the test command's setup); elsewhere, without it, these are skipped saying so.
 */
describe('the native client’s books are the TypeScript books (a differential test)', function () {
  let native: NativeModule;
  before(function () {
    if (isInstalled('native')) {
      native = loadNative();
      return;
    }
    if (process.env.CI) throw new Error('the native client is not built: the test command (bash scripts/setup.sh test) builds it');
    process.stdout.write('    (skipped: the native client is not built here; bash scripts/setup.sh native builds it)\n');
    this.skip();
  });

  const T0 = 1_750_000_000_000;
  const EPOCH = 41;

  /** A message of publisher `pub`, its `seq`, due `dueMs` after t0 and sent `delayMs` late. */
  function message(pub: number, seq: number, dueMs: number, delayMs: number, epoch = EPOCH): Buffer {
    return encodeMessage({ seq, pubId: pub, epoch, intendedMs: T0 + dueMs, sentMs: T0 + dueMs + delayMs }, T0);
  }

  /** A pseudo-random stream (fixed seed) with everything the books must tell apart. */
  function scriptedStream(seed: number): NativeReplayBatch[] {
    let state = seed;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const batches: NativeReplayBatch[] = [];
    const offsets = [0, 0, 0];
    const nextSeq = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    let at = T0 + 5;
    for (let b = 0; b < 400; b++) {
      const partition = Math.floor(random() * 3);
      const values: (Buffer | null)[] = [];
      const size = 1 + Math.floor(random() * 40);
      for (let i = 0; i < size; i++) {
        const pub = random() < 0.5 ? 0 : 1;
        const row = nextSeq[pub] as number[];
        let seq = row[partition] as number;
        const r = random();
        // A gap, a duplicate, a late one (reordering), or the next.
        if (r < 0.03) seq += 1 + Math.floor(random() * 5);
        else if (r < 0.06) seq = Math.max(0, seq - 1);
        else if (r < 0.09) seq = Math.max(0, seq - 1 - Math.floor(random() * 20));
        if (seq >= (row[partition] as number)) row[partition] = seq + 1;
        const due = (at - T0) * random() * 0.999 + random() * 3;
        const kind = random();
        if (kind < 0.02) values.push(null);
        else if (kind < 0.04) values.push(Buffer.from('not hydra'));
        else if (kind < 0.06) values.push(message(7, seq, due, 0.25));
        else if (kind < 0.08) values.push(message(pub, seq, due, 0.5, (EPOCH + 1) & 0xffff));
        // Latencies from sub-µs to minutes, and negative ones (a clock ahead).
        else values.push(message(pub, seq, Math.max(0, due - (kind > 0.98 ? 120000 * random() : 0) + (kind > 0.97 && kind <= 0.98 ? 50 : 0)), random() * 40));
      }
      // Now and then the position jumps over offsets it never got.
      if (random() < 0.03) offsets[partition] = (offsets[partition] as number) + 1 + Math.floor(random() * 100);
      batches.push({ partition, first_offset: offsets[partition] as number, at_ms: at, values });
      offsets[partition] = (offsets[partition] as number) + values.length;
      at += random() * 25;
    }
    return batches;
  }

  function viaTypeScript(settings: BooksSettings, timeline: TimelineSettings | null, batches: NativeReplayBatch[]): unknown {
    const books = new JsBooks(settings);
    books.reset(settings, timeline);
    for (const b of batches) books.batch(b.partition, b.values, b.first_offset, b.first_offset + b.values.length - 1, b.at_ms);
    // As the wire carries it.
    return JSON.parse(JSON.stringify(books.snapshot()));
  }

  function viaNative(settings: BooksSettings, timeline: TimelineSettings | null, batches: NativeReplayBatch[]): unknown {
    return JSON.parse(native.replay(settings, timeline, batches));
  }

  const settings: BooksSettings = { t0_ms: T0, epoch: EPOCH, pub_count: 2, latency_corrections_ms: [0.125, -3.5] };

  it('a stream with gaps, duplicates, reordering, two publishers, stale and malformed messages and jumps: identical figures', () => {
    for (const seed of [1, 7, 2024]) {
      const batches = scriptedStream(seed);
      const ts = viaTypeScript(settings, null, batches) as {
        msg_cnt: number;
        sequences: { duplicates: number; out_of_order: number; gaps: number };
        malformed: number;
        stale: number;
        skipped: number;
      };
      // The stream has each of what it must tell apart, so the comparison below can fail on each.
      assert.ok(ts.sequences.duplicates > 0 && ts.sequences.out_of_order > 0 && ts.sequences.gaps > 0, JSON.stringify(ts.sequences));
      assert.ok(ts.malformed > 0 && ts.stale > 0 && ts.skipped > 0, `malformed ${ts.malformed}, stale ${ts.stale}, skipped ${ts.skipped}`);
      assert.deepStrictEqual(viaNative(settings, null, batches), ts, `seed ${seed}`);
    }
  });

  it('with a planned fault’s timeline: the same buckets, gaps, phases and runs', () => {
    const batches = scriptedStream(99);
    const start = batches[0]?.at_ms ?? T0;
    const timeline: TimelineSettings = { start_ms: start - 3, bucket_ms: 100, from_ms: start + 1500, to_ms: start + 3000 };
    const ts = viaTypeScript(settings, timeline, batches) as { timeline: { counts: number[]; received: unknown[] } };
    assert.ok(ts.timeline.counts.length > 10 && ts.timeline.received.length > 0);
    assert.deepStrictEqual(viaNative(settings, timeline, batches), ts);
  });

  it('different streams give different figures: the comparison can fail', () => {
    const a = scriptedStream(3);
    const b = scriptedStream(4);
    assert.notDeepStrictEqual(viaNative(settings, null, a), viaTypeScript(settings, null, b));
    // One message more in the native books alone is a difference too.
    const longer = [...a, { partition: 0, first_offset: 100000, at_ms: T0 + 99999, values: [message(0, 0, 1, 1)] }];
    assert.notDeepStrictEqual(viaNative(settings, null, longer), viaTypeScript(settings, null, a));
  });

  it('reads librdkafka’s statistics as the librdkafka client does (request windows, timeouts)', () => {
    // The recorded statistics of the librdkafka client's tests, read by both: the same telemetry.
    const docs = [stats(3, 100, 0), stats(5, 250, 2), stats(0, 0, 2)];
    const ts = new RequestRecorder();
    const reader = new StatisticsReader(ts);
    for (const d of docs) reader.read(d);
    const drained = JSON.parse(nativeStats(docs)) as { windows: number[][]; timeouts: number };
    const nat = new RequestRecorder();
    for (const [cnt, p50, p75, p90, p95, p99, p99_99, max, queue] of drained.windows as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ][])
      nat.answeredWindow({ cnt, p50, p75, p90, p95, p99, p99_99, max }, queue);
    if (drained.timeouts > 0) nat.timedOut(drained.timeouts);
    assert.deepStrictEqual(nat.read(), ts.read());
    assert.equal(ts.read().requests, 8);
    assert.equal(ts.read().timeouts, 2);
  });

  /** A statistics document: a learned broker with `cnt` requests, a bootstrap one and the coordinator, which do not count. */
  function stats(cnt: number, p50: number, timeouts: number): string {
    const rtt = { min: 1, max: p50 * 3, avg: p50, p50, p75: p50 * 2, p90: p50 * 2, p95: p50 * 3, p99: p50 * 3, p99_99: p50 * 4, cnt };
    return JSON.stringify({
      name: 'rdkafka#consumer-1',
      brokers: {
        'h:1/bootstrap': { name: 'h:1/bootstrap', nodeid: -1, source: 'configured', rtt: { ...rtt, cnt: 9 }, req_timeouts: 5 },
        'h:1/1': { name: 'h:1/1', nodeid: 1, source: 'learned', rtt, int_latency: { max: 2500 }, req_timeouts: timeouts, toppars: { 't-0': { partition: 0 } } },
        GroupCoordinator: { name: 'GroupCoordinator', nodeid: 1, source: 'logical', rtt: { ...rtt, cnt: 7 }, req_timeouts: 1 },
      },
      topics: { t: { partitions: { '0': { msgq_cnt: 0, 'escaped\\"key': [1, 2, { a: 'x' }] } } } },
    });
  }

  /** The same documents through the native reader (a consumer that never connects). */
  function nativeStats(docs: string[]): string {
    return native.replayStatistics(docs);
  }
});
