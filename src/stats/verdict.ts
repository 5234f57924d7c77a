import type { AppTelemetry } from '../control/wire';

/** Where a harness limit is judged to begin. Configurable in hydra.ini [verdict]. */
export interface VerdictThresholds {
  /** The publisher reached less than this fraction of the requested rate. */
  pub_achieved_min: number;
  /** An app used at least this much CPU, % of one core (a Node app is one event loop). */
  app_cpu_max_pct: number;
  /** An app's event loop was busy at least this fraction of the window. */
  app_elu_max: number;
  /** The host's CPU was busy at least this much, % of all its cores. */
  host_cpu_max_pct: number;
}

export const DEFAULT_THRESHOLDS: Readonly<VerdictThresholds> = Object.freeze({
  pub_achieved_min: 0.95,
  app_cpu_max_pct: 90,
  app_elu_max: 0.9,
  host_cpu_max_pct: 95,
});

export type HarnessLimit = 'publisher' | 'subscribers' | 'host' | 'embedded_broker';

/** Why a point is harness-limited, and what to do about it (hyperfine-warning style). */
export interface LimitReason {
  limit: HarnessLimit;
  /** What was seen, with the figure. */
  detail: string;
  /** What to change. */
  remedy: string;
}

export interface VerdictInput {
  requestedRate: number;
  achievedRate: number;
  /** The (busiest) publisher's telemetry. */
  pub: AppTelemetry | null;
  /** Every publisher's, when there are several: their hosts are judged too. */
  otherPubs?: readonly AppTelemetry[];
  /** One per sub app that reported. */
  subs: readonly { app: string; telemetry: AppTelemetry }[];
  /**
   * On the embedded broker (hydra's own), messages its bounded in-memory log deleted before a
   * client read them; absent on a real cluster, where that is the topic's retention at work.
   */
  embeddedExpired?: number;
}

/**
 * What the embedded broker keeps: librdkafka's mock cluster holds each partition's log in memory
 * and drops its oldest messages past a few megabytes, so a subscriber that far behind loses data
 * there that a real cluster's retention would keep.
 */
const EMBEDDED_LOG_REMEDY = 'lower msg_rate × msg_size (or add clients per sub app so they keep up), or use a real cluster ([broker] brokers)';

/**
 * Was hydra, not Kafka, the limit of this point? The publisher when it did not reach the rate;
 * the subscribers when a sub app's process or event loop was saturated; the host when its CPU was
 * (the harness and, on one machine, the broker compete for it). Pure: raw telemetry in, reasons out.
 */
export function judgeHarness(input: VerdictInput, t: VerdictThresholds = DEFAULT_THRESHOLDS): LimitReason[] {
  const reasons: LimitReason[] = [];
  const ratio = input.requestedRate > 0 ? input.achievedRate / input.requestedRate : 0;
  if (ratio < t.pub_achieved_min) {
    reasons.push({
      limit: 'publisher',
      detail: `the publisher reached ${Math.round(input.achievedRate)} of ${input.requestedRate} msg/s (${(ratio * 100).toFixed(1)} %)${input.pub ? `, at ${input.pub.cpu_pct.toFixed(0)} % CPU` : ''}`,
      remedy: 'use a lower rate, a larger msg_batch or linger_ms, or a faster publisher machine',
    });
  }
  const saturated = input.subs.filter((s) => s.telemetry.cpu_pct >= t.app_cpu_max_pct || s.telemetry.elu >= t.app_elu_max);
  if (saturated.length > 0) {
    const worst = saturated.reduce((a, b) => (b.telemetry.cpu_pct > a.telemetry.cpu_pct ? b : a));
    reasons.push({
      limit: 'subscribers',
      detail: `${saturated.length} of ${input.subs.length} sub apps saturated (${worst.app}: ${worst.telemetry.cpu_pct.toFixed(0)} % CPU, event loop ${(worst.telemetry.elu * 100).toFixed(0)} % busy)`,
      remedy: 'use fewer clients per sub app or per machine, or add machines',
    });
  }
  const hosts = new Map<string, number>();
  for (const tel of [input.pub, ...(input.otherPubs ?? []), ...input.subs.map((s) => s.telemetry)]) {
    if (tel?.host_cpu_busy_pct === null || tel?.host_cpu_busy_pct === undefined) continue;
    hosts.set(tel.host, Math.max(hosts.get(tel.host) ?? 0, tel.host_cpu_busy_pct));
  }
  const busy = [...hosts.entries()].filter(([, pct]) => pct >= t.host_cpu_max_pct);
  if (busy.length > 0) {
    reasons.push({
      limit: 'host',
      detail: `host CPU ${busy.map(([host, pct]) => `${host} ${pct.toFixed(0)} %`).join(', ')} busy`,
      remedy:
        'run fewer processes on this machine (more clients per sub app cost less CPU per delivery than more sub apps; the embedded broker shares the machine too), or spread apps over more machines',
    });
  }
  if ((input.embeddedExpired ?? 0) > 0) {
    reasons.push({
      limit: 'embedded_broker',
      detail: `its in-memory log dropped ${input.embeddedExpired} messages before clients read them (librdkafka's mock cluster keeps only a few MB per partition)`,
      remedy: EMBEDDED_LOG_REMEDY,
    });
  }
  return reasons;
}

const WHO: Record<HarnessLimit, string> = {
  publisher: 'the publisher',
  subscribers: 'the subscribers',
  host: 'the host',
  embedded_broker: "hydra's embedded broker",
};

/** "the subscribers, not Kafka, were the limit: ... — use ..." */
export function formatLimit(r: LimitReason): string {
  const who = WHO[r.limit];
  return `${who}, not Kafka, ${r.limit === 'subscribers' ? 'were' : 'was'} the limit: ${r.detail} — ${r.remedy}`;
}
