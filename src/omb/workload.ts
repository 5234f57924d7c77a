import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HydraOptions, KeyMode } from '../config/options';
import { optionSpec } from '../config/options';
import { didYouMean } from '../config/suggest';
import { ConfigError } from '../errors';
import type { StudyGrid, StudyKind } from '../study/spec';
import { asObject, readYamlFile } from '../study/yaml-file';

/**
 * An OpenMessaging Benchmark workload (OMB's `workloads/*.yaml`, its Workload class) read and
 * turned into a hydra study: every field mapped to hydra's options, refused in one line naming
 * it, or mapped with a note that says what hydra does differently — never silently ignored.
 * hydra's own knobs (brokers, security, client library) still come from hydra.ini and flags.
 */

/** OMB's key distributors, and hydra's key mode for each (OMB keys come from 10 000 distinct keys). */
const KEY_DISTRIBUTORS: Record<string, KeyMode> = { NO_KEY: 'none', KEY_ROUND_ROBIN: 'round_robin', RANDOM_NANO: 'random' };
const OMB_KEY_COUNT = 10_000;

/** The fields of OMB's Workload class, as its YAML files spell them. */
export const OMB_WORKLOAD_FIELDS = [
  'name',
  'topics',
  'partitionsPerTopic',
  'keyDistributor',
  'messageSize',
  'useRandomizedPayloads',
  'randomBytesRatio',
  'randomizedPayloadPoolSize',
  'payloadFile',
  'subscriptionsPerTopic',
  'producersPerTopic',
  'consumerPerSubscription',
  'producerRate',
  'consumerBacklogSizeGB',
  'backlogDrainRatio',
  'testDurationMinutes',
  'warmupDurationMinutes',
] as const;
type OmbField = (typeof OMB_WORKLOAD_FIELDS)[number];

/** An OMB workload as its file gives it (absent fields take OMB's defaults when mapped). */
export interface OmbWorkload {
  name: string;
  topics: number;
  partitionsPerTopic: number;
  keyDistributor: string;
  messageSize: number;
  useRandomizedPayloads: boolean;
  randomBytesRatio: number | null;
  randomizedPayloadPoolSize: number | null;
  /** As written in the file (OMB resolves it against its working directory; hydra against the workload file's, then the working directory). */
  payloadFile: string | null;
  subscriptionsPerTopic: number;
  producersPerTopic: number;
  consumerPerSubscription: number;
  producerRate: number;
  consumerBacklogSizeGB: number;
  backlogDrainRatio: number | null;
  testDurationMinutes: number;
  warmupDurationMinutes: number;
}

/** A workload as a hydra study: its kind, options (each named by its OMB field), grid, and what hydra does differently. */
export interface OmbStudyPlan {
  workload: OmbWorkload;
  file: string;
  kind: Extract<StudyKind, 'sweep' | 'kafkarate'>;
  options: Partial<HydraOptions>;
  /** The OMB field each option came from, for errors: `w.yaml partitionsPerTopic`. */
  fieldOf: Partial<Record<keyof HydraOptions, OmbField>>;
  grid: Partial<StudyGrid>;
  /** What hydra does differently from OMB for this workload, a line each (printed before the run, stored with the study). */
  notes: string[];
}

/** Reads and checks an OMB workload file: an unknown field (with "did you mean"), a wrong type or a negative count exits 2 naming it. */
export function readOmbWorkload(file: string, source = 'hydra omb run'): OmbWorkload {
  const doc = asObject(readYamlFile(file, source, 'an OMB workload'), `${file} (top level)`);
  const at = (field: string): string => `${file} ${field}`;
  for (const key of Object.keys(doc))
    if (!(OMB_WORKLOAD_FIELDS as readonly string[]).includes(key))
      throw new ConfigError(at(key), undefined, `not a field of an OMB workload${didYouMean(key, OMB_WORKLOAD_FIELDS)}`);
  const count = (field: OmbField, fallback: number | null, min = 1): number => {
    const v = doc[field];
    if (v === undefined || v === null) {
      if (fallback === null) throw new ConfigError(at(field), undefined, 'is missing (every OMB workload sets it)');
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(at(field), String(v), 'expected a number');
    if (v < min) throw new ConfigError(at(field), String(v), v < 0 ? 'must not be negative' : `must be at least ${min}`);
    return v;
  };
  const whole = (field: OmbField, fallback: number | null, min = 1): number => {
    const v = count(field, fallback, min);
    if (!Number.isInteger(v)) throw new ConfigError(at(field), String(v), 'expected a whole number');
    return v;
  };
  const text = (field: OmbField): string | null => {
    const v = doc[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(at(field), String(v), 'expected text');
    return v;
  };
  const flag = (field: OmbField): boolean => {
    const v = doc[field];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new ConfigError(at(field), String(v), 'expected true or false');
    return v;
  };
  const keyDistributor = text('keyDistributor') ?? 'NO_KEY';
  if (!(keyDistributor in KEY_DISTRIBUTORS))
    throw new ConfigError(
      at('keyDistributor'),
      keyDistributor,
      `expected ${Object.keys(KEY_DISTRIBUTORS).join(', ')}${didYouMean(keyDistributor, Object.keys(KEY_DISTRIBUTORS))}`,
    );
  const ratio = doc.randomBytesRatio === undefined || doc.randomBytesRatio === null ? null : count('randomBytesRatio', null, 0);
  if (ratio !== null && ratio > 1) throw new ConfigError(at('randomBytesRatio'), String(ratio), 'must be between 0 and 1');
  const drain = doc.backlogDrainRatio === undefined || doc.backlogDrainRatio === null ? null : count('backlogDrainRatio', null, 0);
  return {
    name: text('name') ?? path.basename(file, path.extname(file)),
    topics: whole('topics', null),
    partitionsPerTopic: whole('partitionsPerTopic', null),
    keyDistributor,
    messageSize: whole('messageSize', null),
    useRandomizedPayloads: flag('useRandomizedPayloads'),
    randomBytesRatio: ratio,
    randomizedPayloadPoolSize:
      doc.randomizedPayloadPoolSize === undefined || doc.randomizedPayloadPoolSize === null ? null : whole('randomizedPayloadPoolSize', null, 0),
    payloadFile: text('payloadFile'),
    subscriptionsPerTopic: whole('subscriptionsPerTopic', null),
    producersPerTopic: whole('producersPerTopic', null),
    consumerPerSubscription: whole('consumerPerSubscription', null),
    producerRate: count('producerRate', null, 0),
    consumerBacklogSizeGB: count('consumerBacklogSizeGB', 0, 0),
    backlogDrainRatio: drain,
    testDurationMinutes: count('testDurationMinutes', null, 0),
    // OMB warms up for a minute unless the workload says otherwise.
    warmupDurationMinutes: count('warmupDurationMinutes', 1, 0),
  };
}

/**
 * The hydra study an OMB workload is: topics, partitions, producers per topic (hydra's publishers,
 * each writing every topic), subscriptions and consumers per subscription (a group per client, or
 * a shared group per topic), rate (0: hydra's boundary search), message size, payload, keys,
 * warm-up and duration. What cannot map is refused naming the field.
 */
export function ombStudyPlan(workload: OmbWorkload, file: string): OmbStudyPlan {
  const at = (field: OmbField): string => `${file} ${field}`;
  const notes: string[] = [];
  const options: Partial<HydraOptions> = {};
  const fieldOf: OmbStudyPlan['fieldOf'] = {};
  const set = <K extends keyof HydraOptions>(key: K, value: HydraOptions[K], field: OmbField): void => {
    options[key] = value;
    fieldOf[key] = field;
  };
  const w = workload;
  if (w.consumerBacklogSizeGB > 0)
    throw new ConfigError(
      at('consumerBacklogSizeGB'),
      String(w.consumerBacklogSizeGB),
      'hydra does not build a backlog and drain it (its consumers read as the publishers write); run it with 0',
    );
  if (w.backlogDrainRatio !== null && w.backlogDrainRatio !== 1)
    notes.push(`backlogDrainRatio ${w.backlogDrainRatio}: unused without a backlog (consumerBacklogSizeGB 0)`);
  if (w.subscriptionsPerTopic > 1 && w.consumerPerSubscription > 1)
    throw new ConfigError(
      at('subscriptionsPerTopic'),
      String(w.subscriptionsPerTopic),
      `with consumerPerSubscription ${w.consumerPerSubscription}: hydra has one shared group per topic, not several; use subscriptionsPerTopic 1 (a shared group of ${w.consumerPerSubscription}) or consumerPerSubscription 1 (${w.subscriptionsPerTopic} groups of one)`,
    );
  set('topics', w.topics, 'topics');
  set('partitions', w.partitionsPerTopic, 'partitionsPerTopic');
  set('topic_partitions', w.partitionsPerTopic, 'partitionsPerTopic');
  const shared = w.consumerPerSubscription > 1;
  set('consumer_group', shared ? 'shared' : 'per_client', shared ? 'consumerPerSubscription' : 'subscriptionsPerTopic');
  const clientsPerTopic = shared ? w.consumerPerSubscription : w.subscriptionsPerTopic;
  const clients = w.topics * clientsPerTopic;
  notes.push(
    shared
      ? `${w.topics} topic${w.topics === 1 ? '' : 's'} × a shared group of ${w.consumerPerSubscription}: ${clients} clients, each message to one member of its topic's group`
      : `${w.topics} topic${w.topics === 1 ? '' : 's'} × ${w.subscriptionsPerTopic} subscription${w.subscriptionsPerTopic === 1 ? '' : 's'} of one consumer: ${clients} clients, each in a group of its own (every message of its topic)`,
  );
  const maxPubs = optionSpec('total_pub_apps').max ?? 64;
  if (w.producersPerTopic > maxPubs)
    throw new ConfigError(at('producersPerTopic'), String(w.producersPerTopic), `hydra runs at most ${maxPubs} publisher apps`);
  set('total_pub_apps', w.producersPerTopic, 'producersPerTopic');
  if (w.topics > 1 && w.producersPerTopic >= 1)
    notes.push(
      `producersPerTopic ${w.producersPerTopic}: ${w.producersPerTopic} publisher app${w.producersPerTopic === 1 ? '' : 's'}, each writing every topic (OMB runs ${w.topics * w.producersPerTopic} producers, one topic each)`,
    );
  const keys = KEY_DISTRIBUTORS[w.keyDistributor] ?? 'none';
  set('keys', keys, 'keyDistributor');
  if (keys !== 'none') set('key_count', OMB_KEY_COUNT, 'keyDistributor');
  if (w.payloadFile !== null) {
    // OMB resolves it against where it runs; a workload file moved with its payload still finds it beside itself.
    const beside = path.resolve(path.dirname(file), w.payloadFile);
    set('payload_file', fs.existsSync(beside) ? beside : path.resolve(w.payloadFile), 'payloadFile');
    set('msg_size', w.messageSize, 'messageSize');
    notes.push("payloadFile: every message is the file's bytes with hydra's 16-byte header (sequence, publisher, send times) over the first 16");
  } else {
    set('msg_size', w.messageSize, 'messageSize');
    const pct = w.useRandomizedPayloads ? Math.round((w.randomBytesRatio ?? 1) * 100) : 100;
    set('payload_random_pct', pct, w.useRandomizedPayloads ? 'randomBytesRatio' : 'messageSize');
    if (!w.useRandomizedPayloads) notes.push('no payloadFile and no randomized payloads: hydra fills the values with random bytes (incompressible)');
    if (w.randomizedPayloadPoolSize !== null)
      notes.push(
        `randomizedPayloadPoolSize ${w.randomizedPayloadPoolSize}: hydra cuts each value's random bytes from one 4 MB pool at a moving offset instead`,
      );
  }
  const min = optionSpec('msg_size').min ?? 16;
  if (w.messageSize < min)
    throw new ConfigError(at('messageSize'), String(w.messageSize), `hydra's messages carry a ${min}-byte header (sequence and send times): at least ${min}`);
  set('test_duration', w.testDurationMinutes * 60, 'testDurationMinutes');
  set('warmup', w.warmupDurationMinutes * 60, 'warmupDurationMinutes');
  const grid: Partial<StudyGrid> = { client_counts: [clients] };
  let kind: OmbStudyPlan['kind'] = 'sweep';
  if (w.producerRate === 0) {
    kind = 'kafkarate';
    notes.push('producerRate 0 (as fast as possible): hydra searches the boundary instead (kafkarate: the rate doubles until the received rate stops growing)');
  } else {
    set('msg_rate', w.producerRate, 'producerRate');
    grid.msg_rates = [w.producerRate];
    // OMB's producers pace each message on its own; hydra's pacing loop wakes at most once a
    // millisecond, so a batch is what one millisecond of a publisher's share holds: as even.
    const batch = Math.max(1, Math.ceil(w.producerRate / w.producersPerTopic / 1000));
    options.msg_batch = batch;
    grid.msg_batches = [batch];
    notes.push(`batches of ${batch} (msg_batch): OMB paces each message; hydra's publishers send what each millisecond holds (--msg_batches overrides)`);
  }
  return { workload: w, file, kind, options, fieldOf, grid, notes };
}
