import { strict as assert } from 'node:assert';
import { commandArgv, parseHosts } from '../../src/launch/command';
import { estimateClockOffset, latencyCorrections } from '../../src/runner/clock';
import { DEFAULT_OPTIONS } from '../../src/config/options';
import { validateOptions } from '../../src/config/resolve';

describe('clock offsets (NTP-style, four timestamps)', () => {
  it('finds an app clock 2 s ahead within half the shortest round trip, however asymmetric the others', async () => {
    let runner = 1_000_000;
    const offset = 2000;
    // Exchange i: out delay, app time, back delay (ms); the third has the shortest round trip.
    const delays: [number, number, number][] = [
      [30, 1, 2],
      [5, 1, 40],
      [0.4, 0.1, 0.6],
      [12, 1, 12],
    ];
    let i = 0;
    const ask = async () => {
      const [out, work, back] = delays[i++] as [number, number, number];
      runner += out;
      const rx = runner + offset;
      runner += work;
      const tx = runner + offset;
      runner += back;
      return { rx_ms: rx, tx_ms: tx };
    };
    const est = await estimateClockOffset(ask, () => runner, delays.length);
    assert.ok(Math.abs(est.offset_ms - offset) <= est.error_ms, `${est.offset_ms} ± ${est.error_ms}`);
    assert.equal(est.error_ms, 0.5, 'half of the best round trip (1 ms without the app’s own time)');
  });

  it('corrects a subscriber’s latency by its offset minus each publisher’s', () => {
    assert.deepEqual(latencyCorrections(2000, [0, 2000, -500]), [2000, 0, 2500]);
  });
});

describe('command launcher settings', () => {
  it('fills the template without a shell: each placeholder one word, nothing interpreted', () => {
    assert.deepEqual(
      commandArgv('ssh {host} node /opt/hydra/dist/src/apps/{kind}.js --name={name}', {
        host: 'n1',
        address: '10.0.0.1',
        kind: 'sub',
        name: 'sub-3',
        node: '/usr/bin/node',
        app: '/x/sub.js',
      }),
      ['ssh', 'n1', 'node', '/opt/hydra/dist/src/apps/sub.js', '--name=sub-3'],
    );
    assert.deepEqual(
      commandArgv('ip netns exec {host} {node} {app}', { host: 'ns;rm -rf /', address: '', kind: 'pub', name: 'pub', node: 'node', app: 'a.js' }),
      ['ip', 'netns', 'exec', 'ns;rm -rf /', 'node', 'a.js'],
    );
    assert.deepEqual(parseHosts(['n1@10.0.0.11', 'n2@10.0.0.12']), [
      { name: 'n1', address: '10.0.0.11' },
      { name: 'n2', address: '10.0.0.12' },
    ]);
  });

  it('refuses a command launcher without hosts or command, and a host without an IP address, naming the key', () => {
    const base = { ...DEFAULT_OPTIONS, config_file: '', launcher: 'command' as const };
    assert.throws(() => validateOptions({ ...base, launcher_command: 'x {app}' }), /options\.launcher_hosts="": the command launcher needs at least one host/);
    assert.throws(() => validateOptions({ ...base, launcher_hosts: ['n1@10.0.0.1'] }), /options\.launcher_command="": the command launcher needs a command/);
    assert.throws(
      () => validateOptions({ ...base, launcher_hosts: ['n1@somewhere'], launcher_command: 'x' }),
      /"n1@somewhere": expected name@address with an IP address/,
    );
    assert.doesNotThrow(() => validateOptions({ ...base, launcher_hosts: ['n1@10.0.0.1'], launcher_command: 'ssh {host} hydra-app {kind}' }));
  });
});
