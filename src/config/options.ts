/**
 * Every option of a hydra test point, typed once. Field names keep HYDRA's snake_case so a flag,
 * an ini key, a persisted study spec and a notebook cell all spell an option the same way.
 */
export interface HydraOptions {
  /** Publishing window per point, seconds (HYDRA default 10). */
  test_duration: number;
  /** Seconds published before the measuring window starts; those messages are not counted (OMB's warm-up). */
  warmup: number;
  /** Times each point is measured, interleaved across the grid; tables and plots show mean ± 95 % CI. */
  repeats: number;
  /** Messages sent back to back before the publisher sleeps (HYDRA default 100). */
  msg_batch: number;
  /** Requested publish rate, messages per second (HYDRA default 10000). */
  msg_rate: number;
  /** Bytes per message value: the 16-byte header, then padding (HYDRA's were 14 bytes). */
  msg_size: number;
  /** Share of the padding that is random, %: 100 is incompressible, 0 all zeros. */
  payload_random_pct: number;
  /** Partitions each publisher spreads its messages over, round-robin (1: HYDRA's single partition). */
  partitions: number;
  /** Producer compression codec. */
  compression: Compression;
  /** Message keys: none (partitions round-robin), round_robin over key_count keys, or a random one of them; a key picks its partition as Kafka's default partitioner does. */
  keys: KeyMode;
  /** Distinct keys with keys=round_robin or random. */
  key_count: number;
  /** Idempotent producer (exactly-once per partition; needs acks=-1 and max_in_flight ≤ 5). */
  idempotent: boolean;
  /** Produce requests a publisher keeps in flight (1 keeps send order even across retries). */
  max_in_flight: number;
  /** Most bytes of message values in one produce request (kafkajs has no batch.size; keep it under the broker's message.max.bytes). */
  batch_bytes: number;
  /** Times a failed produce request is retried before its messages count as send errors. */
  retries: number;
  /** Produce request timeout, ms: the broker's wait for acks and the client's wait for the answer. */
  request_timeout_ms: number;
  /** Subscriber app processes (HYDRA default 20). */
  total_sub_apps: number;
  /** Publisher app processes; the requested rate is split across them (OMB's producersPerTopic). */
  total_pub_apps: number;
  /** Kafka consumers hosted by each sub app, each in its own group (HYDRA: 10). */
  clients_per_app: number;
  /** Path of the ini file that was read ('' when none). */
  config_file: string;
  /** Keep the apps and embedded broker running after the run until Enter is pressed. */
  keep_running: boolean;
  /** Producer acks: 0 none, 1 leader, -1 all in-sync replicas. */
  acks: -1 | 0 | 1;
  /** Producer linger, ms: batches produced within this window are sent as one request. */
  linger_ms: number;
  /** Consumer fetch buffer, bytes; 0 = unbounded (HYDRA's consumer.max_buffer_size=0). */
  consumer_max_buffer_size: number;
  /** Bootstrap brokers `host:port`; empty means start the embedded broker. */
  brokers: string[];
  /** Brokers in the embedded mock cluster. */
  embedded_brokers: number;
  /** Kafka client id prefix. */
  client_id: string;
  /** Partitions of each per-point topic when hydra creates it on a real cluster. */
  topic_partitions: number;
  /** Replication factor of each per-point topic on a real cluster. */
  topic_replication: number;
  /** Consumer fetch long-poll, ms (the mock broker only answers when this expires). */
  consumer_max_wait_ms: number;
  /** Bytes a fetch waits for before the broker answers (Kafka's fetch.min.bytes). */
  consumer_min_bytes: number;
  /** Consumer group session timeout, ms. */
  consumer_session_timeout_ms: number;
  /** per_client: every client in a group of its own, each gets every message (HYDRA's fan-out); shared: all clients in one group, each message goes to one of them (a queue). */
  consumer_group: ConsumerGroupMode;
  /** min.insync.replicas of the run's topic on a real cluster (0: the broker's default). */
  topic_min_insync_replicas: number;
  /** retention.ms of the run's topic on a real cluster (0: the broker's default, -1: unlimited). */
  topic_retention_ms: number;
  /** Any other configs of the run's topic on a real cluster, `key=value` each. */
  topic_configs: string[];
  /** kafkajs options passed through as they are, by hydra.ini section ([client], [producer], [consumer], [admin]); see config/passthrough.ts. */
  kafkajs: KafkajsPassthrough;
  /** Address the apps' ZeroMQ REP servers bind. */
  control_host: string;
  /** Timeout of every control request, ms. */
  control_timeout_ms: number;
  /** Where apps run: 'local' (child processes) or 'command' (a command per app, on launcher_hosts). */
  launcher: LauncherKind;
  /** The command launcher's hosts, `name@address` (address: what the apps there bind their control servers to). */
  launcher_hosts: string[];
  /** The command launcher's command template ({host}, {address}, {kind}, {name}, {node}, {app}). */
  launcher_command: string;
  /** Kubernetes launcher ([kubernetes]): namespace, image, pull policy, resources, placement, kubeconfig, batching. */
  k8s_namespace: string;
  k8s_image: string;
  k8s_image_pull_policy: 'Always' | 'IfNotPresent' | 'Never';
  k8s_cpu_request: string;
  k8s_cpu_limit: string;
  k8s_memory_request: string;
  k8s_memory_limit: string;
  /** `key=value` node labels every pod requires. */
  k8s_node_selector: string[];
  /** `key=value:Effect` or `key:Effect`. */
  k8s_tolerations: string[];
  k8s_kubeconfig: string;
  k8s_batch_size: number;
  k8s_control_port: number;
  /** s */
  k8s_ready_timeout: number;
  /** Directory of per-run app logs. */
  log_dir: string;
  /** Directory holding studies. */
  results_dir: string;
  /** Grace period for subscribers to drain after the publisher stops, seconds. */
  drain_timeout: number;
  /** Time allowed for all consumers to join their groups, seconds. */
  join_timeout: number;
  /** On a real cluster, leave the run's topics and consumer groups in place when it ends (default: delete them). */
  keep_topics: boolean;
  /** A new topic and new consumer groups for every point (the pre-0.2 way); default: one topic per session, consumers stay joined. */
  fresh_topic_per_point: boolean;
  /** Kafka's security.protocol for every client hydra makes (apps and admin): plaintext, ssl, sasl_plaintext or sasl_ssl. */
  security_protocol: SecurityProtocol;
  /** PEM file of the CA that signed the brokers' certificates ('' = the system's CAs). */
  ssl_ca_file: string;
  /** PEM client certificate and key for mutual TLS ('' = none). */
  ssl_cert_file: string;
  ssl_key_file: string;
  /** TLS server name to verify ('' = the broker's host name). */
  ssl_servername: string;
  /** SASL mechanism. */
  sasl_mechanism: SaslMechanism;
  sasl_username: string;
  /** Name of the environment variable holding the SASL password (never the password itself). */
  sasl_password_env: string;
  /** File holding the SASL password (one line). */
  sasl_password_file: string;
  /** Harness-limit thresholds ([verdict] in hydra.ini): publisher reached less than this fraction of the requested rate. */
  verdict_pub_achieved_min: number;
  /** An app at or above this CPU, % of one core, is saturated. */
  verdict_app_cpu_max_pct: number;
  /** An app whose event loop was busy at least this fraction of the window is saturated. */
  verdict_app_elu_max: number;
  /** A host at or above this CPU busy, % of its cores, is the limit. */
  verdict_host_cpu_max_pct: number;
  /** An app whose main thread waited for a CPU at least this much of the window (%) was starved by its host. */
  verdict_app_run_wait_max_pct: number;
  /** ms: an app's event loop standing still this long, or a broker answer taking this long, bends a point's figures. */
  verdict_stall_max_ms: number;
}

export const DEFAULT_OPTIONS: Readonly<HydraOptions> = Object.freeze({
  test_duration: 10,
  warmup: 0,
  repeats: 1,
  msg_batch: 100,
  msg_rate: 10000,
  msg_size: 16,
  payload_random_pct: 100,
  partitions: 1,
  compression: 'none',
  keys: 'none',
  key_count: 16,
  idempotent: false,
  max_in_flight: 1,
  batch_bytes: 1_000_000,
  retries: 5,
  request_timeout_ms: 30000,
  total_sub_apps: 20,
  total_pub_apps: 1,
  clients_per_app: 10,
  config_file: 'hydra.ini',
  keep_running: false,
  acks: 1,
  linger_ms: 0,
  consumer_max_buffer_size: 0,
  brokers: [],
  embedded_brokers: 1,
  client_id: 'hydra',
  topic_partitions: 1,
  topic_replication: 1,
  consumer_max_wait_ms: 100,
  consumer_min_bytes: 1,
  consumer_session_timeout_ms: 30000,
  consumer_group: 'per_client',
  topic_min_insync_replicas: 0,
  topic_retention_ms: 0,
  topic_configs: [],
  kafkajs: { client: {}, producer: {}, consumer: {}, admin: {} },
  control_host: '127.0.0.1',
  control_timeout_ms: 5000,
  launcher: 'local',
  launcher_hosts: [],
  launcher_command: '',
  k8s_namespace: 'default',
  k8s_image: '',
  k8s_image_pull_policy: 'IfNotPresent',
  k8s_cpu_request: '',
  k8s_cpu_limit: '',
  k8s_memory_request: '',
  k8s_memory_limit: '',
  k8s_node_selector: [],
  k8s_tolerations: [],
  k8s_kubeconfig: '',
  k8s_batch_size: 300,
  k8s_control_port: 7000,
  k8s_ready_timeout: 300,
  log_dir: 'results/logs',
  results_dir: 'results',
  drain_timeout: 5,
  join_timeout: 60,
  fresh_topic_per_point: false,
  keep_topics: false,
  security_protocol: 'plaintext',
  ssl_ca_file: '',
  ssl_cert_file: '',
  ssl_key_file: '',
  ssl_servername: '',
  sasl_mechanism: 'plain',
  sasl_username: '',
  sasl_password_env: '',
  sasl_password_file: '',
  verdict_pub_achieved_min: 0.95,
  verdict_app_cpu_max_pct: 90,
  verdict_app_elu_max: 0.9,
  verdict_host_cpu_max_pct: 95,
  verdict_app_run_wait_max_pct: 25,
  verdict_stall_max_ms: 500,
});

export type OptionKind = 'int' | 'number' | 'bool' | 'string' | 'list' | 'acks' | 'choice' | 'configs' | 'hosts' | 'words';

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

/** Compression codecs hydra can use: kafkajs's built-in ones (snappy, lz4 and zstd need codec packages hydra does not install). */
export const COMPRESSIONS = ['none', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Kafka's security.protocol values. */
export const SECURITY_PROTOCOLS = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
/** SASL mechanisms kafkajs speaks without plugins. */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Where apps run: child processes here, or through a command on other hosts. */
export const LAUNCHER_KINDS = ['local', 'command', 'kubernetes'] as const;
export type LauncherKind = (typeof LAUNCHER_KINDS)[number];

/** The Kubernetes launcher's keys, all in [kubernetes] of hydra.ini. */
const K8S_SPECS: OptionSpec[] = [
  { name: 'k8s_namespace', kind: 'string', unit: '', help: 'namespace of the pods', ini: ['kubernetes', 'namespace'], iniOnly: true },
  { name: 'k8s_image', kind: 'string', unit: '', help: 'image built from this repository (Dockerfile)', ini: ['kubernetes', 'image'], iniOnly: true },
  {
    name: 'k8s_image_pull_policy',
    kind: 'choice',
    choices: ['Always', 'IfNotPresent', 'Never'],
    unit: '',
    help: 'image pull policy',
    ini: ['kubernetes', 'image_pull_policy'],
    iniOnly: true,
  },
  { name: 'k8s_cpu_request', kind: 'string', unit: 'quantity', help: 'CPU request per pod', ini: ['kubernetes', 'cpu_request'], iniOnly: true },
  { name: 'k8s_cpu_limit', kind: 'string', unit: 'quantity', help: 'CPU limit per pod', ini: ['kubernetes', 'cpu_limit'], iniOnly: true },
  { name: 'k8s_memory_request', kind: 'string', unit: 'quantity', help: 'memory request per pod', ini: ['kubernetes', 'memory_request'], iniOnly: true },
  { name: 'k8s_memory_limit', kind: 'string', unit: 'quantity', help: 'memory limit per pod', ini: ['kubernetes', 'memory_limit'], iniOnly: true },
  {
    name: 'k8s_node_selector',
    kind: 'words',
    unit: 'key=value ...',
    help: 'node labels every pod requires',
    ini: ['kubernetes', 'node_selector'],
    iniOnly: true,
  },
  { name: 'k8s_tolerations', kind: 'words', unit: 'key=value:Effect ...', help: 'taints the pods tolerate', ini: ['kubernetes', 'tolerations'], iniOnly: true },
  {
    name: 'k8s_kubeconfig',
    kind: 'string',
    unit: 'path',
    help: "kubeconfig ('': $KUBECONFIG, ~/.kube/config or in-cluster)",
    ini: ['kubernetes', 'kubeconfig'],
    iniOnly: true,
  },
  { name: 'k8s_batch_size', kind: 'int', unit: 'pods', min: 1, max: 5000, help: 'pods created per batch', ini: ['kubernetes', 'batch_size'], iniOnly: true },
  {
    name: 'k8s_control_port',
    kind: 'int',
    unit: 'port',
    min: 1,
    max: 65535,
    help: "apps' control port in their pods",
    ini: ['kubernetes', 'control_port'],
    iniOnly: true,
  },
  {
    name: 'k8s_ready_timeout',
    kind: 'number',
    unit: 's',
    min: 1,
    max: 3600,
    help: 'time a batch of pods has to become ready',
    ini: ['kubernetes', 'ready_timeout'],
    iniOnly: true,
  },
];

/** How one option is spelled as a flag and in hydra.ini, with its unit and help text. */
export interface OptionSpec {
  name: keyof HydraOptions;
  kind: OptionKind;
  unit: string;
  help: string;
  /** `[section] key` in hydra.ini; absent when the option is flag-only. */
  ini?: [string, string];
  /** Smallest allowed value for numbers. */
  min?: number;
  /** Largest allowed value for numbers: beyond it a value would wedge the harness or mean nothing. */
  max?: number;
  /** Allowed values of a 'choice'. */
  choices?: readonly string[];
  /** Hidden from the flag table (set through the ini file only). */
  iniOnly?: boolean;
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'test_duration', kind: 'number', unit: 's', min: 0.1, max: 86400, help: 'publishing window per point', ini: ['test', 'test_duration'] },
  { name: 'warmup', kind: 'number', unit: 's', min: 0, max: 3600, help: 'published before the measuring window, not counted', ini: ['test', 'warmup'] },
  {
    name: 'repeats',
    kind: 'int',
    unit: 'times',
    min: 1,
    max: 100,
    help: 'measure each point this many times (interleaved); mean ± 95 % CI',
    ini: ['test', 'repeats'],
  },
  { name: 'msg_batch', kind: 'int', unit: 'msgs', min: 1, max: 10000, help: 'messages sent back to back before sleeping', ini: ['test', 'msg_batch'] },
  { name: 'msg_rate', kind: 'number', unit: 'msg/s', min: 1, max: 10_000_000, help: 'requested publish rate', ini: ['test', 'msg_rate'] },
  {
    name: 'msg_size',
    kind: 'int',
    unit: 'bytes',
    min: 16,
    max: 1_000_000,
    help: 'bytes per message (16-byte header, then padding)',
    ini: ['test', 'msg_size'],
  },
  {
    name: 'payload_random_pct',
    kind: 'int',
    unit: '%',
    min: 0,
    max: 100,
    help: 'random share of the padding (100: incompressible, 0: zeros)',
    ini: ['test', 'payload_random_pct'],
  },
  {
    name: 'partitions',
    kind: 'int',
    unit: 'partitions',
    min: 1,
    max: 1024,
    help: 'partitions each publisher writes, round-robin',
    ini: ['test', 'partitions'],
  },
  {
    name: 'compression',
    kind: 'choice',
    choices: COMPRESSIONS,
    unit: '',
    help: "producer compression: none or gzip (kafkajs's built-in codecs; snappy, lz4 and zstd are not available)",
    ini: ['producer', 'compression'],
  },
  {
    name: 'keys',
    kind: 'choice',
    choices: KEY_MODES,
    unit: '',
    help: "message keys: none (partitions round-robin), round_robin or random over key_count keys (partition by key, as Kafka's default partitioner)",
    ini: ['test', 'keys'],
  },
  { name: 'key_count', kind: 'int', unit: 'keys', min: 1, max: 1_000_000, help: 'distinct keys with --keys round_robin or random', ini: ['test', 'key_count'] },
  { name: 'idempotent', kind: 'bool', unit: '', help: 'idempotent producer (needs acks=-1, max_in_flight ≤ 5)', ini: ['producer', 'idempotent'] },
  {
    name: 'max_in_flight',
    kind: 'int',
    unit: 'requests',
    min: 1,
    max: 100,
    help: 'produce requests in flight per publisher (1 keeps send order across retries)',
    ini: ['producer', 'max_in_flight'],
  },
  {
    name: 'batch_bytes',
    kind: 'int',
    unit: 'bytes',
    min: 1,
    max: 100_000_000,
    help: "most message bytes per produce request (keep under the broker's message.max.bytes)",
    ini: ['producer', 'batch_bytes'],
  },
  { name: 'retries', kind: 'int', unit: 'times', min: 0, max: 1000, help: 'retries of a failed produce request', ini: ['producer', 'retries'] },
  {
    name: 'request_timeout_ms',
    kind: 'int',
    unit: 'ms',
    min: 100,
    max: 600000,
    help: 'produce request timeout (broker ack wait and client wait)',
    ini: ['producer', 'request_timeout_ms'],
  },
  { name: 'total_sub_apps', kind: 'int', unit: 'apps', min: 1, max: 10000, help: 'subscriber app processes', ini: ['test', 'total_sub_apps'] },
  {
    name: 'clients_per_app',
    kind: 'int',
    unit: 'clients',
    min: 1,
    max: 1000,
    help: 'consumers per sub app, each in its own group',
    ini: ['test', 'clients_per_app'],
  },
  { name: 'config_file', kind: 'string', unit: 'path', help: 'ini file to read' },
  {
    name: 'total_pub_apps',
    kind: 'int',
    unit: 'apps',
    min: 1,
    max: 64,
    help: 'publisher app processes; the rate is split across them',
    ini: ['test', 'total_pub_apps'],
  },
  {
    name: 'fresh_topic_per_point',
    kind: 'bool',
    unit: '',
    help: 'new topic and consumer groups every point (consumers join each time)',
    ini: ['test', 'fresh_topic_per_point'],
  },
  {
    name: 'keep_topics',
    kind: 'bool',
    unit: '',
    help: "on a real cluster, keep the run's topics and consumer groups (default: deleted when the run ends)",
    ini: ['broker', 'keep_topics'],
  },
  { name: 'keep_running', kind: 'bool', unit: '', help: 'leave apps and broker up until Enter is pressed' },
  { name: 'acks', kind: 'acks', unit: '', help: 'producer acks: 0, 1 or -1 (all)', ini: ['producer', 'acks'] },
  { name: 'linger_ms', kind: 'number', unit: 'ms', min: 0, max: 60000, help: 'producer linger before a request is sent', ini: ['producer', 'linger_ms'] },
  {
    name: 'consumer_max_buffer_size',
    kind: 'int',
    unit: 'bytes',
    min: 0,
    max: 1 << 30,
    help: 'consumer fetch buffer, 0 = unbounded',
    ini: ['consumer', 'max_buffer_size'],
  },
  { name: 'brokers', kind: 'list', unit: 'host:port,...', help: 'Kafka bootstrap brokers; none = embedded broker', ini: ['broker', 'brokers'] },
  {
    name: 'embedded_brokers',
    kind: 'int',
    unit: 'brokers',
    min: 1,
    max: 16,
    help: 'brokers in the embedded mock cluster',
    ini: ['broker', 'embedded_brokers'],
  },
  { name: 'client_id', kind: 'string', unit: '', help: 'Kafka client id prefix', ini: ['client', 'client_id'], iniOnly: true },
  {
    name: 'topic_partitions',
    kind: 'int',
    unit: '',
    min: 1,
    max: 10000,
    help: 'partitions of per-point topics hydra creates',
    ini: ['broker', 'topic_partitions'],
    iniOnly: true,
  },
  {
    name: 'topic_replication',
    kind: 'int',
    unit: '',
    min: 1,
    max: 100,
    help: 'replication factor of per-point topics',
    ini: ['broker', 'topic_replication'],
    iniOnly: true,
  },
  {
    name: 'consumer_max_wait_ms',
    kind: 'int',
    unit: 'ms',
    min: 1,
    max: 60000,
    help: 'consumer fetch long-poll',
    ini: ['consumer', 'max_wait_ms'],
  },
  {
    name: 'consumer_min_bytes',
    kind: 'int',
    unit: 'bytes',
    min: 1,
    max: 100_000_000,
    help: 'bytes a fetch waits for (fetch.min.bytes)',
    ini: ['consumer', 'min_bytes'],
  },
  {
    name: 'consumer_session_timeout_ms',
    kind: 'int',
    unit: 'ms',
    min: 1000,
    max: 3_600_000,
    help: 'consumer group session timeout',
    ini: ['consumer', 'session_timeout_ms'],
  },
  {
    name: 'consumer_group',
    kind: 'choice',
    choices: CONSUMER_GROUP_MODES,
    unit: '',
    help: 'per_client: a group per client, each gets every message (HYDRA); shared: one group, each message to one client (loss = group total vs sent)',
    ini: ['consumer', 'group'],
  },
  {
    name: 'topic_min_insync_replicas',
    kind: 'int',
    unit: 'replicas',
    min: 0,
    max: 100,
    help: "min.insync.replicas of the run's topic (0: broker default)",
    ini: ['broker', 'topic_min_insync_replicas'],
    iniOnly: true,
  },
  {
    name: 'topic_retention_ms',
    kind: 'int',
    unit: 'ms',
    min: -1,
    max: Number.MAX_SAFE_INTEGER,
    help: "retention.ms of the run's topic (0: broker default, -1: unlimited)",
    ini: ['broker', 'topic_retention_ms'],
    iniOnly: true,
  },
  {
    name: 'topic_configs',
    kind: 'configs',
    unit: 'key=value ...',
    help: "other configs of the run's topic, space-separated key=value",
    ini: ['broker', 'topic_configs'],
    iniOnly: true,
  },
  { name: 'control_host', kind: 'string', unit: 'address', help: "address the apps' ZeroMQ REP servers bind", ini: ['control', 'host'], iniOnly: true },
  { name: 'control_timeout_ms', kind: 'int', unit: 'ms', min: 1, max: 600000, help: 'timeout of each control request', ini: ['control', 'timeout_ms'] },
  {
    name: 'launcher',
    kind: 'choice',
    choices: LAUNCHER_KINDS,
    unit: '',
    help: 'where apps run: local, or command (a command per app on launcher_hosts)',
    ini: ['launcher', 'kind'],
    iniOnly: true,
  },
  {
    name: 'launcher_hosts',
    kind: 'hosts',
    unit: 'name@address,...',
    help: "the command launcher's hosts: the publishers on the first, sub apps round-robin over the rest",
    ini: ['launcher', 'hosts'],
    iniOnly: true,
  },
  ...K8S_SPECS,
  {
    name: 'launcher_command',
    kind: 'string',
    unit: 'template',
    help: 'the command that starts one app: {host} {address} {kind} {name} {node} {app}',
    ini: ['launcher', 'command'],
    iniOnly: true,
  },
  { name: 'log_dir', kind: 'string', unit: 'path', help: 'directory of per-run app logs', ini: ['launcher', 'log_dir'] },
  { name: 'results_dir', kind: 'string', unit: 'path', help: 'directory holding studies', ini: ['results', 'dir'] },
  {
    name: 'drain_timeout',
    kind: 'number',
    unit: 's',
    min: 0,
    max: 3600,
    help: 'grace for subscribers to drain after publishing',
    ini: ['test', 'drain_timeout'],
  },
  {
    name: 'verdict_pub_achieved_min',
    kind: 'number',
    unit: '',
    min: 0,
    max: 1,
    help: 'publisher-limited below this fraction of the requested rate',
    ini: ['verdict', 'pub_achieved_min'],
    iniOnly: true,
  },
  {
    name: 'verdict_app_cpu_max_pct',
    kind: 'number',
    unit: '%',
    min: 1,
    max: 10000,
    help: 'an app at this CPU (% of one core) is saturated',
    ini: ['verdict', 'app_cpu_max_pct'],
    iniOnly: true,
  },
  {
    name: 'verdict_app_elu_max',
    kind: 'number',
    unit: '',
    min: 0.01,
    max: 1,
    help: 'an app whose event loop is this busy is saturated',
    ini: ['verdict', 'app_elu_max'],
    iniOnly: true,
  },
  {
    name: 'verdict_host_cpu_max_pct',
    kind: 'number',
    unit: '%',
    min: 1,
    max: 100,
    help: 'a host this busy is the limit',
    ini: ['verdict', 'host_cpu_max_pct'],
    iniOnly: true,
  },
  {
    name: 'verdict_app_run_wait_max_pct',
    kind: 'number',
    unit: '%',
    min: 1,
    max: 100,
    help: 'an app that waited this much of the window for a CPU was starved by its host',
    ini: ['verdict', 'app_run_wait_max_pct'],
    iniOnly: true,
  },
  {
    name: 'verdict_stall_max_ms',
    kind: 'number',
    unit: 'ms',
    min: 50,
    max: 3600000,
    help: 'an event loop standing still, or a broker answer taking, this long bends a point',
    ini: ['verdict', 'stall_max_ms'],
    iniOnly: true,
  },
  {
    name: 'security_protocol',
    kind: 'choice',
    choices: SECURITY_PROTOCOLS,
    unit: '',
    help: "Kafka's security.protocol for every client hydra makes",
    ini: ['security', 'protocol'],
    iniOnly: true,
  },
  { name: 'ssl_ca_file', kind: 'string', unit: 'path', help: "PEM CA file for the brokers' certificates", ini: ['security', 'ssl_ca_file'], iniOnly: true },
  { name: 'ssl_cert_file', kind: 'string', unit: 'path', help: 'PEM client certificate (mutual TLS)', ini: ['security', 'ssl_cert_file'], iniOnly: true },
  { name: 'ssl_key_file', kind: 'string', unit: 'path', help: 'PEM client key (mutual TLS)', ini: ['security', 'ssl_key_file'], iniOnly: true },
  { name: 'ssl_servername', kind: 'string', unit: '', help: 'TLS server name to verify', ini: ['security', 'ssl_servername'], iniOnly: true },
  { name: 'sasl_mechanism', kind: 'choice', choices: SASL_MECHANISMS, unit: '', help: 'SASL mechanism', ini: ['security', 'sasl_mechanism'], iniOnly: true },
  { name: 'sasl_username', kind: 'string', unit: '', help: 'SASL user name', ini: ['security', 'sasl_username'], iniOnly: true },
  {
    name: 'sasl_password_env',
    kind: 'string',
    unit: '',
    help: 'environment variable holding the SASL password',
    ini: ['security', 'sasl_password_env'],
    iniOnly: true,
  },
  { name: 'sasl_password_file', kind: 'string', unit: 'path', help: 'file holding the SASL password', ini: ['security', 'sasl_password_file'], iniOnly: true },
  { name: 'join_timeout', kind: 'number', unit: 's', min: 1, max: 3600, help: 'time for all consumers to join their groups', ini: ['test', 'join_timeout'] },
];

/** Options a single point depends on; everything else is environment. Used to key points in a study. */
export const POINT_KEYS = [
  'total_sub_apps',
  'total_pub_apps',
  'clients_per_app',
  'msg_rate',
  'msg_batch',
  'msg_size',
  'payload_random_pct',
  'partitions',
  'compression',
  'test_duration',
  'acks',
  'linger_ms',
  'consumer_max_buffer_size',
  'warmup',
  'keys',
  'key_count',
  'idempotent',
  'max_in_flight',
  'batch_bytes',
  'retries',
  'request_timeout_ms',
  'consumer_max_wait_ms',
  'consumer_min_bytes',
  'consumer_session_timeout_ms',
  'consumer_group',
] as const;
export type PointParams = Pick<HydraOptions, (typeof POINT_KEYS)[number]>;

/**
 * Point keys added after studies were first stored: a key leaves them out at their default, so a
 * stored point keeps its key and a resumed study does not measure it again.
 */
export const LATER_POINT_KEYS: Partial<Record<(typeof POINT_KEYS)[number], unknown>> = {
  warmup: 0,
  total_pub_apps: 1,
  msg_size: 16,
  payload_random_pct: 100,
  partitions: 1,
  compression: 'none',
  keys: 'none',
  key_count: 16,
  idempotent: false,
  max_in_flight: 1,
  batch_bytes: 1_000_000,
  retries: 5,
  request_timeout_ms: 30000,
  consumer_max_wait_ms: 100,
  consumer_min_bytes: 1,
  consumer_session_timeout_ms: 30000,
  consumer_group: 'per_client',
};

/** The spec of one option. */
export function optionSpec(name: keyof HydraOptions): OptionSpec {
  const spec = OPTION_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`no option spec for ${name}`);
  return spec;
}

export function pointParamsOf(options: HydraOptions): PointParams {
  const params = {} as Record<string, unknown>;
  for (const key of POINT_KEYS) params[key] = options[key];
  return params as unknown as PointParams;
}
