import type { Comparison, FieldDiff } from './compare';
import { cellText } from '../present/columns';

const DIGITS: Record<FieldDiff['field'], number> = { average_rate: 1, average_packet_loss: 3, failing_clients: 0, latency_p50_ms: 2, latency_p99_ms: 2 };

/** "yes", "no" (the 95 % intervals overlap) or "-" (no repeats: no interval to judge by). */
export function significanceText(s: boolean | null): string {
  return s === null ? '-' : s ? 'yes' : 'no';
}

/** What differs between the studies' points ("differ: linger_ms 0 | 5"), or that nothing in the points does. */
export function differLine(c: Comparison): string {
  return c.differences.length
    ? `differ: ${c.differences.map((d) => `${d.key} ${d.values.join(' | ')}`).join('; ')}`
    : 'differ: no point parameter (the change is outside the points: the cluster, the machine, hydra)';
}

/** Why nothing was compared, and what to do about it. */
export function nothingToCompare(c: Comparison): string {
  if (c.shared.length === 0) return 'nothing to compare: the studies share no point (same client count, rate, batch and varied workload)';
  return (
    'nothing to compare: no shared point has a clean measurement in every study (each was harness-limited, faulted, failed or invalid in one); ' +
    `measure them again where hydra is not the limit — hydra study show <id> gives each limit's remedy — or with --repeats=3, so that clean repeats can stand for the point`
  );
}

/** Where a study ran, in a word: hydra's embedded broker or its bootstrap brokers. */
export function studyBroker(s: Comparison['studies'][number]): string {
  return s.embedded ? "hydra's embedded broker (a rehearsal, not Kafka)" : `brokers ${s.brokers.join(',')}`;
}

/**
 * `hydra compare`'s text: the studies and what differs between them, then per shared point and
 * figure the value in each study and the difference against the first, with its significance
 * where repeats give intervals; the points left out, and why, below.
 */
export function formatComparison(c: Comparison): string {
  const [first, ...others] = c.studies;
  if (!first) return '';
  const lines = [
    `compare ${c.studies.map((s) => s.id).join(' vs ')}`,
    ...c.studies.map((s) => `  ${s.id}: ${s.kind}, ${s.points} points, ${studyBroker(s)}, created ${s.created_at}`),
    `  ${differLine(c)}`,
    '',
  ];
  const header = ['point', 'field', ...c.studies.map((s) => s.id), ...others.flatMap((s) => [`${s.id}−${first.id}`, 'significant'])];
  const rows: string[][] = [];
  for (const p of c.shared.filter((x) => x.excluded === null))
    for (const d of p.diffs) {
      const digits = DIGITS[d.field];
      const value = (i: number): string => cellText(d.values[i] ?? null, digits) + ((d.ci[i] ?? 0) > 0 ? `±${cellText(d.ci[i] ?? null, digits)}` : '');
      rows.push([
        p.name,
        d.field,
        ...c.studies.map((_, i) => value(i)),
        ...others.flatMap((_, j) => {
          const diff = d.diff[j + 1] ?? null;
          return [diff === null ? '-' : `${diff > 0 ? '+' : ''}${cellText(diff, digits)}`, significanceText(d.significant[j + 1] ?? null)];
        }),
      ]);
    }
  if (rows.length) {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (cells: string[]): string =>
      cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
    lines.push(line(header), ...rows.map(line));
    lines.push('  significant: the 95 % confidence intervals of the repeats do not overlap; - : no repeats, no interval (run with --repeats=3 or more)');
  } else lines.push(nothingToCompare(c));
  for (const p of c.shared.filter((x) => x.excluded === null && x.cleanRepeats.length > 0))
    lines.push(`  compared on clean repeats: ${p.name}: ${p.cleanRepeats.join('; ')}`);
  for (const p of c.shared.filter((x) => x.excluded !== null)) lines.push(`  not compared: ${p.name} (${p.excluded ?? ''}: not Kafka's figures)`);
  for (const u of c.unshared) lines.push(`  only in ${u.study}: ${u.name}`);
  return lines.join('\n') + '\n';
}
