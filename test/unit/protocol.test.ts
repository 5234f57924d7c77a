import { strict as assert } from 'node:assert';
import { seqAfter } from '../../src/control/client';
import {
  authProblem,
  COMMAND_FRESH_MS,
  decodeRequest,
  encodeRequest,
  PROTOCOL_VERSION,
  type AuthCheck,
  type ControlRequest,
  type Signer,
} from '../../src/control/protocol';

describe('control protocol', () => {
  it('round-trips a request with its version', () => {
    const req = decodeRequest(Buffer.from(encodeRequest('updateconfig', { msg_rate: 5 })));
    assert.deepEqual(req, { v: PROTOCOL_VERSION, cmd: 'updateconfig', args: { msg_rate: 5 } });
  });

  it('turns bad input into error values, not exceptions', () => {
    assert.deepEqual(decodeRequest(Buffer.from([0xff, 0x00])), { error: 'undecodable request: not JSON' });
    assert.match((decodeRequest(Buffer.from(`{"v":${PROTOCOL_VERSION},"cmd":"dance"}`)) as { error: string }).error, /unknown command "dance"/);
    assert.match((decodeRequest(Buffer.from('{"v":99,"cmd":"ping"}')) as { error: string }).error, /unsupported protocol version 99/);
    // A version sent as a string is named as one, not as the number the app speaks.
    assert.equal(
      (decodeRequest(Buffer.from(`{"v":"${PROTOCOL_VERSION}","cmd":"ping"}`)) as { error: string }).error,
      `unsupported protocol version "${PROTOCOL_VERSION}" (this app speaks ${PROTOCOL_VERSION}, a number)`,
    );
    assert.match((decodeRequest(Buffer.from(`{"v":${PROTOCOL_VERSION},"cmd":"ping","args":3}`)) as { error: string }).error, /args must be an object/);
  });
});

describe('signed commands: single-use, fresh, for one app', () => {
  const run = 'run-1';
  const secret = 'cd'.repeat(32);
  const now = 1_800_000_000_000;
  const sign = (over: Partial<Signer> = {}, cmd: 'resetstats' | 'ping' = 'resetstats'): ControlRequest =>
    decodeRequest(Buffer.from(encodeRequest(cmd, undefined, { run, secret, to: 'sub-0', seq: now * 1000, ...over }))) as ControlRequest;
  const check = (over: Partial<AuthCheck> = {}): AuthCheck => ({ run, secret, app: 'sub-0', lastSeq: (now - 1000) * 1000, nowMs: now, ...over });

  it('serves a fresh command signed for this app', () => {
    assert.equal(authProblem(sign(), check()), null);
  });

  it('refuses a command replayed (its sequence number served already), and says why', () => {
    assert.match(authProblem(sign(), check({ lastSeq: now * 1000 })) ?? '', /^replayed command refused: sequence number \d+ is not above the last one served/);
    assert.match(authProblem(sign({ seq: now * 1000 - 5 }), check({ lastSeq: now * 1000 })) ?? '', /^replayed command refused/);
  });

  it('refuses a command for another app, a stale one and one from a clock far ahead', () => {
    assert.equal(authProblem(sign({ to: 'sub-1' }), check()), 'command for app "sub-1" refused: this is sub-0');
    const old = now - COMMAND_FRESH_MS - 1000;
    assert.match(authProblem(sign({ seq: old * 1000 }), check({ lastSeq: 0 })) ?? '', /^stale command refused: signed 61 s ago, commands are good for 60 s/);
    assert.match(
      authProblem(sign({ seq: (now + COMMAND_FRESH_MS + 5000) * 1000 }), check()) ?? '',
      /^command from 65 s ahead refused: this host's clock is behind/,
    );
  });

  it('covers the app and the sequence number with the signature', () => {
    const req = sign();
    assert.match(authProblem({ ...req, to: 'sub-1' }, check({ app: 'sub-1' })) ?? '', /wrong signature/);
    assert.match(authProblem({ ...req, seq: (req.seq as number) + 1 }, check()) ?? '', /wrong signature/);
  });

  it('numbers commands strictly upward, also twice in one ms and when the clock steps back', () => {
    const a = seqAfter(0, now);
    const b = seqAfter(a, now);
    const c = seqAfter(b, now - 5000);
    assert.ok(a < b && b < c, `${a} < ${b} < ${c}`);
  });
});
