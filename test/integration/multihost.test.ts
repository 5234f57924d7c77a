import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import type { PointRecord } from '../../src/study/record';
import { HYDRA_BIN, killTagged, tempDir, uniqueTag, waitNoProcesses } from '../helpers';

const isRoot = process.getuid?.() === 0;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Several hosts on one machine: the runner in one network namespace, the publisher and two sub
 * apps in three others, each with its own network stack, joined by veth links to a bridge in the
 * root namespace. `hydra sweep` runs unchanged with `[launcher] kind = command` and the template
 * `ip netns exec {host} {node} {app}`; the apps bind their namespace's address, so the control
 * plane crosses the links, with CURVE on. Needs root (CI runs as root); skipped otherwise.
 *
 * The broker: the embedded mock listens on the root namespace's loopback and advertises
 * 127.0.0.1:<port>. socat bridges it (a namespace's loopback is its own): in the root namespace it
 * listens on the bridge address and forwards to loopback, and in each namespace it listens on that
 * namespace's loopback and forwards to the bridge address, so the advertised address works
 * everywhere and all Kafka traffic crosses the veth links.
 */
describe('apps on several hosts: network namespaces, command launcher, CURVE', function () {
  this.timeout(240000);
  const id = crypto.randomBytes(2).toString('hex');
  const subnet = `10.213.${(parseInt(id, 16) % 250) + 2}`;
  const bridge = `hyb${id}`;
  const names = { runner: `hy${id}r`, pub: `hy${id}p`, sub1: `hy${id}a`, sub2: `hy${id}b` };
  const order = [names.runner, names.pub, names.sub1, names.sub2];
  const addressOf = (ns: string): string => `${subnet}.${10 + order.indexOf(ns)}`;
  const tag = uniqueTag();
  let dir = '';
  let broker: BrokerHandle | undefined;
  const socats: ChildProcess[] = [];

  before(async function () {
    if (!isRoot) this.skip();
    dir = tempDir();
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    order.forEach((ns, i) => {
      ip('netns', 'add', ns);
      ip('link', 'add', `hyv${id}${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', `hyv${id}${i}`, 'master', bridge, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${addressOf(ns)}/24`, 'dev', 'eth0');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    });
    broker = await startEmbeddedBroker();
    const port = (broker.brokers[0] as string).split(':')[1] as string;
    const socat = (args: string[]): void => {
      const child = spawn(args[0] as string, args.slice(1), { stdio: 'ignore', env: { ...process.env, HYDRA_TEST_TAG: tag } });
      socats.push(child);
    };
    socat(['socat', `TCP-LISTEN:${port},bind=${subnet}.1,fork,reuseaddr`, `TCP:127.0.0.1:${port}`]);
    for (const ns of order) socat(['ip', 'netns', 'exec', ns, 'socat', `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `TCP:${subnet}.1:${port}`]);
    await new Promise((r) => setTimeout(r, 500));
  });

  after(async () => {
    if (!isRoot) return;
    for (const s of socats) s.kill('SIGKILL');
    killTagged(tag);
    await broker?.stop();
    for (const ns of order) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* not made */
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      /* not made */
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs hydra sweep across the namespaces with CURVE on; a peer without the key gets no answer', async () => {
    const logs = path.join(dir, 'logs');
    const ini = path.join(dir, 'hydra.ini');
    fs.writeFileSync(
      ini,
      [
        '[launcher]',
        'kind = command',
        `hosts = ${names.pub}@${addressOf(names.pub)}, ${names.sub1}@${addressOf(names.sub1)}, ${names.sub2}@${addressOf(names.sub2)}`,
        'command = ip netns exec {host} {node} {app}',
        `log_dir = ${logs}`,
        '',
      ].join('\n'),
    );
    let probed: Promise<string> | undefined;
    let stdout = '';
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      const runner = spawn(
        'ip',
        [
          'netns',
          'exec',
          names.runner,
          process.execPath,
          HYDRA_BIN,
          'sweep',
          '--clients=4',
          '--msg_rates=300,600',
          '--clients_per_app=2',
          '--test_duration=3',
          '--drain_timeout=3',
          `--brokers=${broker?.brokers[0] ?? ''}`,
          `--config_file=${ini}`,
          // The launcher's command is written in that file: allowed on the command line.
          '--allow_commands',
          `--results_dir=${path.join(dir, 'results')}`,
          '--json',
        ],
        { env: { ...process.env, HYDRA_TEST_TAG: tag }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const timer = setTimeout(() => runner.kill('SIGKILL'), 200000);
      runner.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      runner.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      // Once sub-0 is up, knock on its control port from outside the run (the root namespace).
      probed = probeWithoutKey(logs);
      runner.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /CURVE/, 'the runner says the control plane is encrypted');
    assert.equal(await probed, 'no answer', 'a peer without the server key gets nothing');
    const outcome = JSON.parse(stdout) as { points: PointRecord[] };
    assert.equal(outcome.points.length, 2);
    const table: string[] = [];
    for (const p of outcome.points) {
      assert.equal(p.status, 'ok', p.error ?? '');
      const r = p.result;
      assert.ok(r);
      assert.equal(r.lost_total, 0);
      assert.equal(r.average_packet_loss, 0);
      const hosts = (p.apps ?? []).map((a) => `${a.name} ${a.clock_offset_ms?.toFixed(3)}±${a.clock_error_ms?.toFixed(3)} ms`);
      table.push(
        `${p.params.msg_rate} msg/s: tx ${r.average_tx_rate.toFixed(0)}, rx ${r.average_rate.toFixed(0)}, loss ${r.average_packet_loss} %, p50 ${r.latency_p50_ms} ms, ${r.verdict}; ${hosts.join(', ')}`,
      );
    }
    // Each app ran in its own namespace, bound to that namespace's address.
    for (const [app, ns] of [
      ['pub', names.pub],
      ['sub-0', names.sub1],
      ['sub-1', names.sub2],
    ] as const) {
      assert.match(
        fs.readFileSync(path.join(logs, fs.readdirSync(logs)[0] as string, `${app}.log`), 'utf8'),
        new RegExp(`control server at tcp://${addressOf(ns).replace(/\./g, '\\.')}:\\d+ \\(CURVE\\)`),
        app,
      );
    }
    process.stdout.write(`      ${table.join('\n      ')}\n`);
    assert.deepEqual(await waitNoProcesses(tag, 10000).then((left) => left.filter((pid) => !socats.some((s) => s.pid === pid))), []);
  });

  /** Waits for sub-0's control address in its log, then sends it a request with no CURVE keys: expect silence. */
  async function probeWithoutKey(logs: string): Promise<string> {
    let endpoint: string | undefined;
    for (let i = 0; i < 600 && !endpoint; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const runDir = path.join(logs, fs.readdirSync(logs)[0] as string);
        endpoint = /control server at (tcp:\/\/\S+)/.exec(fs.readFileSync(path.join(runDir, 'sub-0.log'), 'utf8'))?.[1];
      } catch {
        // Not there yet.
      }
    }
    if (!endpoint) return 'no endpoint in the log';
    const req = new zmq.Request({ linger: 0, receiveTimeout: 1500, sendTimeout: 1500 });
    try {
      req.connect(endpoint);
      await req.send(JSON.stringify({ v: 1, cmd: 'ping' }));
      await req.receive();
      return 'answered';
    } catch {
      return 'no answer';
    } finally {
      req.close();
    }
  }
});
