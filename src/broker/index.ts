import type { HydraOptions } from '../config/options';
import { startEmbeddedBroker, type BrokerHandle } from './embedded';

export { startEmbeddedBroker, waitForListeners, type BrokerHandle } from './embedded';

/**
 * The broker a run uses: the cluster named in hydra.ini/flags, or an embedded mock cluster when
 * none is configured. Callers always `stop()` the handle; for a real cluster that does nothing.
 */
export async function acquireBroker(options: Pick<HydraOptions, 'brokers' | 'embedded_brokers'>): Promise<BrokerHandle> {
  if (options.brokers.length > 0) {
    return { brokers: [...options.brokers], embedded: false, stop: async () => undefined };
  }
  return startEmbeddedBroker({ brokers: options.embedded_brokers });
}
