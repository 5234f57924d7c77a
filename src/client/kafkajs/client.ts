// Before kafkajs itself: see patches.ts.
import './patches';
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import { kafkajsOptions } from '../../config/passthrough';
import type { KafkajsValues } from '../../control/wire';
import type { KafkaSecurity } from '../../config/security';
import { kafkajsSecurityConfig } from './security';

/** kafkajs logs go to the app's stderr (its log file), one line each. */
const stderrLogger: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const { message, ...extra } = log;
    process.stderr.write(`${log.timestamp} kafkajs ${logLevel[level]} ${namespace} ${message} ${JSON.stringify(extra)}\n`);
  };

/** hydra's client defaults: kafkajs's 1 s connection timeout is too short for hundreds of clients connecting at once to a busy host. */
const CLIENT_DEFAULTS = { retry: { retries: 5, initialRetryTime: 100 }, connectionTimeout: 10000 };

/**
 * A kafkajs client. `passthrough` ([client] keys of hydra.ini) and `overrides` (hydra's per-point
 * settings, e.g. the producer's request timeout) go over hydra's defaults; brokers, client id,
 * security and logging are hydra's.
 */
export function makeKafka(
  brokers: string[],
  clientId: string,
  security?: KafkaSecurity | null,
  passthrough: KafkajsValues = {},
  overrides: { requestTimeout?: number } = {},
): Kafka {
  return new Kafka({
    ...CLIENT_DEFAULTS,
    ...kafkajsOptions(passthrough, CLIENT_DEFAULTS),
    ...overrides,
    brokers,
    clientId,
    ...kafkajsSecurityConfig(security),
    // acks=0 against some brokers makes kafkajs warn on every unmatched response; errors are enough.
    logLevel: logLevel.ERROR,
    logCreator: stderrLogger,
  });
}
