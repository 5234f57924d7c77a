import { strict as assert } from 'node:assert';
import { Kafka, logLevel } from 'kafkajs';
import { startEmbeddedBroker, type BrokerHandle } from '../../src/broker';
import { BrokerError } from '../../src/errors';
import { uniqueTag } from '../helpers';

describe('embedded broker (kcat mock cluster)', function () {
  this.timeout(30000);
  let broker: BrokerHandle | undefined;
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('starts, serves kafkajs on loopback, and stops', async () => {
    broker = await startEmbeddedBroker({ brokers: 2 });
    assert.equal(broker.brokers.length, 2);
    for (const b of broker.brokers) assert.match(b, /^127\.0\.0\.1:\d+$/);
    const admin = new Kafka({ brokers: broker.brokers, clientId: uniqueTag(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    assert.equal(cluster.brokers.length, 2);
    await broker.stop();
    const admin2 = new Kafka({
      brokers: broker.brokers,
      clientId: uniqueTag(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 500,
    }).admin();
    await assert.rejects(admin2.connect());
  });

  it('says how to install kcat when it is missing', async () => {
    await assert.rejects(
      startEmbeddedBroker({ kcatPath: '/nonexistent/kcat' }),
      (e: unknown) => e instanceof BrokerError && /apt-get install -y kcat/.test(e.message),
    );
  });
});
