import type { PointRecord } from '../study/record';
import type { RateFinding, StudySpec } from '../study/spec';
import { formatFindings } from './findings';
import { formatPointsTable } from './table';
import { summarySentences } from './summary';

/** What `hydra study list` (and its --json) says of a study: counts by verdict, where it ran. */
export interface StudySummary {
  id: string;
  kind: StudySpec['kind'];
  status: StudySpec['status'];
  created_at: string;
  points: number;
  /** Points with no harness limit: measurements of Kafka on a real cluster, rehearsals on the embedded broker. */
  measured: number;
  /** Measured points where hydra, not Kafka, was the limit. */
  harness_limited: number;
  invalid: number;
  failed: number;
  /** 'embedded': hydra's own broker, a rehearsal whose numbers say nothing about Kafka; else the bootstrap brokers. */
  broker: string;
}

export function summarizeStudy(spec: StudySpec, points: readonly PointRecord[]): StudySummary {
  const count = (pick: (p: PointRecord) => boolean): number => points.filter(pick).length;
  return {
    id: spec.id,
    kind: spec.kind,
    status: spec.status,
    created_at: spec.created_at,
    points: points.length,
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
  ['points', (s) => s.points],
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
export function formatStudy(spec: StudySpec, points: readonly PointRecord[], findings: readonly RateFinding[], dir: string): string {
  const lines = [
    `study ${spec.id} (${spec.kind}, ${spec.status}) in ${dir}`,
    `  client counts ${spec.grid.client_counts.join(',')}; rates ${spec.grid.msg_rates.join(',')}; batches ${spec.grid.msg_batches.join(',')}`,
    `  ${spec.options.test_duration} s per point, ${spec.options.clients_per_app} clients per app, acks=${spec.options.acks}, ${
      isEmbeddedStudy(spec) ? "hydra's embedded broker (a rehearsal: its numbers say nothing about Kafka)" : `brokers ${spec.options.brokers.join(',')}`
    }`,
    `  versions ${Object.entries(spec.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    formatPointsTable(points),
    '',
    ...summarySentences(points),
  ];
  if (findings.length) lines.push('', formatFindings(findings));
  return lines.join('\n') + '\n';
}
