import type { HydraOptions } from '../config/options';
import { ConfigError } from '../errors';
import { startEmbeddedBroker, type BrokerHandle } from './embedded';
import { describeProbe, probeBroker } from './reach';

export { startEmbeddedBroker, waitForListeners, type BrokerHandle } from './embedded';

/**
 * The broker a run uses: the cluster named in hydra.ini/flags, or an embedded mock cluster when
 * none is configured. Callers always `stop()` the handle; for a real cluster that does nothing.
 */
export async function acquireBroker(options: Pick<HydraOptions, 'brokers' | 'embedded_brokers'>): Promise<BrokerHandle> {
  if (options.brokers.length > 0) {
    await checkReachable(options.brokers);
    return { brokers: [...options.brokers], embedded: false, lost: new Promise<string>(() => undefined), stop: async () => undefined };
  }
  return startEmbeddedBroker({ brokers: options.embedded_brokers });
}

/**
 * Refuses a configured cluster none of whose bootstrap brokers accepts a TCP connection, before
 * any app is launched: a typo in `brokers` is bad input, not a run of failed points.
 */
export async function checkReachable(brokers: readonly string[], timeoutMs = 5000): Promise<void> {
  const results = await Promise.all(brokers.map((b) => probeBroker(b, timeoutMs)));
  if (results.some((r) => r.failure === null)) return;
  // Each broker's own reason: a DNS typo, a wrong port and a firewall need different fixes.
  throw new ConfigError(
    'brokers',
    brokers.join(','),
    `no broker accepts connections: ${results.map((r) => describeProbe(r, timeoutMs)).join('; ')} (check [broker] brokers or --brokers)`,
  );
}
