import { expandGrid } from '../study/grid';
import type { PointRecord } from '../study/record';
import type { RateFinding, StudySpec } from '../study/spec';
import { formatFindings } from './findings';
import { formatPointsTable } from './table';
import { summarySentences } from './summary';
import { remediesFor } from './verdict';

/** What `hydra study list` (and its --json) says of a study: counts by verdict, where it ran. */
export interface StudySummary {
  id: string;
  kind: StudySpec['kind'];
  /** 'incomplete': marked done, but points of its plan are not stored (a damaged line of points.jsonl, say): `hydra study resume` measures them. */
  status: StudySpec['status'] | 'incomplete';
  created_at: string;
  points: number;
  /** Points the plan has (a kafkarate search chooses its own: null). */
  planned: number | null;
  /** Lines of points.jsonl that held no readable point. */
  damaged_lines: number;
  /** Points with no harness limit: measurements of Kafka on a real cluster, rehearsals on the embedded broker. */
  measured: number;
  /** Measured points where hydra, not Kafka, was the limit. */
  harness_limited: number;
  invalid: number;
  failed: number;
  /** 'embedded': hydra's own broker, a rehearsal whose numbers say nothing about Kafka; else the bootstrap brokers. */
  broker: string;
}

/** Points a study's plan has: every combination of its grid, times its repeats; null for a kafkarate search. */
export function plannedPoints(spec: Pick<StudySpec, 'kind' | 'options' | 'grid'>): number | null {
  return spec.kind === 'kafkarate' ? null : expandGrid(spec.options, spec.grid).length * (spec.options.repeats ?? 1);
}

/**
 * The study's status as stored, but never 'done' while points of its plan are missing (or, for a
 * kafkarate search, a line of its points could not be read): a reader must not take a study of 3
 * points out of 4 for a whole one.
 */
export function studyStatus(spec: StudySpec, stored: number, damagedLines: number): StudySummary['status'] {
  const planned = plannedPoints(spec);
  // A grid's plan says what is missing; a search's does not, so any damaged line may have held one of its points.
  const missing = planned !== null ? stored < planned : damagedLines > 0;
  return spec.status === 'done' && missing ? 'incomplete' : spec.status;
}

export function summarizeStudy(spec: StudySpec, points: readonly PointRecord[], damagedLines = 0): StudySummary {
  const count = (pick: (p: PointRecord) => boolean): number => points.filter(pick).length;
  return {
    id: spec.id,
    kind: spec.kind,
    status: studyStatus(spec, points.length, damagedLines),
    created_at: spec.created_at,
    points: points.length,
    planned: plannedPoints(spec),
    damaged_lines: damagedLines,
    measured: count((p) => p.status === 'ok' && p.result.verdict !== 'harness_limited'),
    harness_limited: count((p) => p.status === 'ok' && p.result.verdict === 'harness_limited'),
    invalid: count((p) => p.status === 'invalid'),
    failed: count((p) => p.status === 'failed'),
    broker: isEmbeddedStudy(spec) ? 'embedded' : spec.options.brokers.join(','),
  };
}

/** The study ran on hydra's embedded broker (no brokers configured). */
export function isEmbeddedStudy(spec: Pick<StudySpec, 'options'>): boolean {
  return spec.options.brokers.length === 0;
}

const LIST_COLUMNS: readonly [header: string, value: (s: StudySummary) => string | number, left?: boolean][] = [
  ['study', (s) => s.id, true],
  ['kind', (s) => s.kind, true],
  ['status', (s) => s.status, true],
  ['points', (s) => (s.planned !== null && s.points < s.planned ? `${s.points}/${s.planned}` : s.points)],
  ['measured', (s) => s.measured],
  ['harness-limited', (s) => s.harness_limited],
  ['invalid', (s) => s.invalid],
  ['failed', (s) => s.failed],
  ['broker', (s) => s.broker, true],
  ['created', (s) => s.created_at, true],
];

/** `hydra study list`: a header and one aligned row per study (text left, counts right). */
export function formatStudyList(rows: readonly StudySummary[]): string {
  const cells = rows.map((r) => LIST_COLUMNS.map(([, value]) => String(value(r))));
  const widths = LIST_COLUMNS.map(([header], i) => Math.max(header.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (LIST_COLUMNS[i]?.[2] ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(LIST_COLUMNS.map(([header]) => header)), ...cells.map(line)].join('\n');
}

/** `hydra study show` (and the notebook): the study's parameters, its points table and any kafkarate findings. */
export function formatStudy(spec: StudySpec, points: readonly PointRecord[], findings: readonly RateFinding[], dir: string, damagedLines = 0): string {
  const lines = [
    `study ${spec.id} (${spec.kind}, ${studyStatus(spec, points.length, damagedLines)}) in ${dir}`,
    `  client counts ${spec.grid.client_counts.join(',')}; rates ${spec.grid.msg_rates.join(',')}; batches ${spec.grid.msg_batches.join(',')}`,
    `  ${spec.options.test_duration} s per point, ${spec.options.clients_per_app} clients per app, acks=${spec.options.acks}, ${
      isEmbeddedStudy(spec) ? "hydra's embedded broker (a rehearsal: its numbers say nothing about Kafka)" : `brokers ${spec.options.brokers.join(',')}`
    }`,
    `  versions ${Object.entries(spec.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    // A study of an OpenMessaging Benchmark workload: which, and what hydra did differently.
    ...(spec.omb ? [`  OMB workload "${spec.omb.workload}" (${spec.omb.file})`, ...spec.omb.notes.map((n) => `    ${n}`)] : []),
    '',
    formatPointsTable(points),
    '',
    ...summarySentences(points),
    ...remediesFor(points),
  ];
  if (findings.length) lines.push('', formatFindings(findings));
  return lines.join('\n') + '\n';
}
