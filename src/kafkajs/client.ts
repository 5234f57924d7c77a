// Before kafkajs itself: see patches.ts.
import './patches';
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import { kafkajsSecurityConfig, type KafkaSecurity } from './security';

/** kafkajs logs go to the app's stderr (its log file), one line each. */
const stderrLogger: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const { message, ...extra } = log;
    process.stderr.write(`${log.timestamp} kafkajs ${logLevel[level]} ${namespace} ${message} ${JSON.stringify(extra)}\n`);
  };

export function makeKafka(brokers: string[], clientId: string, security?: KafkaSecurity | null): Kafka {
  return new Kafka({
    brokers,
    clientId,
    ...kafkajsSecurityConfig(security),
    // acks=0 against some brokers makes kafkajs warn on every unmatched response; errors are enough.
    logLevel: logLevel.ERROR,
    logCreator: stderrLogger,
    retry: { retries: 5, initialRetryTime: 100 },
    // kafkajs's 1 s default is too short for hundreds of clients connecting at once to a busy host.
    connectionTimeout: 10000,
  });
}
