import { BROKER_FIELD_IDS, BROKER_FIELDS } from '../broker-metrics/fields';
import { FAULT_FIELDS, type FaultField, type FaultFieldId } from '../faults/fields';
import { POINT_KEYS, type PointKey } from '../config/options';
import { EXTRA_RESULT_KEYS, HYDRA_RESULT_KEYS, type PointResult } from '../stats/result';
import { paramOf, type PointRecord } from '../study/record';

/**
 * The columns of a point, defined once: the points table, the CSV export and the HTML report all
 * read these, so a figure is spelled and rounded the same way wherever a point is shown.
 */
export interface PointColumn {
  /** Machine name (CSV header, JSON key). */
  id: string;
  /** Short header of the text table. */
  header: string;
  /** Raw value (CSV, report): number, string, boolean or null. */
  value(record: PointRecord): unknown;
  /** Digits after the point in tables; strings and integers are shown as they are. */
  digits?: number;
}

const clientCount = (r: PointRecord): number => r.params.total_sub_apps * r.params.clients_per_app;
const res = (key: keyof PointResult, header: string = key, digits?: number): PointColumn => ({
  id: key,
  header,
  digits,
  value: (r) => (r.result ? r.result[key] : null),
});

/** The text table's columns: the parameters that vary in a study, then HYDRA's figures and latency. */
export const TABLE_COLUMNS: readonly PointColumn[] = [
  { id: 'client_count', header: 'clients', value: clientCount },
  { id: 'msg_batch', header: 'batch', value: (r) => r.params.msg_batch },
  { id: 'msg_rate', header: 'rate', value: (r) => r.params.msg_rate },
  { id: 'status', header: 'status', value: (r) => r.status },
  res('packet_tx'),
  res('average_tx_rate', 'avg_tx_rate', 1),
  res('average_rate', 'avg_rate', 1),
  res('average_packets', 'avg_packets', 1),
  res('average_packet_loss', 'loss_%', 3),
  res('failing_clients', 'failing'),
  res('failing_clients_rate', 'fail_rate', 1),
  res('pub_cpu', 'pub_cpu_%', 1),
  res('latency_p50_ms', 'p50_ms', 2),
  res('latency_p99_ms', 'p99_ms', 2),
  { id: 'verdict', header: 'verdict', value: verdictText },
];

/**
 * 'kafka'; 'kafka:' and where Kafka held the point back ('kafka:produce'); 'harness:' and the
 * limits hit ('harness:subscribers+host'); 'rehearsal' for a point on hydra's embedded broker
 * with no harness limit (not a measurement of Kafka); '-' for a point without figures; a point
 * with planned faults is `faulted/` and one of these.
 */
export function verdictText(r: PointRecord): string | null {
  if (!r.result) return null;
  // Through a planned fault: its figures are the fault's, never the steady state's.
  if (r.fault) return `faulted/${verdictLabel(r.result)}`;
  return verdictLabel(r.result);
}

/** The verdict column's text for a point's figures (steady state): 'kafka:produce', 'harness:host', 'rehearsal'. */
export function verdictLabel(result: PointResult): string {
  // Points stored before verdicts existed were never judged: say so rather than claim a Kafka result.
  if (result.verdict === 'unjudged') return 'unjudged';
  if (result.verdict === 'harness_limited') return `harness:${result.harness_limits.join('+')}`;
  // hydra's embedded broker is hydra's own: a point there measured no Kafka, whatever its figures.
  if (result.embedded_broker) return 'rehearsal';
  return result.kafka_limits?.length ? `kafka:${result.kafka_limits.join('+')}` : 'kafka';
}

/** The brokers' own figures over a point's window (empty without endpoints). */
export const BROKER_COLUMNS: readonly PointColumn[] = BROKER_FIELD_IDS.map((id) => ({
  id,
  header: BROKER_FIELDS[id].header,
  value: (r: PointRecord) => (r.broker ? BROKER_FIELDS[id].value(r.broker) : null),
}));

/** What a faulted point measured through its faults (empty for the others). */
export const FAULT_COLUMNS: readonly PointColumn[] = (Object.entries(FAULT_FIELDS) as [FaultFieldId, FaultField][]).flatMap(([id, field]) =>
  field.header === undefined ? [] : [{ id, header: field.header, value: (r: PointRecord) => (r.fault && r.result ? field.value(r.fault, r.result) : null) }],
);

/** Every column of a point, for CSV and the report: parameters, status, HYDRA's figures, hydra's extra figures, error. */
export const EXPORT_COLUMNS: readonly PointColumn[] = [
  ...POINT_KEYS.map((k): PointColumn => ({ id: k, header: k, value: (r) => r.params[k] })),
  { id: 'status', header: 'status', value: (r) => r.status },
  { id: 'attempts', header: 'attempts', value: (r) => r.attempts },
  ...HYDRA_RESULT_KEYS.map((k) => res(k, k, 3)),
  ...EXTRA_RESULT_KEYS.map((k) => res(k, k, 3)),
  { id: 'verdict', header: 'verdict', value: verdictText },
  { id: 'harness_notes', header: 'harness_notes', value: (r) => r.result?.harness_notes.join('; ') ?? null },
  { id: 'kafka_notes', header: 'kafka_notes', value: (r) => r.result?.kafka_notes.join('; ') ?? null },
  ...FAULT_COLUMNS,
  ...BROKER_COLUMNS,
  { id: 'error', header: 'error', value: (r) => r.error },
];

/** A value as a table cell: '-' for none, numbers rounded to the column's digits. */
export function cellText(value: unknown, digits?: number): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return digits === undefined || Number.isInteger(value) ? String(value) : value.toFixed(digits);
  return String(value);
}

/** A point parameter's value, with the default of a key added after the point was stored. */

/** The table's own axes: client count, batch size and rate have columns of their own. */
const AXIS_KEYS: readonly PointKey[] = ['total_sub_apps', 'clients_per_app', 'msg_batch', 'msg_rate'];

/**
 * Columns for the other parameters that differ between `records` (a study's --vary workloads:
 * client_library, compression, msg_size, ...), so each row says which workload it is.
 */
export function workloadColumns(records: readonly PointRecord[]): PointColumn[] {
  return POINT_KEYS.filter((k) => !AXIS_KEYS.includes(k) && new Set(records.map((r) => String(paramOf(r, k)))).size > 1).map((k) => ({
    id: k,
    header: k,
    value: (r: PointRecord) => paramOf(r, k),
  }));
}

/** Points in display order: client count, then batch size, then workload, then rate. */
export function sortPoints(records: readonly PointRecord[]): PointRecord[] {
  const workload = workloadColumns(records);
  const label = (r: PointRecord): string => workload.map((c) => String(c.value(r))).join('\u0000');
  return [...records].sort(
    (a, b) =>
      clientCount(a) - clientCount(b) || a.params.msg_batch - b.params.msg_batch || label(a).localeCompare(label(b)) || a.params.msg_rate - b.params.msg_rate,
  );
}
