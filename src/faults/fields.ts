import type { PointResult } from '../stats/result';
import type { FaultRecord } from './figures';

/**
 * What a point through planned faults measured, as named fields — one table for the columns
 * (CSV, the report's table) and the threshold gate (`--threshold='fault_recovery_ms<5000'`).
 */
export interface FaultField {
  /** The column header; absent: a gate field only. */
  header?: string;
  /** The gate may judge it (faulted points only: a steady-state limit says nothing about a broker stopped on purpose). */
  gate: boolean;
  /** Its value for a faulted point; null when the point has no such figure. */
  value(fault: FaultRecord, result: PointResult): number | null;
  /** The gate reads an absent figure as 0 (no rebalance: no rebalance time), not as a failed check. */
  absentIsZero?: boolean;
}

export const FAULT_FIELDS = {
  fault_longest_gap_ms: { header: 'gap_ms', gate: true, value: (f) => f.longest_gap_ms },
  fault_recovery_ms: { header: 'recovery_ms', gate: true, value: (f) => f.recovery_ms },
  fault_not_recovered: { header: 'not_recovered', gate: true, value: (f) => f.not_recovered },
  fault_rebalances: { header: 'rebalances', gate: true, value: (f) => f.rebalances },
  fault_rebalance_max_ms: { header: 'rebalance_ms', gate: true, value: (f) => f.rebalance_max_ms, absentIsZero: true },
  fault_duplicated_across_members: { header: 'dup_across', gate: false, value: (f) => f.duplicated_across_members },
  fault_duplicated_total: { gate: true, value: (_f, r) => r.duplicated_total },
  fault_lost_total: { gate: true, value: (_f, r) => r.lost_total },
  fault_send_errors: { header: 'send_errors', gate: true, value: (f) => f.send_errors },
  fault_p99_before_ms: { header: 'p99_before', gate: false, value: (f) => f.latency.before.p99_ms },
  fault_p99_during_ms: { header: 'p99_during', gate: true, value: (f) => f.latency.during.p99_ms },
  fault_p99_after_ms: { header: 'p99_after', gate: true, value: (f) => f.latency.after.p99_ms },
} as const satisfies Record<`fault_${string}`, FaultField>;

export type FaultFieldId = keyof typeof FAULT_FIELDS;

/** The fields the gate may judge. */
export type FaultGateField = { [K in FaultFieldId]: (typeof FAULT_FIELDS)[K]['gate'] extends true ? K : never }[FaultFieldId];
export const FAULT_GATE_FIELDS = (Object.keys(FAULT_FIELDS) as FaultFieldId[]).filter((id): id is FaultGateField => FAULT_FIELDS[id].gate);

/** A gate field's value for the gate: absent is 0 where the field says so. */
export function faultGateValue(id: FaultGateField, fault: FaultRecord, result: PointResult): number | null {
  const field: FaultField = FAULT_FIELDS[id];
  const value = field.value(fault, result);
  return value === null && field.absentIsZero ? 0 : value;
}
