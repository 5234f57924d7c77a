import { knobsOf, type HydraOptions, type PointParams } from '../config/options';
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
 * nowhere else — the option table's publisher and producer knobs, its share of the rate, and what
 * sets it apart (id, partitions, the point's marks). It sends its share round-robin over
 * `partitions`, numbering its messages in a sequence space of its own per partition.
 */
export function pubConfigFor(
  params: PointParams,
  topics: readonly string[],
  marks: PointMarks,
  pubId = 0,
  partitions: readonly number[] = [0],
  payload: Buffer | null = null,
): PubConfig {
  return {
    ...(payload ? { payload: payload.toString('base64') } : {}),
    ...knobsOf('pub', params),
    msg_rate: pubRateShare(params),
    topics: [...topics],
    ...marks,
    pub_id: pubId,
    partitions: [...partitions],
    producer: knobsOf('producer', params),
  };
}

/**
 * A sub app's updateconfig for a point: the option table's sub app and consumer knobs, and the
 * point's topics and groups — each client's group is `<topic>-<app>-c<i>-<n>`, or with
 * consumer_group=shared the one `sharedGroup` the runner names (per topic with several). The app
 * whose first client is `firstClient` (point-wide) spreads its clients over the topics from
 * there. A topic of the point's own is read from its start, the session's shared topic from its end.
 */
export function subConfigFor(
  params: PointParams,
  options: Pick<HydraOptions, 'fresh_topic_per_point'>,
  topics: readonly string[],
  marks: PointMarks,
  sharedGroup: string | null = null,
  firstClient = 0,
): SubConfig {
  const topic = topics[0] as string;
  return {
    ...knobsOf('sub', params),
    ...knobsOf('consumer', params),
    topics: [...topics],
    first_client: firstClient,
    start_at: options.fresh_topic_per_point ? 'earliest' : 'latest',
    pub_count: params.total_pub_apps,
    group_prefix: topic,
    shared_group: sharedGroup,
    ...marks,
  };
}
