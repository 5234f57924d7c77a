import type { PointRecord } from '../study/record';
import type { RateFinding, StudySpec } from '../study/spec';
import { formatFindings } from './findings';
import { formatPointsTable } from './table';

/** `hydra study list`: one line per study. */
export function formatStudyLine(spec: StudySpec, points: readonly PointRecord[]): string {
  const failed = points.filter((p) => p.status === 'failed').length;
  const invalid = points.filter((p) => p.status === 'invalid').length;
  return `${spec.id}  ${spec.kind}  ${spec.status}  ${points.length} points (${failed} failed${invalid ? `, ${invalid} invalid` : ''})  created ${spec.created_at}`;
}

/** `hydra study show` (and the notebook): the study's parameters, its points table and any kafkarate findings. */
export function formatStudy(spec: StudySpec, points: readonly PointRecord[], findings: readonly RateFinding[], dir: string): string {
  const lines = [
    `study ${spec.id} (${spec.kind}, ${spec.status}) in ${dir}`,
    `  client counts ${spec.grid.client_counts.join(',')}; rates ${spec.grid.msg_rates.join(',')}; batches ${spec.grid.msg_batches.join(',')}`,
    `  ${spec.options.test_duration} s per point, ${spec.options.clients_per_app} clients per app, acks=${spec.options.acks}, brokers ${spec.brokers.join(',') || '-'}`,
    `  versions ${Object.entries(spec.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    formatPointsTable(points),
  ];
  if (findings.length) lines.push('', formatFindings(findings));
  return lines.join('\n') + '\n';
}
