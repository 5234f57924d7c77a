/**
 * Every option of hydra, declared once in OPTION_TABLE: its kind and default, how it is spelled
 * as a flag and in hydra.ini, the rule its values obey, its help line, and whether (and where) it
 * is part of a point's key. The options type, the defaults, the flag and ini specs and the point
 * keys are all derived from it, so adding an option is one entry here (and its line in hydra.ini
 * and docs/commands.md). Names keep HYDRA's snake_case, so a flag, an ini key, a stored study spec and a
 * notebook cell spell an option the same way.
 */

import { FaultSchedule } from './fault-schedule';

export type OptionKind = 'int' | 'number' | 'bool' | 'string' | 'list' | 'urls' | 'acks' | 'choice' | 'configs' | 'hosts' | 'words' | 'fault';

/** How messages are keyed. */
export const KEY_MODES = ['none', 'round_robin', 'random'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

/** Consumer group layout: HYDRA's one group per client, or one group for all (queue semantics). */
export const CONSUMER_GROUP_MODES = ['per_client', 'shared'] as const;
export type ConsumerGroupMode = (typeof CONSUMER_GROUP_MODES)[number];

/** kafkajs options by the hydra.ini section they came from; values as the ini gave them, typed by passthrough.ts. */
export interface KafkajsPassthrough {
  client: Record<string, number | boolean | string>;
  producer: Record<string, number | boolean | string>;
  consumer: Record<string, number | boolean | string>;
  admin: Record<string, number | boolean | string>;
}

/** librdkafka properties by the hydra.ini section they came from ([client] ones go to producers and consumers); typed by passthrough.ts. */
export interface LibrdkafkaPassthrough {
  client: Record<string, number | boolean | string>;
  producer: Record<string, number | boolean | string>;
  consumer: Record<string, number | boolean | string>;
}

/** Kafka's compression codecs; which a client library has is its registry entry's (client/registry.ts). */
export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The Kafka client libraries the apps can use: each described once in src/client/registry.ts (a name without an entry there does not compile). */
export const CLIENT_LIBRARIES = ['kafkajs', 'librdkafka', 'native'] as const;
export type ClientLibraryName = (typeof CLIENT_LIBRARIES)[number];

/** Kafka's security.protocol values. */
export const SECURITY_PROTOCOLS = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
/** SASL mechanisms kafkajs speaks without plugins. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Where apps run: child processes here, or through a command on other hosts. */
export const LAUNCHER_KINDS = ['local', 'command', 'kubernetes'] as const;
export type LauncherKind = (typeof LAUNCHER_KINDS)[number];

/** Who takes a point's value: the publisher app, its Kafka producer, the sub app, its Kafka consumers. */
export type AppRole = 'pub' | 'producer' | 'sub' | 'consumer';

/**
 * How an option is declared. `point`: the option changes what a point measures, so it is part of
 * the point's key, at position `key` (the order of keys stored studies carry); `since`: the option
 * came after studies were first stored, and a point keys it only when it differs from this value
 * (what every earlier point ran with), so stored points keep their keys.
 */
interface OptionDecl {
  kind: OptionKind;
  default: unknown;
  /** Unit shown in help (s, ms, msg/s, bytes, ...). */
  unit: string;
  /** One help line for the flag table. */
  help: string;
  /** `[section] key` in hydra.ini; absent when the option is flag-only. */
  ini?: readonly [string, string];
  /** Set through the ini file only (hidden from the flag table). */
  iniOnly?: boolean;
  /** Smallest and largest allowed value of a number: beyond them a value would wedge the harness or mean nothing. */
  min?: number;
  max?: number;
  /** Allowed values of a 'choice'. */
  choices?: readonly string[];
  /**
   * `app`: the apps that take the value, by role — the publisher app (`pub`), its producer
   * (`producer`), the sub app (`sub`), its consumers (`consumer`). Their configs are these keys,
   * derived here (knobsOf, KNOBS); a library maps each producer or consumer knob (client/*).
   */
  point?: { key: number; since?: unknown; app?: readonly AppRole[] };
  /** The flag may be given several times; its values are joined with ';'. */
  repeatable?: boolean;
  /** A number that must stay below another option's value (a heartbeat below its session timeout), with why. */
  below?: { option: string; why: string };
  /**
   * The passthrough keys ([client], [producer], [consumer] of hydra.ini) that would set the same
   * thing in a client library's own words: refused there, naming this option instead.
   */
  passthrough?: { kafkajs?: readonly string[]; librdkafka?: readonly string[] };
}

/** The value type an option's declaration implies. */
type ValueOf<D> = D extends { kind: 'choice'; choices: readonly (infer C)[] }
  ? C
  : D extends { kind: 'bool' }
    ? boolean
    : D extends { kind: 'number' | 'int' }
      ? number
      : D extends { kind: 'acks' }
        ? -1 | 0 | 1
        : D extends { kind: 'string' }
          ? string
          : D extends { kind: 'fault' }
            ? FaultSchedule
            : string[];

/** Every option, in the order of the flag table. */
export const OPTION_TABLE = {
  /** Publishing window per point, seconds (HYDRA default 10). */
  test_duration: {
    kind: 'number',
    default: 10,
    unit: 's',
    min: 0.1,
    max: 86400,
    help: 'publishing window per point',
    ini: ['test', 'test_duration'],
    point: { key: 9, app: ['pub'] },
  },
  /** Seconds published before the measuring window starts; those messages are not counted (OMB's warm-up). */
  warmup: {
    kind: 'number',
    default: 0,
    unit: 's',
    min: 0,
    max: 3600,
    help: 'published before the measuring window, not counted',
    ini: ['test', 'warmup'],
    point: { key: 13, since: 0, app: ['pub'] },
  },
  /** Times each point is measured, interleaved across the grid; tables and plots show mean ± 95 % CI. */
  repeats: {
    kind: 'int',
    default: 1,
    unit: 'times',
    min: 1,
    max: 100,
    help: 'measure each point this many times (interleaved); mean ± 95 % CI',
    ini: ['test', 'repeats'],
  },
  /** Messages sent back to back before the publisher sleeps (HYDRA default 100). */
  msg_batch: {
    kind: 'int',
    default: 100,
    unit: 'msgs',
    min: 1,
    max: 10000,
    help: 'messages sent back to back before sleeping',
    ini: ['test', 'msg_batch'],
    point: { key: 4, app: ['pub'] },
  },
  /** Requested publish rate, messages per second (HYDRA default 10000). */
  msg_rate: {
    kind: 'number',
    default: 10000,
    unit: 'msg/s',
    min: 1,
    max: 10000000,
    help: 'requested publish rate',
    ini: ['test', 'msg_rate'],
    point: { key: 3, app: ['pub'] },
  },
  /** Bytes per message value: the 16-byte header, then padding (HYDRA's were 14 bytes). */
  msg_size: {
    kind: 'int',
    default: 16,
    unit: 'bytes',
    min: 16,
    max: 1000000,
    help: 'bytes per message (16-byte header, then padding)',
    ini: ['test', 'msg_size'],
    point: { key: 5, since: 16, app: ['pub'] },
  },
  /** Share of the padding that is random, %: 100 is incompressible, 0 all zeros. */
  payload_random_pct: {
    kind: 'int',
    default: 100,
    unit: '%',
    min: 0,
    max: 100,
    help: 'random share of the padding (100: incompressible, 0: zeros)',
    ini: ['test', 'payload_random_pct'],
    point: { key: 6, since: 100, app: ['pub'] },
  },
  /** Partitions each publisher spreads its messages over, round-robin (1: HYDRA's single partition). */
  partitions: {
    kind: 'int',
    default: 1,
    unit: 'partitions',
    min: 1,
    max: 1024,
    help: 'partitions each publisher writes, round-robin',
    ini: ['test', 'partitions'],
    point: { key: 7, since: 1 },
  },
  /**
   * A file whose bytes are every message's value (OMB's payloadFile), with hydra's 16-byte header
   * over its first 16 bytes; it sets msg_size to the file's size ('': values built from msg_size
   * and payload_random_pct). Read by the runner at each point and handed to the publishers.
   */
  payload_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: "message values from this file (OMB's payloadFile): its bytes, hydra's 16-byte header over the first 16; sets msg_size",
    ini: ['test', 'payload_file'],
    point: { key: 29, since: '' },
  },
  /**
   * Topics of a point, each with `partitions` partitions: every publisher spreads its share over
   * them (message k to topic k mod N), and each client reads one of them (client i: topic i mod N),
   * so a topic's fan-out is its share of the clients. 1: HYDRA's single topic.
   */
  topics: {
    kind: 'int',
    default: 1,
    unit: 'topics',
    min: 1,
    max: 10000,
    help: 'topics per point: publishers spread messages over them, each client reads one (client i: topic i mod N)',
    ini: ['test', 'topics'],
    point: { key: 28, since: 1 },
  },
  /** Producer compression codec. */
  compression: {
    kind: 'choice',
    default: 'none',
    unit: '',
    choices: COMPRESSIONS,
    help: 'producer compression: none or gzip; with --client_library=librdkafka also snappy, lz4 or zstd',
    ini: ['producer', 'compression'],
    point: { key: 8, since: 'none', app: ['producer'] },
    passthrough: { librdkafka: ['compression.codec', 'compression.type'] },
  },
  /** Message keys: none (partitions round-robin), round_robin over key_count keys, or a random one of them; a key picks its partition as Kafka's default partitioner does. */
  keys: {
    kind: 'choice',
    default: 'none',
    unit: '',
    choices: KEY_MODES,
    help: "message keys: none (partitions round-robin), round_robin or random over key_count keys (partition by key, as Kafka's default partitioner)",
    ini: ['test', 'keys'],
    point: { key: 14, since: 'none', app: ['pub'] },
  },
  /** Distinct keys with keys=round_robin or random. */
  key_count: {
    kind: 'int',
    default: 16,
    unit: 'keys',
    min: 1,
    max: 1000000,
    help: 'distinct keys with --keys round_robin or random',
    ini: ['test', 'key_count'],
    point: { key: 15, since: 16, app: ['pub'] },
  },
  /** Idempotent producer (exactly-once per partition; needs acks=-1 and max_in_flight ≤ 5). */
  idempotent: {
    kind: 'bool',
    default: false,
    unit: '',
    help: 'idempotent producer (needs acks=-1, max_in_flight ≤ 5)',
    ini: ['producer', 'idempotent'],
    point: { key: 16, since: false, app: ['producer'] },
    passthrough: { kafkajs: ['idempotent'], librdkafka: ['enable.idempotence'] },
  },
  /** Produce requests a publisher keeps in flight (1 keeps send order even across retries). */
  max_in_flight: {
    kind: 'int',
    default: 1,
    unit: 'requests',
    min: 1,
    max: 100,
    help: 'produce requests in flight per publisher (1 keeps send order across retries)',
    ini: ['producer', 'max_in_flight'],
    point: { key: 17, since: 1, app: ['producer'] },
    passthrough: { kafkajs: ['maxInFlightRequests'], librdkafka: ['max.in.flight', 'max.in.flight.requests.per.connection'] },
  },
  /** Most bytes of message values in one produce request (kafkajs has no batch.size; keep it under the broker's message.max.bytes). */
  batch_bytes: {
    kind: 'int',
    default: 1000000,
    unit: 'bytes',
    min: 1,
    max: 100000000,
    help: "most message bytes per produce request (keep under the broker's message.max.bytes)",
    ini: ['producer', 'batch_bytes'],
    point: { key: 18, since: 1000000, app: ['producer'] },
    passthrough: { librdkafka: ['batch.size'] },
  },
  /** Times a failed produce request is retried before its messages count as send errors. */
  retries: {
    kind: 'int',
    default: 5,
    unit: 'times',
    min: 0,
    max: 1000,
    help: 'retries of a failed produce request',
    ini: ['producer', 'retries'],
    point: { key: 19, since: 5, app: ['producer'] },
    passthrough: { kafkajs: ['retry.retries'], librdkafka: ['retries', 'message.send.max.retries'] },
  },
  /** Produce request timeout, ms: the broker's wait for acks and the client's wait for the answer. */
  request_timeout_ms: {
    kind: 'int',
    default: 30000,
    unit: 'ms',
    min: 100,
    max: 600000,
    help: 'produce request timeout (broker ack wait and client wait)',
    ini: ['producer', 'request_timeout_ms'],
    point: { key: 20, since: 30000, app: ['producer'] },
    passthrough: { librdkafka: ['request.timeout.ms'] },
  },
  /** Subscriber app processes (HYDRA default 20). */
  total_sub_apps: {
    kind: 'int',
    default: 20,
    unit: 'apps',
    min: 1,
    max: 10000,
    help: 'subscriber app processes',
    ini: ['test', 'total_sub_apps'],
    point: { key: 0 },
  },
  /** Kafka consumers hosted by each sub app, each in its own group (HYDRA: 10). */
  clients_per_app: {
    kind: 'int',
    default: 10,
    unit: 'clients',
    min: 1,
    max: 1000,
    help: 'consumers per sub app, each in its own group',
    ini: ['test', 'clients_per_app'],
    point: { key: 2, app: ['sub'] },
  },
  /** Path of the ini file that was read ('' when none). */
  config_file: { kind: 'string', default: 'hydra.ini', unit: 'path', help: 'ini file to read' },
  /** Publisher app processes; the requested rate is split across them (OMB's producersPerTopic). */
  total_pub_apps: {
    kind: 'int',
    default: 1,
    unit: 'apps',
    min: 1,
    max: 64,
    help: 'publisher app processes; the rate is split across them',
    ini: ['test', 'total_pub_apps'],
    point: { key: 1, since: 1 },
  },
  /** A new topic and new consumer groups for every point (the pre-0.2 way); default: one topic per session, consumers stay joined. */
  fresh_topic_per_point: {
    kind: 'bool',
    default: false,
    unit: '',
    help: 'new topic and consumer groups every point (consumers join each time)',
    ini: ['test', 'fresh_topic_per_point'],
  },
  /** On a real cluster, leave the run's topics and consumer groups in place when it ends (default: delete them). */
  keep_topics: {
    kind: 'bool',
    default: false,
    unit: '',
    help: "on a real cluster, keep the run's topics and consumer groups (default: deleted when the run ends)",
    ini: ['broker', 'keep_topics'],
  },
  /** Keep the apps and embedded broker running after the run until Enter is pressed. */
  keep_running: { kind: 'bool', default: false, unit: '', help: 'leave apps and broker up until Enter is pressed' },
  /** Producer acks: 0 none, 1 leader, -1 all in-sync replicas. */
  acks: {
    kind: 'acks',
    default: 1,
    unit: '',
    help: 'producer acks: 0, 1 or -1 (all)',
    ini: ['producer', 'acks'],
    point: { key: 10, app: ['producer'] },
    passthrough: { librdkafka: ['acks', 'request.required.acks'] },
  },
  /** Producer linger, ms: batches produced within this window are sent as one request. */
  linger_ms: {
    kind: 'number',
    default: 0,
    unit: 'ms',
    min: 0,
    max: 60000,
    help: 'producer linger before a request is sent',
    ini: ['producer', 'linger_ms'],
    point: { key: 11, app: ['producer'] },
    passthrough: { librdkafka: ['linger.ms', 'queue.buffering.max.ms'] },
  },
  /** Consumer fetch buffer, bytes; 0 = unbounded (HYDRA's consumer.max_buffer_size=0). */
  consumer_max_buffer_size: {
    kind: 'int',
    default: 0,
    unit: 'bytes',
    min: 0,
    max: 1073741824,
    help: 'consumer fetch buffer, 0 = unbounded',
    ini: ['consumer', 'max_buffer_size'],
    point: { key: 12, app: ['consumer'] },
    passthrough: { kafkajs: ['maxBytes', 'maxBytesPerPartition'], librdkafka: ['fetch.max.bytes', 'max.partition.fetch.bytes', 'fetch.message.max.bytes'] },
  },
  /** Bootstrap brokers `host:port`; empty means start the embedded broker. */
  brokers: { kind: 'list', default: [], unit: 'host:port,...', help: 'Kafka bootstrap brokers; none = embedded broker', ini: ['broker', 'brokers'] },
  /** Brokers in the embedded mock cluster. */
  embedded_brokers: {
    kind: 'int',
    default: 1,
    unit: 'brokers',
    min: 1,
    max: 16,
    help: 'brokers in the embedded mock cluster',
    ini: ['broker', 'embedded_brokers'],
  },
  /** Kafka client id prefix. */
  client_id: { kind: 'string', default: 'hydra', unit: '', help: 'Kafka client id prefix', ini: ['client', 'client_id'], iniOnly: true },
  /** Partitions of each per-point topic when hydra creates it on a real cluster. */
  topic_partitions: {
    kind: 'int',
    default: 1,
    unit: '',
    min: 1,
    max: 10000,
    help: 'partitions of per-point topics hydra creates',
    ini: ['broker', 'topic_partitions'],
    iniOnly: true,
  },
  /** Replication factor of each per-point topic on a real cluster. */
  topic_replication: {
    kind: 'int',
    default: 1,
    unit: '',
    min: 1,
    max: 100,
    help: 'replication factor of per-point topics',
    ini: ['broker', 'topic_replication'],
    iniOnly: true,
  },
  /** Consumer fetch long-poll, ms (the mock broker only answers when this expires). */
  consumer_max_wait_ms: {
    kind: 'int',
    default: 100,
    unit: 'ms',
    min: 1,
    max: 60000,
    help: 'consumer fetch long-poll',
    ini: ['consumer', 'max_wait_ms'],
    point: { key: 21, since: 100, app: ['consumer'] },
    passthrough: { kafkajs: ['maxWaitTimeInMs'], librdkafka: ['fetch.wait.max.ms'] },
  },
  /** Bytes a fetch waits for before the broker answers (Kafka's fetch.min.bytes). */
  consumer_min_bytes: {
    kind: 'int',
    default: 1,
    unit: 'bytes',
    min: 1,
    max: 100000000,
    help: 'bytes a fetch waits for (fetch.min.bytes)',
    ini: ['consumer', 'min_bytes'],
    point: { key: 22, since: 1, app: ['consumer'] },
    passthrough: { kafkajs: ['minBytes'], librdkafka: ['fetch.min.bytes'] },
  },
  /** Consumer group session timeout, ms. */
  consumer_session_timeout_ms: {
    kind: 'int',
    default: 30000,
    unit: 'ms',
    min: 1000,
    max: 3600000,
    help: 'consumer group session timeout',
    ini: ['consumer', 'session_timeout_ms'],
    point: { key: 23, since: 30000, app: ['consumer'] },
    passthrough: { kafkajs: ['sessionTimeout'], librdkafka: ['session.timeout.ms'] },
  },
  /**
   * How often a consumer tells its group coordinator it is alive, ms (Kafka's heartbeat.interval.ms;
   * kafkajs's heartbeatInterval). With a shared group it sets how fast a rebalance starts and ends:
   * the tuning guides turn it with session_timeout_ms (about a third of it) when a dead member must
   * be noticed quickly.
   */
  consumer_heartbeat_interval_ms: {
    kind: 'int',
    default: 3000,
    unit: 'ms',
    min: 100,
    max: 3600000,
    help: 'consumer heartbeat to its group coordinator (below the session timeout; about a third of it)',
    ini: ['consumer', 'heartbeat_interval_ms'],
    point: { key: 27, since: 3000, app: ['consumer'] },
    below: { option: 'consumer_session_timeout_ms', why: 'a member that heartbeats less often than its session lasts is taken for dead' },
    passthrough: { kafkajs: ['heartbeatInterval'], librdkafka: ['heartbeat.interval.ms'] },
  },
  /** per_client: every client in a group of its own, each gets every message (HYDRA's fan-out); shared: all clients in one group, each message goes to one of them (a queue). */
  consumer_group: {
    kind: 'choice',
    default: 'per_client',
    unit: '',
    choices: CONSUMER_GROUP_MODES,
    help: 'per_client: a group per client, each gets every message (HYDRA); shared: one group, each message to one client (loss = group total vs sent)',
    ini: ['consumer', 'group'],
    point: { key: 24, since: 'per_client' },
  },
  /**
   * The Kafka client library of the publisher and sub apps: kafkajs (pure JavaScript, installed
   * with hydra), librdkafka (@confluentinc/kafka-javascript's native API, installed apart by
   * `bash scripts/setup.sh librdkafka`) or native (hydra's own core in C on Debian's librdkafka:
   * no message crosses into JavaScript; `bash scripts/setup.sh native`). A study can vary it.
   */
  client_library: {
    kind: 'choice',
    default: 'kafkajs',
    unit: '',
    choices: CLIENT_LIBRARIES,
    help: 'Kafka client of the apps: kafkajs, librdkafka (bash scripts/setup.sh librdkafka) or native (bash scripts/setup.sh native)',
    ini: ['client', 'library'],
    point: { key: 25, since: 'kafkajs', app: ['producer', 'sub'] },
  },
  /**
   * Planned faults of each point (config/fault-schedule.ts): `at=3s for=2s broker=stop`,
   * `stop=sub-1`, `kill=sub-2`, `command='...' undo='...'`; `;`-separated, repeated flags add up.
   * A faulted point measures Kafka through the fault and is kept out of the steady-state curves.
   */
  fault: {
    kind: 'fault',
    default: FaultSchedule.NONE,
    unit: 'at= for= action',
    help: "a planned fault in every point, e.g. 'at=3s for=2s broker=stop' or 'at=2s kill=sub-1' (repeat for more; see docs/faults.md)",
    ini: ['faults', 'fault'],
    repeatable: true,
    point: { key: 26, since: '' },
  },
  /** min.insync.replicas of the run's topic on a real cluster (0: the broker's default). */
  topic_min_insync_replicas: {
    kind: 'int',
    default: 0,
    unit: 'replicas',
    min: 0,
    max: 100,
    help: "min.insync.replicas of the run's topic (0: broker default)",
    ini: ['broker', 'topic_min_insync_replicas'],
    iniOnly: true,
  },
  /** retention.ms of the run's topic on a real cluster (0: the broker's default, -1: unlimited). */
  topic_retention_ms: {
    kind: 'int',
    default: 0,
    unit: 'ms',
    min: -1,
    max: 9007199254740991,
    help: "retention.ms of the run's topic (0: broker default, -1: unlimited)",
    ini: ['broker', 'topic_retention_ms'],
    iniOnly: true,
  },
  /** Any other configs of the run's topic on a real cluster, `key=value` each. */
  topic_configs: {
    kind: 'configs',
    default: [],
    unit: 'key=value ...',
    help: "other configs of the run's topic, space-separated key=value",
    ini: ['broker', 'topic_configs'],
    iniOnly: true,
  },
  /** Address the apps' ZeroMQ REP servers bind. */
  control_host: {
    kind: 'string',
    default: '127.0.0.1',
    unit: 'address',
    help: "address the apps' ZeroMQ REP servers bind",
    ini: ['control', 'host'],
    iniOnly: true,
  },
  /** Timeout of every control request, ms. */
  control_timeout_ms: { kind: 'int', default: 5000, unit: 'ms', min: 1, max: 600000, help: 'timeout of each control request', ini: ['control', 'timeout_ms'] },
  /** Where apps run: 'local' (child processes) or 'command' (a command per app, on launcher_hosts). */
  launcher: {
    kind: 'choice',
    default: 'local',
    unit: '',
    choices: LAUNCHER_KINDS,
    help: 'where apps run: local, or command (a command per app on launcher_hosts)',
    ini: ['launcher', 'kind'],
    iniOnly: true,
  },
  /** The command launcher's hosts, `name@address` (address: what the apps there bind their control servers to). */
  launcher_hosts: {
    kind: 'hosts',
    default: [],
    unit: 'name@address,...',
    help: "the command launcher's hosts: the publishers on the first, sub apps round-robin over the rest",
    ini: ['launcher', 'hosts'],
    iniOnly: true,
  },
  /** Namespace of the apps' pods (the Kubernetes launcher's keys are all in [kubernetes] of hydra.ini). */
  k8s_namespace: { kind: 'string', default: 'default', unit: '', help: 'namespace of the pods', ini: ['kubernetes', 'namespace'], iniOnly: true },
  /** Image of the apps' pods, built from this repository (Dockerfile). */
  k8s_image: { kind: 'string', default: '', unit: '', help: 'image built from this repository (Dockerfile)', ini: ['kubernetes', 'image'], iniOnly: true },
  /** Image pull policy of the apps' pods. */
  k8s_image_pull_policy: {
    kind: 'choice',
    default: 'IfNotPresent',
    unit: '',
    choices: ['Always', 'IfNotPresent', 'Never'],
    help: 'image pull policy',
    ini: ['kubernetes', 'image_pull_policy'],
    iniOnly: true,
  },
  /** CPU request per pod (a Kubernetes quantity). */
  k8s_cpu_request: { kind: 'string', default: '', unit: 'quantity', help: 'CPU request per pod', ini: ['kubernetes', 'cpu_request'], iniOnly: true },
  /** CPU limit per pod (a Kubernetes quantity). */
  k8s_cpu_limit: { kind: 'string', default: '', unit: 'quantity', help: 'CPU limit per pod', ini: ['kubernetes', 'cpu_limit'], iniOnly: true },
  /** Memory request per pod (a Kubernetes quantity). */
  k8s_memory_request: { kind: 'string', default: '', unit: 'quantity', help: 'memory request per pod', ini: ['kubernetes', 'memory_request'], iniOnly: true },
  /** Memory limit per pod (a Kubernetes quantity). */
  k8s_memory_limit: { kind: 'string', default: '', unit: 'quantity', help: 'memory limit per pod', ini: ['kubernetes', 'memory_limit'], iniOnly: true },
  /** `key=value` node labels every pod requires. */
  k8s_node_selector: {
    kind: 'words',
    default: [],
    unit: 'key=value ...',
    help: 'node labels every pod requires',
    ini: ['kubernetes', 'node_selector'],
    iniOnly: true,
  },
  /** `key=value:Effect` or `key:Effect`. */
  k8s_tolerations: {
    kind: 'words',
    default: [],
    unit: 'key=value:Effect ...',
    help: 'taints the pods tolerate',
    ini: ['kubernetes', 'tolerations'],
    iniOnly: true,
  },
  /** Kubeconfig file ('': $KUBECONFIG, ~/.kube/config or the in-cluster service account). */
  k8s_kubeconfig: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: "kubeconfig ('': $KUBECONFIG, ~/.kube/config or in-cluster)",
    ini: ['kubernetes', 'kubeconfig'],
    iniOnly: true,
  },
  /** Pods created per batch (HYDRA: 300). */
  k8s_batch_size: {
    kind: 'int',
    default: 300,
    unit: 'pods',
    min: 1,
    max: 5000,
    help: 'pods created per batch',
    ini: ['kubernetes', 'batch_size'],
    iniOnly: true,
  },
  /** The apps' control port in their pods. */
  k8s_control_port: {
    kind: 'int',
    default: 7000,
    unit: 'port',
    min: 1,
    max: 65535,
    help: "apps' control port in their pods",
    ini: ['kubernetes', 'control_port'],
    iniOnly: true,
  },
  /** Time a batch of pods has to become ready, s. */
  k8s_ready_timeout: {
    kind: 'number',
    default: 300,
    unit: 's',
    min: 1,
    max: 3600,
    help: 'time a batch of pods has to become ready',
    ini: ['kubernetes', 'ready_timeout'],
    iniOnly: true,
  },
  /** The command launcher's command template ({host}, {address}, {kind}, {name}, {node}, {app}). */
  launcher_command: {
    kind: 'string',
    default: '',
    unit: 'template',
    help: 'the command that starts one app: {host} {address} {kind} {name} {node} {app}',
    ini: ['launcher', 'command'],
    iniOnly: true,
  },
  /** Directory of per-run app logs. */
  log_dir: { kind: 'string', default: 'results/logs', unit: 'path', help: 'directory of per-run app logs', ini: ['launcher', 'log_dir'] },
  /** Directory holding studies. */
  results_dir: { kind: 'string', default: 'results', unit: 'path', help: 'directory holding studies', ini: ['results', 'dir'] },
  /** Grace period for subscribers to drain after the publisher stops, seconds. */
  drain_timeout: {
    kind: 'number',
    default: 5,
    unit: 's',
    min: 0,
    max: 3600,
    help: 'grace for subscribers to drain after publishing',
    ini: ['test', 'drain_timeout'],
  },
  /** Harness-limit thresholds ([verdict] in hydra.ini): publisher reached less than this fraction of the requested rate. */
  verdict_pub_achieved_min: {
    kind: 'number',
    default: 0.95,
    unit: '',
    min: 0,
    max: 1,
    help: 'publisher-limited below this fraction of the requested rate',
    ini: ['verdict', 'pub_achieved_min'],
    iniOnly: true,
  },
  /** An app at or above this CPU, % of one core, is saturated. */
  verdict_app_cpu_max_pct: {
    kind: 'number',
    default: 90,
    unit: '%',
    min: 1,
    max: 10000,
    help: 'an app at this CPU (% of one core) is saturated',
    ini: ['verdict', 'app_cpu_max_pct'],
    iniOnly: true,
  },
  /** An app whose event loop was busy at least this fraction of the window is saturated. */
  verdict_app_elu_max: {
    kind: 'number',
    default: 0.9,
    unit: '',
    min: 0.01,
    max: 1,
    help: 'an app whose event loop is this busy is saturated',
    ini: ['verdict', 'app_elu_max'],
    iniOnly: true,
  },
  /** A host at or above this CPU busy, % of its cores, is the limit. */
  verdict_host_cpu_max_pct: {
    kind: 'number',
    default: 95,
    unit: '%',
    min: 1,
    max: 100,
    help: 'a host this busy is the limit',
    ini: ['verdict', 'host_cpu_max_pct'],
    iniOnly: true,
  },
  /** An app whose main thread waited for a CPU at least this much of the window (%) was starved by its host. */
  verdict_app_run_wait_max_pct: {
    kind: 'number',
    default: 25,
    unit: '%',
    min: 1,
    max: 100,
    help: 'an app that waited this much of the window for a CPU was starved by its host',
    ini: ['verdict', 'app_run_wait_max_pct'],
    iniOnly: true,
  },
  /**
   * Limits on point fields, `;`-separated (`average_packet_loss<=0.1; latency_p99_ms<200`): a point
   * that measured Kafka and crosses one fails the gate (exit code 3). Repeated --threshold flags add up.
   */
  threshold: {
    kind: 'string',
    default: '',
    unit: 'field<limit',
    help: "a gate on every point that measured Kafka, e.g. 'latency_p99_ms<200' (repeat the flag for more; crossing one exits 3)",
    ini: ['gate', 'threshold'],
    repeatable: true,
  },
  /** A harness-limited point neither passes nor fails a threshold; with this it fails the gate. */
  fail_on_harness_limited: {
    kind: 'bool',
    default: false,
    unit: '',
    help: 'a harness-limited point fails the threshold gate (by default it neither passes nor fails)',
    ini: ['gate', 'fail_on_harness_limited'],
  },
  /** ms: an app's event loop standing still this long, or a broker answer taking this long, bends a point's figures. */
  verdict_stall_max_ms: {
    kind: 'number',
    default: 500,
    unit: 'ms',
    min: 50,
    max: 3600000,
    help: 'an event loop standing still, or a broker answer taking, this long bends a point',
    ini: ['verdict', 'stall_max_ms'],
    iniOnly: true,
  },
  /** Kafka's security.protocol for every client hydra makes (apps and admin): plaintext, ssl, sasl_plaintext or sasl_ssl. */
  security_protocol: {
    kind: 'choice',
    default: 'plaintext',
    unit: '',
    choices: SECURITY_PROTOCOLS,
    help: "Kafka's security.protocol for every client hydra makes",
    ini: ['security', 'protocol'],
    iniOnly: true,
  },
  /** PEM file of the CA that signed the brokers' certificates ('' = the system's CAs). */
  ssl_ca_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: "PEM CA file for the brokers' certificates",
    ini: ['security', 'ssl_ca_file'],
    iniOnly: true,
  },
  /** PEM client certificate and key for mutual TLS ('' = none). */
  ssl_cert_file: { kind: 'string', default: '', unit: 'path', help: 'PEM client certificate (mutual TLS)', ini: ['security', 'ssl_cert_file'], iniOnly: true },
  /** PEM key of the client certificate (with ssl_cert_file). */
  ssl_key_file: { kind: 'string', default: '', unit: 'path', help: 'PEM client key (mutual TLS)', ini: ['security', 'ssl_key_file'], iniOnly: true },
  /** TLS server name to verify ('' = the broker's host name). */
  ssl_servername: { kind: 'string', default: '', unit: '', help: 'TLS server name to verify', ini: ['security', 'ssl_servername'], iniOnly: true },
  /** SASL mechanism. */
  sasl_mechanism: {
    kind: 'choice',
    default: 'plain',
    unit: '',
    choices: SASL_MECHANISMS,
    help: 'SASL mechanism',
    ini: ['security', 'sasl_mechanism'],
    iniOnly: true,
  },
  /** SASL user name. */
  sasl_username: { kind: 'string', default: '', unit: '', help: 'SASL user name', ini: ['security', 'sasl_username'], iniOnly: true },
  /** Name of the environment variable holding the SASL password (never the password itself). */
  sasl_password_env: {
    kind: 'string',
    default: '',
    unit: '',
    help: 'environment variable holding the SASL password',
    ini: ['security', 'sasl_password_env'],
    iniOnly: true,
  },
  /** File holding the SASL password (one line). */
  sasl_password_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: 'file holding the SASL password',
    ini: ['security', 'sasl_password_file'],
    iniOnly: true,
  },
  /** Prometheus endpoints of the brokers (one per broker, the JMX exporter's): scraped through every measuring window. */
  broker_metrics: {
    kind: 'urls',
    default: [],
    unit: 'url,...',
    help: "the brokers' Prometheus endpoints (JMX exporter), scraped through every point",
    ini: ['broker_metrics', 'endpoints'],
  },
  /** Longest a scrape may take, ms: a slow endpoint is a note on the point, never a failed point. */
  broker_metrics_timeout_ms: {
    kind: 'int',
    default: 2000,
    unit: 'ms',
    min: 100,
    max: 60000,
    help: 'longest a scrape of a broker endpoint may take',
    ini: ['broker_metrics', 'timeout_ms'],
    iniOnly: true,
  },
  /** PEM CA of https endpoints signed by a private CA ('' = the system's CAs). */
  broker_metrics_ca_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: 'PEM CA of https broker endpoints',
    ini: ['broker_metrics', 'ca_file'],
    iniOnly: true,
  },
  /** Basic auth: the user name, with password_env or password_file. */
  broker_metrics_username: {
    kind: 'string',
    default: '',
    unit: '',
    help: 'basic-auth user of the broker endpoints',
    ini: ['broker_metrics', 'username'],
    iniOnly: true,
  },
  /** Environment variable holding the basic-auth password (never the password itself). */
  broker_metrics_password_env: {
    kind: 'string',
    default: '',
    unit: '',
    help: 'environment variable holding the endpoints’ basic-auth password',
    ini: ['broker_metrics', 'password_env'],
    iniOnly: true,
  },
  /** File holding the basic-auth password (one line). */
  broker_metrics_password_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: 'file holding the endpoints’ basic-auth password',
    ini: ['broker_metrics', 'password_file'],
    iniOnly: true,
  },
  /** Environment variable holding a bearer token for the endpoints. */
  broker_metrics_token_env: {
    kind: 'string',
    default: '',
    unit: '',
    help: 'environment variable holding the endpoints’ bearer token',
    ini: ['broker_metrics', 'token_env'],
    iniOnly: true,
  },
  /** File holding a bearer token for the endpoints (one line). */
  broker_metrics_token_file: {
    kind: 'string',
    default: '',
    unit: 'path',
    help: 'file holding the endpoints’ bearer token',
    ini: ['broker_metrics', 'token_file'],
    iniOnly: true,
  },
  /** Metric names that override the rule set's, `series=metric_name` each (broker-metrics/names.ts). */
  broker_metrics_names: {
    kind: 'words',
    default: [],
    unit: 'series=name ...',
    help: 'metric names overriding the exporter rule set’s, space-separated series=name',
    ini: ['broker_metrics', 'names'],
    iniOnly: true,
  },
  /** Time allowed for all consumers to join their groups, seconds. */
  join_timeout: {
    kind: 'number',
    default: 60,
    unit: 's',
    min: 1,
    max: 3600,
    help: 'time for all consumers to join their groups',
    ini: ['test', 'join_timeout'],
  },
} as const satisfies Record<string, OptionDecl>;

type Table = typeof OPTION_TABLE;
export type OptionName = keyof Table;

/**
 * Every option of a hydra test point, typed from the table (each field's doc is its table
 * entry's), plus the client options passed through from hydra.ini.
 */
export type HydraOptions = { -readonly [K in OptionName]: ValueOf<Table[K]> } & {
  /** kafkajs options passed through as they are, by hydra.ini section ([client], [producer], [consumer], [admin]); see config/passthrough.ts. */
  kafkajs: KafkajsPassthrough;
  /** librdkafka properties passed through as they are (client_library=librdkafka), by section; see config/passthrough.ts. */
  librdkafka: LibrdkafkaPassthrough;
};

const TABLE_ENTRIES = Object.entries(OPTION_TABLE) as [OptionName, OptionDecl][];

export const DEFAULT_OPTIONS: Readonly<HydraOptions> = Object.freeze({
  ...(Object.fromEntries(TABLE_ENTRIES.map(([name, d]) => [name, d.default])) as { [K in OptionName]: ValueOf<Table[K]> }),
  kafkajs: { client: {}, producer: {}, consumer: {}, admin: {} },
  librdkafka: { client: {}, producer: {}, consumer: {} },
});

/** How one option is spelled as a flag and in hydra.ini, with its unit and help text. */
export interface OptionSpec extends Omit<OptionDecl, 'default' | 'point'> {
  name: OptionName;
}

export const OPTION_SPECS: readonly OptionSpec[] = TABLE_ENTRIES.map(([name, d]) => ({
  name,
  kind: d.kind,
  unit: d.unit,
  help: d.help,
  ...(d.ini ? { ini: d.ini } : {}),
  ...(d.min !== undefined ? { min: d.min } : {}),
  ...(d.max !== undefined ? { max: d.max } : {}),
  ...(d.choices ? { choices: d.choices } : {}),
  ...(d.iniOnly ? { iniOnly: true } : {}),
  ...(d.repeatable ? { repeatable: true } : {}),
  ...(d.below ? { below: d.below } : {}),
  ...(d.passthrough ? { passthrough: d.passthrough } : {}),
}));

/** The options a point's figures depend on. */
export type PointKey = { [K in OptionName]: Table[K] extends { point: object } ? K : never }[OptionName];

/** Options a single point depends on, in the order of its key; everything else is environment. */
export const POINT_KEYS: readonly PointKey[] = TABLE_ENTRIES.filter(([, d]) => d.point)
  .sort(([, a], [, b]) => (a.point?.key ?? 0) - (b.point?.key ?? 0))
  .map(([name]) => name as PointKey);

export type PointParams = Pick<HydraOptions, PointKey>;

/** The point keys an app role takes (see `point.app`). */
export type KnobName<R extends AppRole> = {
  [K in OptionName]: Table[K] extends { point: { app: readonly (infer A)[] } } ? (R extends A ? K : never) : never;
}[OptionName];

/** The values an app role takes for a point: its config's knobs, derived from the table. */
export type KnobsOf<R extends AppRole> = Pick<PointParams, KnobName<R> & PointKey>;

/** The point keys each app role takes, in key order. */
export const KNOBS: { readonly [R in AppRole]: readonly KnobName<R>[] } = {
  pub: knobList('pub'),
  producer: knobList('producer'),
  sub: knobList('sub'),
  consumer: knobList('consumer'),
};

function knobList<R extends AppRole>(role: R): KnobName<R>[] {
  return POINT_KEYS.filter((k) => ((OPTION_TABLE[k] as OptionDecl).point?.app ?? []).includes(role)) as unknown as KnobName<R>[];
}

/** A point's values an app role takes. */
export function knobsOf<R extends AppRole>(role: R, params: PointParams): KnobsOf<R> {
  return Object.fromEntries(KNOBS[role].map((k) => [k, params[k as PointKey]])) as KnobsOf<R>;
}

/**
 * Point keys added after studies were first stored, with what earlier points ran with: a key
 * leaves them out at that value, so a stored point keeps its key and a resumed study does not
 * measure it again.
 */
export const LATER_POINT_KEYS: Partial<Record<PointKey, unknown>> = Object.fromEntries(
  TABLE_ENTRIES.filter(([, d]) => d.point && 'since' in d.point).map(([name, d]) => [name, d.point?.since]),
);

/** The spec of one option. */
export function optionSpec(name: OptionName): OptionSpec {
  const spec = OPTION_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`no option spec for ${name}`);
  return spec;
}

export function pointParamsOf(options: HydraOptions): PointParams {
  const params = {} as Record<string, unknown>;
  for (const key of POINT_KEYS) params[key] = options[key];
  return params as unknown as PointParams;
}
