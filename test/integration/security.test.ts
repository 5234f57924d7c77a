import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { newControlAuth } from '../../src/control/auth';
import { ControlClient } from '../../src/control/client';
import type { PubCommands } from '../../src/control/protocol';
import { createLauncher, type AppHandle, type Launcher } from '../../src/launch';
import { DEFAULT_OPTIONS, pointParamsOf } from '../../src/config/options';
import { pointMarks, pubConfigFor } from '../../src/runner/app-config';
import { stillAlive, tempDir } from '../helpers';

/**
 * Secrets reach the apps only through their launch message: not on a command line, not in the
 * environment, not in a log — even when the app uses them and fails (the embedded broker does not
 * speak SASL, so the publisher's connect fails and logs why).
 */
describe('Kafka secrets handed to real app processes', function () {
  this.timeout(60000);
  let dir: string;
  let broker: BrokerHandle;
  let launcher: Launcher | undefined;
  const secret = `sasl-${crypto.randomBytes(12).toString('hex')}`;
  const keySecret = `KEY-${crypto.randomBytes(12).toString('hex')}`;
  const pids: number[] = [];

  before(async () => {
    dir = tempDir();
    broker = await startEmbeddedBroker();
  });
  after(async () => {
    await launcher?.removeAll();
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    const alive = stillAlive(pids);
    assert.deepEqual(alive, [], 'no app outlives the test');
  });

  it('keeps the SASL password and TLS key out of argv, environment and logs', async () => {
    const auth = newControlAuth(`sec-${crypto.randomBytes(3).toString('hex')}`, false);
    launcher = createLauncher('local', {
      brokers: broker.brokers,
      client_id: 'hydratest-sec',
      control_host: '127.0.0.1',
      auth,
      logDir: path.join(dir, 'logs'),
      kafkaSecurity: {
        sasl: { mechanism: 'plain', username: 'bench', password: secret },
        tls: { key: `-----BEGIN PRIVATE KEY-----\n${keySecret}\n-----END PRIVATE KEY-----\n` },
      },
    });
    const apps: AppHandle[] = [await launcher.launch('pub', 'pub'), ...(await launcher.scaleSubGroup(1)).apps];
    for (const app of apps) pids.push(app.pid as number);
    // The publisher makes its producer, with the secured client options it was handed, at its first
    // updateconfig (producer settings are per point): wait until its failed connect is logged.
    const pub = apps[0] as AppHandle;
    await new ControlClient<PubCommands>(pub.endpoint, 3000, auth, pub.name).call(
      'updateconfig',
      pubConfigFor(pointParamsOf(DEFAULT_OPTIONS), ['hydratest-sec'], pointMarks(0)),
    );
    const deadline = Date.now() + 20000;
    while (!/producer connect failed/.test(fs.readFileSync(pub.logFile, 'utf8')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.match(fs.readFileSync(pub.logFile, 'utf8'), /producer connect failed/, 'the publisher used the secured options (the mock broker refuses SASL)');
    const ping = await new ControlClient<PubCommands>(pub.endpoint, 3000, auth, pub.name).call('ping');
    assert.equal(ping.name, 'pub');
    for (const app of apps) {
      const pid = app.pid as number;
      for (const file of [`/proc/${pid}/cmdline`, `/proc/${pid}/environ`, app.logFile]) {
        const text = fs.readFileSync(file, 'latin1');
        assert.ok(!text.includes(secret), `${file} of ${app.name} holds the SASL password`);
        assert.ok(!text.includes(keySecret), `${file} of ${app.name} holds the TLS key`);
      }
    }
  });
});
