import { FaultSchedule } from '../config/fault-schedule';
import { DEFAULT_OPTIONS, LATER_POINT_KEYS, type HydraOptions } from '../config/options';
import type { PointResult } from '../stats/result';
import type { PointRecord } from './record';
import type { RateFinding, StudySpec } from './spec';

/**
 * Stored studies brought to the current shape once, when they are read, in this one place: a
 * study written by any earlier hydra reads as if written now, so no reader needs fallbacks and the
 * types describe what is there. What an older hydra did not measure is said as unknown (null), or
 * as not judged ('unjudged'), never as a measured zero. Tested on studies stored by every version
 * so far (test/recorded/studies/).
 */

/** A stored study.json, with every option the current hydra has (options added later at their defaults). */
export function upgradeSpec(raw: StudySpec): StudySpec {
  const stored = (raw.options ?? {}) as Partial<HydraOptions>;
  // An option an older hydra did not have was not in force then: its default is what it ran with
  // (every option added so far defaults to the earlier behaviour).
  const options = { ...DEFAULT_OPTIONS, ...definedOnly(stored) } as HydraOptions;
  // A schedule is stored as its text and read again here, the edge it enters by; a study that would
  // run one a later hydra refuses cannot be read (it would run something else).
  options.fault = scheduleOf(stored.fault, 'study.json options.fault');
  const workloads = raw.grid?.workloads?.map((w, i) => ('fault' in w ? { ...w, fault: scheduleOf(w.fault, `study.json grid.workloads[${i}].fault`) } : w));
  const grid = workloads ? { ...raw.grid, workloads } : raw.grid;
  return { ...raw, options, grid, search: raw.search ?? null, history: raw.history ?? [], brokers: raw.brokers ?? [] };
}

/** A stored schedule (its text; absent: none) as the value hydra carries. */
function scheduleOf(stored: unknown, source: string): FaultSchedule {
  if (stored instanceof FaultSchedule) return stored;
  return stored === undefined || stored === null ? FaultSchedule.NONE : FaultSchedule.parse(String(stored), source);
}

/** A stored line of points.jsonl in the current shape. */
export function upgradeRecord(raw: PointRecord): PointRecord {
  // Point parameters added later: a stored point ran with their earlier behaviour, which is what
  // its key leaves out (LATER_POINT_KEYS), so the key stays the same.
  const params = { ...LATER_POINT_KEYS, ...definedOnly(raw.params) } as PointRecord['params'];
  // Its schedule is read for what the point was; one a later hydra would refuse keeps its text.
  params.fault = params.fault instanceof FaultSchedule ? params.fault : FaultSchedule.stored(String(params.fault ?? ''));
  const base = { ...raw, params };
  if (raw.status === 'failed' || !raw.result) return base as PointRecord;
  return { ...base, result: upgradeResult(raw.result) } as PointRecord;
}

/** The figures of a stored point, with what its hydra did not measure said as unknown. */
export function upgradeResult(raw: PointResult): PointResult {
  const r = raw as Partial<PointResult>;
  return {
    ...RESULT_UNKNOWN,
    ...definedOnly(r),
    // Before several publishers there was one; its CPU was the busiest publisher's.
    pub_apps: r.pub_apps ?? 1,
    pub_cpu_max_pct: r.pub_cpu_max_pct ?? r.pub_cpu ?? 0,
    // A point stored before verdicts existed was never judged: say so rather than claim a Kafka result;
    // one judged on the embedded broker before 'rehearsal' was a verdict of its own is one.
    verdict: r.verdict === 'kafka' && r.embedded_broker === true ? 'rehearsal' : (r.verdict ?? 'unjudged'),
  } as PointResult;
}

/** A stored kafkarate finding in the current shape: an older one keeps the sentence it stored. */
export function upgradeFinding(raw: RateFinding & { note?: string }): RateFinding {
  const { note, ...rest } = raw;
  return {
    ...rest,
    ended: raw.ended ?? null,
    limited_by: raw.limited_by ?? null,
    harness_notes: raw.harness_notes ?? [],
    harness_sent_rate: raw.harness_sent_rate ?? null,
    kafka_limited: raw.kafka_limited ?? false,
    kafka_limit: raw.kafka_limit ?? null,
    note_as_stored: raw.note_as_stored ?? note ?? null,
  };
}

/** What a point stored by an older hydra lacks, or another tool did not measure: not measured (null) or nothing said ([]). */
export const RESULT_UNKNOWN: Partial<PointResult> = {
  behind_total: null,
  expired_total: null,
  reordered_by_client: null,
  figure_notes: [],
  latency_intended_p50_ms: null,
  latency_intended_p99_ms: null,
  latency_intended_max_ms: null,
  unresponsive_apps: [],
  harness_limits: [],
  harness_notes: [],
  kafka_limits: [],
  kafka_notes: [],
  stalled_apps: [],
  embedded_broker: null,
  produce_rtt_p50_ms: null,
  produce_rtt_p99_ms: null,
  produce_rtt_max_ms: null,
  produce_throttle_ms: null,
  pub_broker_wait_pct: null,
  pub_pending_max: null,
  fetch_rtt_p99_ms: null,
  fetch_rtt_max_ms: null,
  fetch_throttle_ms: null,
  loop_stall_max_ms: null,
  app_run_wait_max_pct: null,
  host_steal_max_pct: null,
  sub_cpu_max_pct: null,
  sub_cpu_total_pct: null,
  sub_elu_max: null,
  sub_loop_delay_p99_max_ms: null,
  pub_elu: null,
  host_cpu_busy_max_pct: null,
  host_runqueue_max: null,
};

/** The fields of `o` that hold a value (an absent or undefined one is filled by the upgrade). */
function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
