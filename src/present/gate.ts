import { pointName } from './point-name';
import { workloadColumns } from './columns';
import { isOk, type PointRecord } from '../study/record';
import { aggregateRepeats } from '../study/repeats';
import { checkThresholds, type Threshold, type ThresholdCheck } from '../gate/thresholds';

/**
 * 'pass' / 'fail': the point measured Kafka and met every threshold, or crossed one;
 * 'harness_limited': hydra was the limit, so the thresholds say nothing about Kafka there;
 * 'unmeasured': failed or invalid, no figures of Kafka's to judge.
 */
export type GateOutcome = 'pass' | 'fail' | 'harness_limited' | 'unmeasured';

export interface GatedPoint {
  record: PointRecord;
  /** How people read the point: "2 clients, 1000 msg/s, batch 100". */
  name: string;
  outcome: GateOutcome;
  checks: ThresholdCheck[];
}

export interface GateResult {
  study: string;
  thresholds: string[];
  points: GatedPoint[];
  /** Whether a harness-limited point fails the gate (--fail_on_harness_limited). */
  failOnHarnessLimited: boolean;
  /** The gate failed: a threshold was crossed, or (when asked) a point was harness-limited. */
  failed: boolean;
}

/** Judges each point of a study (repeats as their mean, as they are shown) by the thresholds. */
export function gateStudy(study: string, records: readonly PointRecord[], thresholds: readonly Threshold[], failOnHarnessLimited = false): GateResult {
  const shown = aggregateRepeats(records);
  const varied = workloadColumns(shown).map((c) => c.id);
  const points = shown.map((record): GatedPoint => {
    const name = pointName(record.params, varied);
    if (!isOk(record)) return { record, name, outcome: 'unmeasured', checks: [] };
    if (record.result.verdict === 'harness_limited') return { record, name, outcome: 'harness_limited', checks: [] };
    // A point through planned faults is judged by the fault_* thresholds, any other by the rest.
    const checks = checkThresholds(record.result, thresholds, record.fault, record.broker);
    return { record, name, outcome: checks.every((c) => c.passed) ? 'pass' : 'fail', checks };
  });
  const failed = points.some((p) => p.outcome === 'fail' || (failOnHarnessLimited && p.outcome === 'harness_limited'));
  return { study, thresholds: thresholds.map((t) => t.text), points, failOnHarnessLimited, failed };
}

const shownValue = (v: number | null): string => (v === null ? 'no value' : String(Number(v.toFixed(3))));

/**
 * What a gate says to a person: one line per crossing (study, point, field, value, limit), one
 * line for the harness-limited points, which neither pass nor fail unless asked to, and a total.
 */
export function gateLines(gate: GateResult): string[] {
  if (gate.thresholds.length === 0) return [];
  const lines: string[] = [];
  for (const p of gate.points)
    for (const c of p.checks.filter((x) => !x.passed))
      lines.push(`threshold crossed: study ${gate.study}, ${p.name}: ${c.field} = ${shownValue(c.value)}, limit ${c.threshold}`);
  const limited = gate.points.filter((p) => p.outcome === 'harness_limited');
  if (limited.length)
    lines.push(
      `${limited.length} harness-limited point${limited.length === 1 ? '' : 's'} of study ${gate.study} not judged by the thresholds (hydra, not Kafka, was the limit there)` +
        (gate.failOnHarnessLimited ? '; --fail_on_harness_limited makes them fail the gate' : '; --fail_on_harness_limited would make them fail the gate'),
    );
  const count = (o: GateOutcome): number => gate.points.filter((p) => p.outcome === o).length;
  lines.push(
    `thresholds ${gate.thresholds.join(', ')}: ${count('pass')} passed, ${count('fail')} crossed, ${count('harness_limited')} harness-limited, ${count('unmeasured')} not measured — gate ${gate.failed ? 'FAILED' : 'passed'}`,
  );
  return lines;
}
