import { strict as assert } from 'node:assert';
import * as zmq from 'zeromq';
import { ControlClient } from '../../src/control/client';
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
