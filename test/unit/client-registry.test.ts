import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { CLIENT_LIBRARY_REGISTRY, isInstalled } from '../../src/client/registry';
import { CLIENT_LIBRARIES } from '../../src/config/options';
import { REPO_ROOT } from '../helpers';

describe('the client-library registry', () => {
  it('describes every library the options name, and each module it names makes a library of that name', () => {
    assert.deepEqual(Object.keys(CLIENT_LIBRARY_REGISTRY).sort(), [...CLIENT_LIBRARIES].sort());
    for (const name of CLIENT_LIBRARIES) {
      if (!isInstalled(name)) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the registry's own way of loading it
      const module = require(path.join(REPO_ROOT, 'dist', 'src', 'client', CLIENT_LIBRARY_REGISTRY[name].module)) as { createLibrary(): { name: string } };
      assert.equal(module.createLibrary().name, name);
    }
  });

  it('a process loads only the library it uses: a publisher module loads no Kafka client, and making librdkafka loads no kafkajs', () => {
    const dist = path.join(REPO_ROOT, 'dist', 'src');
    const script = `require(${JSON.stringify(path.join(dist, 'apps', 'pub.js'))});
      const clients = () => Object.keys(require.cache).filter((f) => /node_modules\\/(kafkajs|@confluentinc)\\//.test(f)).length;
      const before = clients();
      ${isInstalled('librdkafka') ? `require(${JSON.stringify(path.join(dist, 'client'))}).clientLibrary('librdkafka');` : ''}
      const kafkajs = Object.keys(require.cache).filter((f) => /node_modules\\/kafkajs\\//.test(f)).length;
      process.stdout.write(JSON.stringify({ before, kafkajs }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { before: number; kafkajs: number };
    assert.deepEqual(out, { before: 0, kafkajs: 0 });
  });
});
