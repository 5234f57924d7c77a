import { strict as assert } from 'node:assert';
import { decodeRequest, encodeRequest, PROTOCOL_VERSION } from '../../src/control/protocol';

describe('control protocol', () => {
  it('round-trips a request with its version', () => {
    const req = decodeRequest(Buffer.from(encodeRequest('updateconfig', { msg_rate: 5 })));
    assert.deepEqual(req, { v: PROTOCOL_VERSION, cmd: 'updateconfig', args: { msg_rate: 5 } });
  });

  it('turns bad input into error values, not exceptions', () => {
    assert.deepEqual(decodeRequest(Buffer.from([0xff, 0x00])), { error: 'undecodable request: not JSON' });
    assert.match((decodeRequest(Buffer.from('{"v":1,"cmd":"dance"}')) as { error: string }).error, /unknown command "dance"/);
    assert.match((decodeRequest(Buffer.from('{"v":99,"cmd":"ping"}')) as { error: string }).error, /unsupported protocol version 99/);
    assert.match((decodeRequest(Buffer.from('{"v":1,"cmd":"ping","args":3}')) as { error: string }).error, /args must be an object/);
  });
});
