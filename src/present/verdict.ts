import type { PointResult } from '../stats/result';
import { remedyFor, type HarnessLimit } from '../stats/verdict';

/**
 * Who held a point back, in the words a person reads once: a short verdict on each point's line,
 * each remedy the first time its limit is hit, a kafkarate finding said as Kafka's or the
 * harness's. Shared by the CLI's progress and the notebook.
 */

/** " — HARNESS-LIMITED, not a Kafka result: ...", " — rehearsal on hydra's embedded broker, ..." or " — Kafka held the publisher back: ..."; '' for a plain Kafka point. */
export function pointVerdict(r: PointResult): string {
  if (r.verdict === 'harness_limited') return ` — HARNESS-LIMITED, not a Kafka result: ${r.harness_notes.join('; ')}`;
  if (r.embedded_broker) return " — rehearsal on hydra's embedded broker, not Kafka";
  if (r.kafka_notes?.length) return ` — ${r.kafka_notes.join('; ')}`;
  return '';
}

/** Hands out each harness limit's remedy once: the first time a point hits that limit. */
export class RemedyOnce {
  private readonly told = new Set<string>();

  newFor(r: Pick<PointResult, 'verdict' | 'harness_limits' | 'embedded_broker'>): string[] {
    if (r.verdict !== 'harness_limited') return [];
    const fresh = r.harness_limits.filter((limit) => !this.told.has(limit));
    for (const limit of fresh) this.told.add(limit);
    return fresh.map(
      (limit) => `hydra: where ${limitName(limit)} ${limit === 'subscribers' ? 'are' : 'is'} the limit: ${remedyFor(limit, r.embedded_broker ?? false)}`,
    );
  }
}

/** Each remedy once for a set of points (a report, a study page): "where the host is the limit: ..." per limit hit. */
export function remediesFor(points: readonly { result?: Pick<PointResult, 'verdict' | 'harness_limits' | 'embedded_broker'> | null }[]): string[] {
  const once = new RemedyOnce();
  return points.flatMap((p) => (p.result ? once.newFor(p.result) : [])).map((text) => text.replace(/^hydra: w/, 'W'));
}

function limitName(limit: HarnessLimit): string {
  return limit === 'embedded_broker' ? "hydra's embedded broker" : limit === 'stall' ? 'a stalled app' : `the ${limit}`;
}
