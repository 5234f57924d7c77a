import { strict as assert } from 'node:assert';
import { closestName, editDistance } from '../../src/config/suggest';
import { DEFAULT_OPTIONS, pointParamsOf } from '../../src/config/options';
import { groupedNumber, pointName } from '../../src/present/point-name';
import { studyWarnings } from '../../src/present/warnings';

describe('words for people: suggestions, point names, warnings', () => {
  it('suggests the closest name, and nothing when none is close', () => {
    assert.equal(editDistance('msg_rat', 'msg_rate'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('tset', 'test'), 1, 'a swap is one edit');
    assert.equal(closestName('msg_rat', ['msg_rate', 'msg_rates', 'msg_batch']), 'msg_rate');
    assert.equal(closestName('msg-rate', ['msg_rate']), 'msg_rate', 'kebab case is the same name');
    assert.equal(closestName('durration', ['test_duration', 'drain_timeout']), undefined, 'too far from every name');
    assert.equal(closestName('test_dur', ['test_duration', 'msg_rate']), 'test_duration', 'an unambiguous prefix');
    assert.equal(closestName('zz', ['ab', 'cd']), undefined);
  });

  it('names a point as people read it, never by its internal key', () => {
    const p = pointParamsOf({ ...DEFAULT_OPTIONS, total_sub_apps: 1, clients_per_app: 2, msg_rate: 300000 });
    assert.equal(pointName(p), '2 clients, 300 000 msg/s, batch 100');
    assert.equal(pointName({ ...p, msg_size: 1000 }, ['msg_size']), '2 clients, 300 000 msg/s, batch 100, msg_size=1000');
    assert.equal(groupedNumber(1500), '1500', 'four digits stay together');
    assert.equal(groupedNumber(1234567), '1 234 567');
    assert.equal(groupedNumber(2.5), '2.5');
  });

  it('warns where a study is likely to mislead, and not where it is not', () => {
    const options = { test_duration: 10, consumer_max_wait_ms: 100 };
    assert.deepEqual(studyWarnings({ options, rates: [1000, 2000] }), [], '10 000 messages, a long-poll 1 % of a point');
    const short = studyWarnings({ options: { test_duration: 1, consumer_max_wait_ms: 500 }, rates: [5000] });
    assert.equal(short.length, 1);
    assert.match(
      short[0] as string,
      /^points of 1 s with a 500 ms fetch wait \(consumer_max_wait_ms\): one long-poll is 50 % of a point.*use test_duration=5 or more$/,
    );
    const few = studyWarnings({ options, rates: [10, 1000] });
    assert.equal(few.length, 1);
    assert.match(
      few[0] as string,
      /^at 10 msg\/s for 10 s a client gets 100 messages per point: one lost message is 1\.0 % loss.*use test_duration=100 or more/,
    );
    const search = studyWarnings({ options, rates: [100], lossBoundPct: 0.5 });
    assert.equal(search.length, 0, '1000 messages resolve 0.1 %, finer than 0.5 %');
    const coarse = studyWarnings({ options: { test_duration: 2, consumer_max_wait_ms: 100 }, rates: [50], lossBoundPct: 0.5 });
    assert.match(coarse[0] as string, /coarser than the loss bound 0\.5 % the search tells apart from none; use test_duration=4 or more$/);
  });
});
