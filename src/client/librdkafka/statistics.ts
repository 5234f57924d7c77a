import type { QuantileSummary, RequestRecorder } from '../requests';

/**
 * librdkafka's statistics (statistics.interval.ms) as request telemetry. librdkafka does not
 * report requests one by one; every interval it reports, per broker connection, the round trips
 * of that window by their quantiles, its internal queue's latency and its request timeouts so far.
 * Only the brokers it learned from metadata count: those carry a producer's Produce requests and a
 * consumer's Fetch requests (the group coordinator has a connection of its own). librdkafka 2.0
 * (Debian's, which the native client links) keeps a bootstrap broker that metadata named as
 * `configured` with its node id instead of learning it again: that one counts too. The native
 * client reads the same fields in C (clients/native/src/rkstats.c).
 */

interface BrokerStatistics {
  source?: string;
  nodeid?: number;
  rtt?: QuantileSummary;
  /** A producer's wait in librdkafka's queue before a request took its message, µs. */
  int_latency?: { max?: number };
  req_timeouts?: number;
}

interface ClientStatistics {
  brokers?: Record<string, BrokerStatistics>;
}

/** A broker connection that carries Produce and Fetch requests: one metadata named. */
export function carriesRequests(broker: BrokerStatistics): boolean {
  return broker.source === 'learned' || (broker.source === 'configured' && (broker.nodeid ?? -1) >= 0);
}

/** One client's statistics into `recorder`; remembers each broker's timeouts so far to count the new ones. */
export class StatisticsReader {
  private readonly timeoutsSeen = new Map<string, number>();

  constructor(private readonly recorder: RequestRecorder) {}

  read(json: string): void {
    let stats: ClientStatistics;
    try {
      stats = JSON.parse(json) as ClientStatistics;
    } catch {
      return;
    }
    for (const [name, broker] of Object.entries(stats.brokers ?? {})) {
      if (!carriesRequests(broker)) continue;
      if (broker.rtt) this.recorder.answeredWindow(broker.rtt, (broker.int_latency?.max ?? 0) / 1000);
      const timeouts = broker.req_timeouts ?? 0;
      const before = this.timeoutsSeen.get(name) ?? 0;
      if (timeouts > before) this.recorder.timedOut(timeouts - before);
      this.timeoutsSeen.set(name, timeouts);
    }
  }
}
