import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as zmq from 'zeromq';
import { appAuthOf, newControlAuth } from '../../src/control/auth';
import { ControlClient } from '../../src/control/client';
import { PROTOCOL_VERSION } from '../../src/control/protocol';
import { ControlServer } from '../../src/control/server';
import { ControlReplyError, ControlTimeoutError } from '../../src/errors';

describe('control plane over real ZeroMQ sockets', function () {
  this.timeout(15000);
  let server: ControlServer;
  let endpoint: string;
  const clients: ControlClient[] = [];
  let slowCalls = 0;

  before(async () => {
    server = new ControlServer()
      .on('ping', () => ({ pong: true }))
      .on('updateconfig', (args) => ({ echoed: args }))
      .on('teststatus', () => {
        throw new Error('handler exploded');
      })
      .on('getstats', async () => {
        // First call is slower than the client's timeout; later calls answer at once.
        if (slowCalls++ === 0) await new Promise((r) => setTimeout(r, 1500));
        return { n: slowCalls };
      });
    endpoint = await server.bind('127.0.0.1');
  });
  after(() => {
    for (const c of clients) c.close();
    server.close();
  });
  const client = (timeoutMs = 2000): ControlClient => {
    const c = new ControlClient(endpoint, timeoutMs);
    clients.push(c);
    return c;
  };

  it('binds an ephemeral loopback port and answers ping', async () => {
    assert.match(endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await client().call('ping'), { pong: true });
  });

  it('passes args and serializes concurrent calls on one REQ socket', async () => {
    const c = client();
    const replies = await Promise.all([1, 2, 3].map((i) => c.call('updateconfig', { i })));
    assert.deepEqual(replies, [{ echoed: { i: 1 } }, { echoed: { i: 2 } }, { echoed: { i: 3 } }]);
  });

  it('replies with an error for unsupported commands and handler failures, and keeps serving', async () => {
    const c = client();
    await assert.rejects(c.call('teststart'), (e: unknown) => e instanceof ControlReplyError && /not supported/.test(e.message));
    await assert.rejects(c.call('teststatus'), (e: unknown) => e instanceof ControlReplyError && /handler exploded/.test(e.message));
    assert.deepEqual(await c.call('ping'), { pong: true });
  });

  it('replies with an error to undecodable bytes', async () => {
    const raw = new zmq.Request({ linger: 0, receiveTimeout: 2000 });
    raw.connect(endpoint);
    try {
      await raw.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      const [reply] = await raw.receive();
      const parsed = JSON.parse(String(reply)) as { ok: boolean; error: string };
      assert.equal(parsed.ok, false);
      assert.match(parsed.error, /undecodable/);
    } finally {
      raw.close();
    }
    assert.deepEqual(await client().call('ping'), { pong: true });
  });

  it('times out on a slow reply, then recovers its socket for the next call', async () => {
    const c = client(500);
    const t0 = Date.now();
    await assert.rejects(c.call('getstats'), ControlTimeoutError);
    assert.ok(Date.now() - t0 < 1400, 'timed out before the reply came');
    const second = (await c.call('getstats', undefined, 5000)) as { n: number };
    assert.equal(second.n, 2);
  });

  it('names the app that did not answer, and what to do about it', async () => {
    const silent = new zmq.Reply({ linger: 0 });
    await silent.bind('tcp://127.0.0.1:*');
    const c = new ControlClient(silent.lastEndpoint as string, 300, newControlAuth('named-run', false), 'sub-7');
    clients.push(c);
    try {
      await assert.rejects(c.call('teststatus'), (e: unknown) => {
        assert.ok(e instanceof ControlTimeoutError);
        assert.match(
          e.message,
          /^sub-7 did not answer 'teststatus' within 300 ms \(tcp:\/\/127\.0\.0\.1:\d+\): it is frozen, or starved of CPU — raise --control_timeout_ms, or run fewer apps per machine$/,
        );
        return true;
      });
    } finally {
      silent.close();
    }
  });

  it('does not hang on a REP server that never answers', async () => {
    const silent = new zmq.Reply({ linger: 0 });
    await silent.bind('tcp://127.0.0.1:*');
    const c = new ControlClient(silent.lastEndpoint as string, 300);
    clients.push(c);
    try {
      const t0 = Date.now();
      await assert.rejects(c.call('ping'), (e: unknown) => e instanceof ControlTimeoutError && /no reply to 'ping'/.test(e.message));
      await assert.rejects(c.call('ping'), ControlTimeoutError);
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      silent.close();
    }
  });
});

describe('control server under hostile input (fuzz, real sockets)', function () {
  this.timeout(60000);

  it('keeps answering its runner through thousands of random frames, truncated handshakes and wrong socket types', async () => {
    const auth = newControlAuth('fuzz-run', false);
    let resets = 0;
    const server = new ControlServer(appAuthOf(auth))
      .on('ping', () => ({ pong: true }))
      .on('resetstats', () => {
        resets++;
        return null;
      });
    const endpoint = await server.bind('127.0.0.1');
    const [host, portText] = endpoint.replace('tcp://', '').split(':') as [string, string];
    const port = Number(portText);
    const runner = new ControlClient(endpoint, 2000, auth);
    // Deterministic randomness, so a failure can be replayed.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rand(256)));
    const rawTcp = (payload: Buffer): Promise<void> =>
      new Promise((resolve) => {
        // Write and hang up: a truncated handshake would otherwise keep the connection open.
        const socket: net.Socket = net.connect(port, host, () => socket.write(payload, () => setTimeout(() => socket.destroy(), 20)));
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    let frames = 0;
    let connections = 0;
    let answered = 0;
    const rounds = 20;
    try {
      for (let round = 0; round < rounds; round++) {
        // Raw TCP: random bytes of random sizes, truncated ZMTP/3 and ZMTP/1.0 greetings.
        const greeting = Buffer.concat([Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0]), Buffer.from('NULL'), Buffer.alloc(48)]);
        const raws = [
          bytes(1 + rand(64)),
          bytes(1024 + rand(4096)),
          greeting.subarray(0, 1 + rand(greeting.length - 1)),
          Buffer.from([0x01, 0x00, 0x02, 0x00, 0x41]),
        ];
        await Promise.all(raws.map(rawTcp));
        connections += raws.length;
        frames += raws.length;
        // ZeroMQ peers: a DEALER without the empty delimiter, a REQ with garbage and with
        // unsigned JSON, a PUSH (wrong socket type), and a message over the size cap.
        const dealer = new zmq.Dealer({ linger: 0 });
        const req = new zmq.Request({ linger: 0, receiveTimeout: 300 });
        const push = new zmq.Push({ linger: 0, sendTimeout: 200 });
        dealer.connect(endpoint);
        req.connect(endpoint);
        push.connect(endpoint);
        connections += 3;
        for (let i = 0; i < 150; i++) {
          await dealer.send(Array.from({ length: 1 + rand(3) }, () => bytes(rand(512))));
          frames++;
        }
        for (const payload of [
          bytes(rand(2048)),
          Buffer.from(`{"v":${PROTOCOL_VERSION},"cmd":"resetstats"}`),
          Buffer.from(`{"v":${PROTOCOL_VERSION},"cmd":"resetstats","run":"fuzz-run","auth":"00"}`),
          bytes(300 * 1024),
        ]) {
          try {
            await req.send(payload);
            frames++;
            await req.receive();
          } catch {
            // An oversized message makes the server drop this peer: no reply, as intended.
          }
        }
        await push.send(bytes(64)).catch(() => undefined);
        frames++;
        dealer.close();
        req.close();
        push.close();
        assert.deepEqual(await runner.call('ping'), { pong: true }, `round ${round}`);
        answered++;
      }
      assert.equal(resets, 0, 'no unsigned command reached a handler');
      assert.ok(server.counters.refused >= rounds * 2, `${server.counters.refused} unsigned requests refused`);
      process.stderr.write(
        `      fuzz: ${frames} frames over ${connections} connections; the runner's ping answered ${answered}/${rounds}; ${server.counters.refused} unsigned refused, ${server.counters.dropped} malformed dropped\n`,
      );
    } finally {
      runner.close();
      server.close();
    }
  });
});

describe('control server under 64 KB of random bytes (fuzz, real sockets)', function () {
  this.timeout(60000);

  it('keeps answering its runner within its usual time after each of 30 blasts, however they begin', async () => {
    const auth = newControlAuth('blast-run', false);
    const server = new ControlServer(appAuthOf(auth), 'pub').on('ping', () => ({ pong: true }));
    const endpoint = await server.bind('127.0.0.1');
    const [host, portText] = endpoint.replace('tcp://', '').split(':') as [string, string];
    const runner = new ControlClient(endpoint, 1000, auth, 'pub');
    let seed = 4242;
    const bytes = (n: number): Buffer =>
      Buffer.from(
        Array.from({ length: n }, () => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return seed % 256;
        }),
      );
    const greeting = Buffer.concat([Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0]), Buffer.from('NULL'), Buffer.alloc(48)]);
    const slowest: number[] = [];
    try {
      for (let blast = 0; blast < 30; blast++) {
        // Plain random bytes, random bytes after a ZMTP signature byte, and after a whole ZMTP 3 greeting.
        const head = blast % 3 === 0 ? Buffer.alloc(0) : blast % 3 === 1 ? Buffer.from([0xff]) : greeting;
        const payload = Buffer.concat([head, bytes(64 * 1024 - head.length)]);
        // Write it all, hang up, and do not wait for the app to close its side (it need not).
        await new Promise<void>((resolve) => {
          const socket: net.Socket = net.connect(Number(portText), host, () =>
            socket.write(payload, () => {
              socket.end();
              setTimeout(() => {
                socket.destroy();
                resolve();
              }, 50);
            }),
          );
          socket.on('error', () => resolve());
        });
        const t0 = Date.now();
        assert.deepEqual(await runner.call('ping'), { pong: true }, `blast ${blast}`);
        slowest.push(Date.now() - t0);
      }
      process.stderr.write(`      64 KB blasts: 30 of 30 followed by a ping answered, slowest in ${Math.max(...slowest)} ms\n`);
    } finally {
      runner.close();
      server.close();
    }
  });
});

describe('control plane with CURVE (as beyond loopback)', function () {
  this.timeout(20000);

  it('serves a client holding the run keys and gives a peer without them nothing', async () => {
    const auth = newControlAuth('curve-run', true);
    assert.ok(auth.curve, 'CURVE keys are generated when the control plane leaves loopback');
    const server = new ControlServer(appAuthOf(auth)).on('ping', () => ({ pong: true }));
    const endpoint = await server.bind('127.0.0.1');
    const runner = new ControlClient(endpoint, 1000, auth);
    // Knows the secret but not the CURVE keys: the handshake fails and no request gets through.
    const plain = new ControlClient(endpoint, 500, { run: auth.run, secret: auth.secret });
    // Has CURVE keys of its own, but not the server's key.
    const stranger = new ControlClient(endpoint, 500, { ...newControlAuth('curve-run', true), secret: auth.secret });
    try {
      assert.deepEqual(await runner.call('ping'), { pong: true });
      await assert.rejects(plain.call('ping'), ControlTimeoutError);
      await assert.rejects(stranger.call('ping'), ControlTimeoutError);
      assert.deepEqual(await runner.call('ping'), { pong: true });
    } finally {
      runner.close();
      plain.close();
      stranger.close();
      server.close();
    }
  });
});
