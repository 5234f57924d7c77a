import type { HydraOptions, PointParams } from '../config/options';
import type { PubConfig, SubConfig } from '../control/wire';

/** The publisher's updateconfig for a point: the runner and the benchmark build it here, nowhere else. */
export function pubConfigFor(params: PointParams, topic: string): PubConfig {
  return {
    topic,
    msg_rate: params.msg_rate,
    msg_batch: params.msg_batch,
    test_duration: params.test_duration,
    acks: params.acks,
    linger_ms: params.linger_ms,
  };
}

/** A sub app's updateconfig for a point; each client's group is `<topic>-<app>-c<i>`. */
export function subConfigFor(
  params: Pick<PointParams, 'clients_per_app' | 'consumer_max_buffer_size'>,
  options: Pick<HydraOptions, 'consumer_max_wait_ms'>,
  topic: string,
): SubConfig {
  return {
    topic,
    clients_per_app: params.clients_per_app,
    group_prefix: topic,
    consumer_max_buffer_size: params.consumer_max_buffer_size,
    consumer_max_wait_ms: options.consumer_max_wait_ms,
  };
}
