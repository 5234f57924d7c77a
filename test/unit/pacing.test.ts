import { strict as assert } from 'node:assert';
import { MAX_REQUEST_MESSAGES, publishWindowS, requestMaxMessages, runSchedule, type ScheduleConfig, type ScheduleIO } from '../../src/apps/pacing';

/**
 * The publisher's loop on a virtual clock: sleep() advances time, send() settles after a fixed
 * broker round trip. Nothing here touches Kafka or real time.
 */
function virtualPublisher(opts: { roundTripMs?: number | (() => number); sendCostMs?: number; stopAfterSends?: number } = {}) {
  let now = 0;
  const sends: { at: number; seqs: number[] }[] = [];
  /** The partition's log: messages in the order the broker appended them (when each request completed). */
  const log: number[] = [];
  let inFlight = 0;
  let maxSeenInFlight = 0;
  const timers: { at: number; fire: () => void }[] = [];
  const advanceTo = (t: number): void => {
    // Fire every timer due by t in order, so round trips complete while the loop sleeps.
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > t) break;
      timers.shift();
      now = Math.max(now, next.at);
      next.fire();
    }
    now = Math.max(now, t);
  };
  const io: ScheduleIO<number> = {
    now: () => now,
    sleep: async (ms) => advanceTo(now + ms),
    message: (seq) => seq,
    send: (messages) => {
      sends.push({ at: now, seqs: messages });
      now += opts.sendCostMs ?? 0;
      inFlight++;
      maxSeenInFlight = Math.max(maxSeenInFlight, inFlight);
      const rtt = typeof opts.roundTripMs === 'function' ? opts.roundTripMs() : (opts.roundTripMs ?? 1);
      return new Promise<void>((resolve) => {
        timers.push({
          at: now + rtt,
          fire: () => {
            inFlight--;
            log.push(...messages);
            resolve();
          },
        });
      });
    },
    stopRequested: () => opts.stopAfterSends !== undefined && sends.length >= opts.stopAfterSends,
  };
  // Promise.race on in-flight requests needs the clock to move when nothing sleeps.
  const pump = setInterval(() => advanceTo(now + 1), 0);
  return { io, sends, log, stats: () => ({ maxSeenInFlight }), done: () => clearInterval(pump), now: () => now };
}

const cfg = (over: Partial<ScheduleConfig>): ScheduleConfig => ({ msg_rate: 1000, msg_batch: 100, test_duration: 1, linger_ms: 0, ...over });

describe('publisher pacing loop (virtual clock, no Kafka)', () => {
  it('sends each batch when due, one request per batch without linger, in sequence order', async () => {
    const v = virtualPublisher();
    const out = await runSchedule(cfg({}), v.io);
    v.done();
    assert.equal(out.generated, 1000);
    assert.deepEqual(
      v.sends.map((s) => s.at),
      [0, 100, 200, 300, 400, 500, 600, 700, 800, 900],
    );
    assert.deepEqual(
      v.sends.flatMap((s) => s.seqs),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('coalesces batches generated within linger_ms into one request, flushed when the linger expires', async () => {
    const v = virtualPublisher();
    await runSchedule(cfg({ msg_batch: 10, msg_rate: 1000, linger_ms: 25 }), v.io);
    v.done();
    // A batch every 10 ms; the first pending batch at 0 is flushed at 25 with the batches of 0, 10, 20.
    assert.equal(v.sends[0]?.at, 25);
    assert.equal(v.sends[0]?.seqs.length, 30);
    assert.equal(
      v.sends.reduce((n, s) => n + s.seqs.length, 0),
      1000,
    );
    assert.ok(v.sends.length < 100 / 2, `${v.sends.length} requests for 100 batches`);
  });

  it('keeps one request in flight and coalesces the batches due meanwhile, so the log keeps send order', async () => {
    // Round trips of 5 to 250 ms: with several requests in flight, a slow one would land after later ones.
    let r = 7;
    const v = virtualPublisher({
      roundTripMs: () => {
        r = (r * 48271) % 2147483647;
        return 5 + (r % 246);
      },
    });
    const out = await runSchedule(cfg({ msg_batch: 10 }), v.io);
    v.done();
    assert.equal(v.stats().maxSeenInFlight, 1);
    assert.equal(out.generated, 1000);
    assert.deepEqual(
      v.log,
      Array.from({ length: 1000 }, (_, i) => i),
      'the partition log is in sequence order',
    );
    assert.ok(out.requests < 100, `${out.requests} requests for 100 batches: batches due during a round trip went together`);
  });

  it('with max_in_flight 3 keeps up to three requests out, and a slow one then lands after later ones (what idempotence is for)', async () => {
    let r = 7;
    const v = virtualPublisher({
      roundTripMs: () => {
        r = (r * 48271) % 2147483647;
        return 5 + (r % 246);
      },
    });
    const out = await runSchedule(cfg({ msg_batch: 10, max_in_flight: 3 }), v.io);
    v.done();
    assert.equal(v.stats().maxSeenInFlight, 3);
    assert.equal(out.generated, 1000);
    assert.deepEqual(
      [...v.log].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
      'every message reached the log once',
    );
    assert.notDeepEqual(
      v.log,
      Array.from({ length: 1000 }, (_, i) => i),
      'with random round trips the log is not in send order',
    );
  });

  it('caps a request at request_max_messages (the batch_bytes limit in messages)', async () => {
    const v = virtualPublisher({ roundTripMs: 300 });
    const out = await runSchedule(cfg({ msg_batch: 50, request_max_messages: 70 }), v.io);
    v.done();
    assert.equal(out.generated, 1000);
    assert.ok(
      v.sends.every((s) => s.seqs.length <= 70),
      `largest request ${Math.max(...v.sends.map((s) => s.seqs.length))}`,
    );
    assert.ok(
      v.sends.some((s) => s.seqs.length === 70),
      'round trips of 300 ms let requests fill up to the cap',
    );
    assert.equal(requestMaxMessages(1_000_000, 65536), 15);
    assert.equal(requestMaxMessages(1_000_000, 16), MAX_REQUEST_MESSAGES);
    assert.equal(requestMaxMessages(1000, 4096), 1, 'one message even when it alone is larger than batch_bytes');
  });

  it('stops at the end of its window when it fell behind, instead of running long', async () => {
    // Each send costs 30 ms of the loop's time: 10 batches due per 100 ms cannot all go out.
    const v = virtualPublisher({ sendCostMs: 30 });
    const out = await runSchedule(cfg({ msg_batch: 10 }), v.io);
    v.done();
    assert.ok(out.generated < 1000, `${out.generated} generated`);
    assert.ok(
      v.sends.every((s) => s.at <= 1000 + 30),
      'no batch generated after the window',
    );
  });

  it('stops when asked (teststop)', async () => {
    const v = virtualPublisher({ stopAfterSends: 3 });
    const out = await runSchedule(cfg({}), v.io);
    v.done();
    assert.equal(v.sends.length, 3);
    assert.equal(out.generated, 300);
  });

  it('measures an on-time publisher over the window its messages were scheduled to fill', () => {
    // 10 batches on schedule span 900 ms of sending; they fill a 1 s window at 1000 msg/s.
    assert.equal(publishWindowS(0, 900, 1000, 1000), 1);
    // A late publisher is measured over the time it really took.
    assert.equal(publishWindowS(0, 2000, 1000, 1000), 2);
  });
});
