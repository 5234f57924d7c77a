import { checkClientOnMockCluster } from '../../src/client/rules';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, coerceValue, parseNumberList } from '../../src/config/flags';
import { parseIni } from '../../src/config/ini';
import { DEFAULT_OPTIONS, LATER_POINT_KEYS, OPTION_SPECS, OPTION_TABLE, POINT_KEYS, pointParamsOf } from '../../src/config/options';
import { checkPointOnMockCluster, checkPointParams, checkPublisherShare } from '../../src/config/rules';
import { flagsToOptions, OPTION_FLAGS, resolveOptions } from '../../src/config/resolve';
import { ConfigError } from '../../src/errors';
import { tempDir } from '../helpers';

function resolveArgv(argv: string[]) {
  return resolveOptions(flagsToOptions(parseArgs(argv, OPTION_FLAGS).flags), { overrideSource: 'flag' });
}

describe('config: flags', () => {
  it('uses HYDRA defaults with no flags and no ini file', () => {
    const o = resolveOptions({ config_file: '' });
    assert.equal(o.test_duration, 10);
    assert.equal(o.msg_batch, 100);
    assert.equal(o.msg_rate, 10000);
    assert.equal(o.total_sub_apps, 20);
    assert.equal(o.clients_per_app, 10);
    assert.equal(o.acks, 1);
    assert.equal(o.linger_ms, 0);
    assert.equal(o.consumer_max_buffer_size, 0);
    assert.equal(o.keep_running, false);
    assert.deepEqual(o.brokers, []);
  });

  it('accepts snake_case and kebab-case, `=value` and separate values', () => {
    const o = resolveArgv(['--total_sub_apps=3', '--msg-rate', '1500', '--keep-running', '--brokers=127.0.0.1:9092,127.0.0.1:9093', '--config_file=']);
    assert.equal(o.total_sub_apps, 3);
    assert.equal(o.msg_rate, 1500);
    assert.equal(o.keep_running, true);
    assert.deepEqual(o.brokers, ['127.0.0.1:9092', '127.0.0.1:9093']);
  });

  const bad: [string[], RegExp][] = [
    [['--bogus=1'], /--bogus: unknown flag/],
    [['--msg_rate=fast'], /--msg_rate="fast": not a number/],
    [['--msg_rate=-5'], /--msg_rate="-5": must not be negative/],
    [['--total_sub_apps=1.5'], /--total_sub_apps="1.5": expected a whole number/],
    [['--acks=2'], /--acks="2": expected 0, 1, -1 or all/],
    [['--test_duration'], /--test_duration: needs a value/],
    [['--keep_running=maybe'], /--keep_running="maybe": expected true or false/],
    [['--brokers=nohostport', '--config_file='], /--brokers="nohostport": expected host:port/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')} naming the flag and value`, () => {
      assert.throws(
        () => resolveArgv(argv),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }

  it('reads acks=all as -1 and number lists', () => {
    assert.equal(coerceValue('acks', 'all', '--acks'), -1);
    assert.deepEqual(parseNumberList('1000, 2000', '--msg_rates', { kind: 'number', min: 1 }), [1000, 2000]);
    assert.throws(() => parseNumberList('1000,x', '--msg_rates', { kind: 'number', min: 1 }), /--msg_rates="x": not a number/);
  });

  it('keeps positionals apart from flags', () => {
    const parsed = parseArgs(['show', 'abc', '--msg_rate=5'], OPTION_FLAGS);
    assert.deepEqual(parsed.positionals, ['show', 'abc']);
    assert.equal(parsed.flags.get('msg_rate'), '5');
  });
});

describe('config: hydra.ini', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it('parses sections, comments and values', () => {
    const ini = parseIni('# c\n[broker]\nbrokers = 127.0.0.1:9092\n; c\n[test]\nmsg_rate=300\n', 'x.ini');
    assert.deepEqual(ini.broker, { brokers: '127.0.0.1:9092' });
    assert.deepEqual(ini.test, { msg_rate: '300' });
  });

  it('flags override the ini file, which overrides defaults', () => {
    const file = write('a.ini', '[test]\nmsg_rate = 300\nmsg_batch = 7\n[broker]\nbrokers =\n[control]\ntimeout_ms = 1234\n');
    const o = resolveOptions({ config_file: file, msg_rate: 400 });
    assert.equal(o.msg_rate, 400);
    assert.equal(o.msg_batch, 7);
    assert.equal(o.control_timeout_ms, 1234);
    assert.deepEqual(o.brokers, []);
    assert.equal(o.test_duration, DEFAULT_OPTIONS.test_duration);
  });

  it('rejects a malformed line with file and line number', () => {
    const file = write('b.ini', '[test]\nthis is not a key value\n');
    assert.throws(
      () => resolveOptions({ config_file: file }),
      (e: unknown) => e instanceof ConfigError && e.message.includes(`${file}:2`) && /malformed line/.test(e.message),
    );
  });

  it('rejects an unknown key naming section and key', () => {
    const file = write('c.ini', '[test]\nmsg_rat = 5\n');
    assert.throws(() => resolveOptions({ config_file: file }), /\[test\] msg_rat="5": unknown key/);
  });

  it('rejects a bad value naming the ini key', () => {
    const file = write('d.ini', '[test]\nmsg_rate = -1\n');
    assert.throws(() => resolveOptions({ config_file: file }), /\[test\] msg_rate="-1": must not be negative/);
  });

  it('rejects an explicitly named file that cannot be read', () => {
    assert.throws(() => resolveOptions({ config_file: path.join(dir, 'missing.ini') }), /--config_file=".*missing.ini": cannot read \(ENOENT\)/);
  });

  it('validates options passed from code (a notebook) the same way', () => {
    // From code, the error names the library field, not a flag nobody typed.
    assert.throws(() => resolveOptions({ config_file: '', msg_rate: -10 }), /^ConfigError: options\.msg_rate="-10": must not be negative/);
  });
});

describe('config: the option table and the point rules', () => {
  it('derives the defaults, specs and point keys from one table, point keys in the order stored studies carry', () => {
    assert.equal(OPTION_SPECS.length, Object.keys(OPTION_TABLE).length);
    for (const spec of OPTION_SPECS) assert.equal((DEFAULT_OPTIONS as Record<string, unknown>)[spec.name], OPTION_TABLE[spec.name].default);
    assert.deepEqual(POINT_KEYS.slice(0, 5), ['total_sub_apps', 'total_pub_apps', 'clients_per_app', 'msg_rate', 'msg_batch']);
    // A later key is keyed only away from what earlier points ran with.
    assert.equal(LATER_POINT_KEYS.msg_size, 16);
    assert.ok(!('msg_rate' in LATER_POINT_KEYS));
  });

  it('refuses a rate below one msg/s per publisher, and on the embedded broker more than its 4 partitions or idempotence', () => {
    const params = pointParamsOf(DEFAULT_OPTIONS);
    assert.throws(
      () => checkPublisherShare({ ...params, msg_rate: 1, total_pub_apps: 2 }),
      /--total_pub_apps="2": each publisher needs at least 1 msg\/s of the rate; msg_rate is 1 \(--msg_rate\)/,
    );
    assert.throws(() => checkPointParams({ ...params, msg_rate: 1, total_pub_apps: 2 }), /each publisher needs/);
    assert.throws(() => checkPointOnMockCluster({ ...params, partitions: 5 }), /--partitions="5": the embedded broker's topics have 4 partitions/);
    assert.throws(() => checkClientOnMockCluster({ ...params, idempotent: true }, (key) => `--${key}`), /--idempotent="true": the embedded broker/);
    assert.doesNotThrow(() => checkPointOnMockCluster({ ...params, partitions: 4 }));
  });
});
