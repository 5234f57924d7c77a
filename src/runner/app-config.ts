import type { HydraOptions, PointParams } from '../config/options';
import type { PubConfig, SubConfig } from '../control/wire';

/** What marks a point's messages: the base of their send times (epoch ms) and the point's epoch. */
export interface PointMarks {
  t0_ms: number;
  epoch: number;
}

/** Marks for a point about to be configured: t0 a little before publishing starts, so send times are positive. */
export function pointMarks(pointIndex: number, nowMs = Date.now()): PointMarks {
  return { t0_ms: Math.floor(nowMs) - 1000, epoch: pointIndex & 0xffff };
}

/**
 * The partitions publisher `pubId` writes: all of the point's `partitions` (0..n-1) round-robin, or
 * with one partition per publisher (HYDRA's layout) partition pubId mod the topic's partitions.
 */
export function publisherPartitions(params: Pick<PointParams, 'partitions'>, pubId: number, topicPartitions: number): number[] {
  const count = params.partitions;
  return count > 1 ? Array.from({ length: count }, (_, i) => i) : [pubId % Math.max(1, topicPartitions)];
}

/** Publisher `pubId`'s share of the point's rate: the rate split evenly over `total_pub_apps` (OMB's producersPerTopic). */
export function pubRateShare(params: Pick<PointParams, 'msg_rate' | 'total_pub_apps'>): number {
  return params.msg_rate / params.total_pub_apps;
}

/**
 * Publisher `pubId`'s updateconfig for a point: the runner and the benchmark build it here,
 * nowhere else. It sends its share of the rate round-robin over `partitions`, numbering its
 * messages in a sequence space of its own per partition.
 */
export function pubConfigFor(params: PointParams, topic: string, marks: PointMarks, pubId = 0, partitions: readonly number[] = [0]): PubConfig {
  return {
    topic,
    msg_rate: pubRateShare(params),
    msg_batch: params.msg_batch,
    test_duration: params.test_duration,
    warmup: params.warmup,
    acks: params.acks,
    linger_ms: params.linger_ms,
    ...marks,
    pub_id: pubId,
    partitions: [...partitions],
    msg_size: params.msg_size,
    payload_random_pct: params.payload_random_pct,
    compression: params.compression,
    keys: params.keys,
    key_count: params.key_count,
    batch_bytes: params.batch_bytes,
    producer: {
      client_library: params.client_library,
      idempotent: params.idempotent,
      max_in_flight: params.max_in_flight,
      retries: params.retries,
      request_timeout_ms: params.request_timeout_ms,
    },
  };
}

/**
 * A sub app's updateconfig for a point; each client's group is `<topic>-<app>-c<i>-<n>`, or with
 * consumer_group=shared the one `sharedGroup` the runner names. A topic of the point's own is read
 * from its start, the session's shared topic from its end.
 */
export function subConfigFor(
  params: Pick<
    PointParams,
    | 'clients_per_app'
    | 'consumer_max_buffer_size'
    | 'total_pub_apps'
    | 'consumer_max_wait_ms'
    | 'consumer_min_bytes'
    | 'consumer_session_timeout_ms'
    | 'client_library'
  >,
  options: Pick<HydraOptions, 'fresh_topic_per_point'>,
  topic: string,
  marks: PointMarks,
  sharedGroup: string | null = null,
): SubConfig {
  return {
    client_library: params.client_library,
    topic,
    start_at: options.fresh_topic_per_point ? 'earliest' : 'latest',
    pub_count: params.total_pub_apps,
    clients_per_app: params.clients_per_app,
    group_prefix: topic,
    consumer_max_buffer_size: params.consumer_max_buffer_size,
    consumer_max_wait_ms: params.consumer_max_wait_ms,
    consumer_min_bytes: params.consumer_min_bytes,
    consumer_session_timeout_ms: params.consumer_session_timeout_ms,
    shared_group: sharedGroup,
    ...marks,
  };
}
