import { ConfigError } from '../errors';
import type { BrokerMetricsRecord } from '../broker-metrics/figures';
import { BROKER_FIELD_IDS, BROKER_FIELDS, type BrokerFieldId } from '../broker-metrics/fields';
import { EXTRA_RESULT_KEYS, HYDRA_RESULT_KEYS, type PointResult } from '../stats/result';
import { didYouMean } from '../config/suggest';
import type { FaultRecord } from '../faults/figures';
import { FAULT_GATE_FIELDS, faultGateValue, type FaultGateField } from '../faults/fields';

/**
 * Thresholds: a pass/fail gate on a study's points (k6-style), `average_packet_loss<=0.1`,
 * `latency_p99_ms<200`. Only a point that measured Kafka is judged by them: a harness-limited
 * point neither passes nor fails (hydra, not Kafka, was the limit), and a failed or invalid point
 * has no figures to judge.
 */

/** Point fields a threshold may name: every numeric figure of a point. */
export const THRESHOLD_FIELDS = [
  ...HYDRA_RESULT_KEYS,
  ...EXTRA_RESULT_KEYS.filter((k) => k !== 'pub_limited'),
  'latency_intended_p50_ms',
  'latency_intended_p99_ms',
  'latency_intended_max_ms',
  'behind_total',
  'pub_cpu_max_pct',
  'sub_cpu_max_pct',
  'sub_elu_max',
  'fetch_rtt_max_ms',
] as const satisfies readonly (keyof PointResult)[];

/**
 * What a point through planned faults measured (faults/fields.ts's gate fields, `fault_recovery_ms<5000`)
 * judges only faulted points, and the other fields only steady-state points: a p99 limit meant for
 * the steady state says nothing about a broker stopped on purpose.
 */
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number] | FaultGateField | BrokerFieldId;
const ALL_FIELDS: readonly string[] = [...THRESHOLD_FIELDS, ...FAULT_GATE_FIELDS, ...BROKER_FIELD_IDS];

export type ThresholdOp = '<' | '<=' | '>' | '>=';

/** One limit on one field, as written (`latency_p99_ms<200`). */
export interface Threshold {
  field: ThresholdField;
  op: ThresholdOp;
  limit: number;
  /** As the user wrote it, normalised: `latency_p99_ms<200`. */
  text: string;
}

/** A point's figure against one threshold. */
export interface ThresholdCheck {
  threshold: string;
  field: ThresholdField;
  /** The point's value; null: the point has no such figure (no message received, say), which fails the check. */
  value: number | null;
  passed: boolean;
}

/** Reads `field<op>number` items separated by `;` (repeated --threshold flags arrive joined so), naming `source` on a bad one. */
export function parseThresholds(raw: string, source: string): Threshold[] {
  const out: Threshold[] = [];
  for (const item of raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9_]+)\s*(<=|>=|<|>)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/.exec(item);
    if (!m) throw new ConfigError(source, item, "expected field<limit, field<=limit, field>limit or field>=limit (e.g. 'latency_p99_ms<200')");
    const field = m[1] as string;
    if (!ALL_FIELDS.includes(field)) throw new ConfigError(source, item, `'${field}' is not a numeric point field${fieldHint(field)}`);
    const limit = Number(m[3]);
    out.push({ field: field as ThresholdField, op: m[2] as ThresholdOp, limit, text: `${field}${m[2] as string}${limit}` });
  }
  return out;
}

/**
 * The closest field when there is one; else the fields that share a word with the one typed (a
 * few, not all 50); else where the list is — one line a person reads, not a catalogue.
 */
function fieldHint(field: string): string {
  const closest = didYouMean(field, ALL_FIELDS);
  if (closest) return closest;
  const words = field.split('_').filter((w) => w.length >= 3);
  const related = ALL_FIELDS.filter((f) => words.some((w) => f.split('_').includes(w)));
  const where = "every numeric column of 'hydra study export <id> --format=csv' can be named";
  if (related.length === 0) return ` (${where})`;
  const shown = related.slice(0, MAX_RELATED_FIELDS);
  return ` (related: ${shown.join(', ')}${related.length > shown.length ? `, and ${related.length - shown.length} more` : ''}; ${where})`;
}

/** Related fields named at most when a threshold's field is unknown. */
const MAX_RELATED_FIELDS = 6;

function holds(value: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/**
 * Every threshold against one point's figures. The brokers' fields (broker-metrics/fields.ts)
 * judge every point; a point without broker figures has none, which fails such a check.
 */
export function checkThresholds(result: PointResult, thresholds: readonly Threshold[], fault?: FaultRecord, broker?: BrokerMetricsRecord): ThresholdCheck[] {
  const isFaultField = (t: Threshold): boolean => (FAULT_GATE_FIELDS as readonly string[]).includes(t.field);
  const isBrokerField = (t: Threshold): boolean => (BROKER_FIELD_IDS as readonly string[]).includes(t.field);
  return thresholds
    .filter((t) => isBrokerField(t) || isFaultField(t) === (fault !== undefined))
    .map((t) => {
      const raw = isBrokerField(t)
        ? broker
          ? BROKER_FIELDS[t.field as BrokerFieldId].value(broker)
          : null
        : fault
          ? faultGateValue(t.field as FaultGateField, fault, result)
          : (result as unknown as Record<string, unknown>)[t.field];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      return { threshold: t.text, field: t.field, value, passed: value !== null && holds(value, t.op, t.limit) };
    });
}
