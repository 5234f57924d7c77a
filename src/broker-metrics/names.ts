import { ConfigError } from '../errors';
import type { Sample } from './exposition';

/**
 * The broker figures hydra reads and what each exporter rule set calls them. The JMX exporter
 * turns Kafka's MBeans into metric names by rules, and the common rule sets differ: the JMX
 * exporter's Kafka example (example_configs/kafka-2_0_0.yml) lets the generic gauge rule name
 * `NetworkProcessorAvgIdlePercent` before its percent rule can, Strimzi's (kafka-metrics.yaml)
 * puts the percent rules first. Names are mapped here, per rule set, never guessed from a prefix;
 * `[broker_metrics] names` overrides any of them.
 */

/** The series hydra reads from each broker. */
export const SERIES = [
  /** KafkaRequestHandlerPool RequestHandlerAvgIdlePercent, Count: idle time in ns over the handler threads (a window's idle share exactly). */
  'handler_idle_ns',
  /** The same meter's MeanRate (idle share since the broker started): used only without the counter. */
  'handler_idle_mean',
  /** SocketServer NetworkProcessorAvgIdlePercent: the network threads' idle share (a gauge). */
  'network_idle',
  /** RequestChannel RequestQueueSize: requests waiting for a handler thread. */
  'request_queue',
  /** BrokerTopicMetrics BytesInPerSec, BytesOutPerSec, MessagesInPerSec (all topics), counters. */
  'bytes_in',
  'bytes_out',
  'messages_in',
  /** ReplicaManager UnderReplicatedPartitions (gauge) and IsrShrinksPerSec (counter). */
  'under_replicated',
  'isr_shrinks',
  /** RequestMetrics per request type (`request` label), histograms with quantiles: Kafka's split of a request's time. */
  'request_queue_time',
  'local_time',
  'remote_time',
  'response_queue_time',
  'response_send_time',
  'total_time',
  'throttle_time',
  /** LogFlushStats LogFlushRateAndTimeMs, quantiles. */
  'log_flush_time',
] as const;
export type SeriesId = (typeof SERIES)[number];

/** The rule sets hydra knows; `unknown` when an endpoint serves neither's distinguishing names. */
export type RuleSet = 'jmx_exporter_example' | 'strimzi' | 'unknown';

const COMMON: Record<SeriesId, string> = {
  handler_idle_ns: 'kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent_count',
  handler_idle_mean: 'kafka_server_kafkarequesthandlerpool_requesthandleravgidle_percent',
  network_idle: 'kafka_network_socketserver_networkprocessoravgidlepercent',
  request_queue: 'kafka_network_requestchannel_requestqueuesize',
  bytes_in: 'kafka_server_brokertopicmetrics_bytesin_total',
  bytes_out: 'kafka_server_brokertopicmetrics_bytesout_total',
  messages_in: 'kafka_server_brokertopicmetrics_messagesin_total',
  under_replicated: 'kafka_server_replicamanager_underreplicatedpartitions',
  isr_shrinks: 'kafka_server_replicamanager_isrshrinks_total',
  request_queue_time: 'kafka_network_requestmetrics_requestqueuetimems',
  local_time: 'kafka_network_requestmetrics_localtimems',
  remote_time: 'kafka_network_requestmetrics_remotetimems',
  response_queue_time: 'kafka_network_requestmetrics_responsequeuetimems',
  response_send_time: 'kafka_network_requestmetrics_responsesendtimems',
  total_time: 'kafka_network_requestmetrics_totaltimems',
  throttle_time: 'kafka_network_requestmetrics_throttletimems',
  log_flush_time: 'kafka_log_logflushstats_logflushrateandtimems',
};

/** Each rule set's names: where it differs from the JMX exporter example, said here. */
export const RULE_SET_NAMES: Record<Exclude<RuleSet, 'unknown'>, Record<SeriesId, string>> = {
  jmx_exporter_example: COMMON,
  // Strimzi's percent rules come before its generic gauge rule: a percent gauge ends in `_percent`.
  strimzi: { ...COMMON, network_idle: 'kafka_network_socketserver_networkprocessoravgidle_percent' },
};

/** Which rule set an endpoint's samples were named by: the one whose distinguishing name it serves. */
export function detectRuleSet(samples: readonly Sample[]): RuleSet {
  const names = new Set(samples.map((s) => s.name));
  if (names.has(RULE_SET_NAMES.strimzi.network_idle)) return 'strimzi';
  if (names.has(RULE_SET_NAMES.jmx_exporter_example.network_idle)) return 'jmx_exporter_example';
  return 'unknown';
}

/** The names to read by: the detected rule set's (the JMX example's when unknown), then the user's overrides. */
export function namesFor(ruleSet: RuleSet, overrides: Partial<Record<SeriesId, string>>): Record<SeriesId, string> {
  return { ...(ruleSet === 'unknown' ? COMMON : RULE_SET_NAMES[ruleSet]), ...overrides };
}

/** `[broker_metrics] names`: `series=metric_name` words, each series one of SERIES, naming the key on a bad one. */
export function parseNameOverrides(words: readonly string[], source: string): Partial<Record<SeriesId, string>> {
  const out: Partial<Record<SeriesId, string>> = {};
  for (const word of words) {
    const m = /^([a-z_]+)=([a-zA-Z_:][a-zA-Z0-9_:]*)$/.exec(word);
    if (!m) throw new ConfigError(source, word, 'expected series=metric_name (e.g. network_idle=kafka_network_socketserver_networkprocessoravgidlepercent)');
    const series = m[1] as string;
    if (!(SERIES as readonly string[]).includes(series))
      throw new ConfigError(source, word, `'${series}' is not a broker series (one of: ${SERIES.join(', ')})`);
    out[series as SeriesId] = m[2] as string;
  }
  return out;
}
