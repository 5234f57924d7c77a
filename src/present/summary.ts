import { POINT_KEYS } from '../config/options';
import { isFaulted, isOk, paramOf, type PointRecord } from '../study/record';
import { faultLine } from './fault';
import { pointName } from './point-name';
import { aggregateRepeats } from '../study/repeats';
import { groupedNumber } from './point-name';

/** Per curve (client count, and workload when a study varies one), what a reader wants first. */
export interface CurveSummary {
  /** "4 clients" or "4 clients, msg_size 1000". */
  curve: string;
  clientCount: number;
  /**
   * Highest requested rate, msg/s, measured with no loss and no harness limit (a Kafka verdict on a
   * real cluster; a rehearsal on the embedded broker); null: none.
   */
  losslessUpTo: number | null;
  /** Lowest requested rate, msg/s, with loss and no harness limit: where Kafka started to lose; null: none. */
  lossFrom: number | null;
  /**
   * Lowest requested rate, msg/s, at which Kafka held the publisher back (slow acks, throttling, a
   * stalled broker): Kafka's boundary, not a rate it took. Such points do not count as lossless at
   * the rate asked. null: none.
   */
  kafkaHeldBackFrom: number | null;
  /** Points measured without a harness limit. */
  measured: number;
  /** Points where hydra, not Kafka, was the limit. */
  harnessLimited: number;
  /** The most those points lost, % (not Kafka's loss: hydra held them back); null: none. */
  harnessLimitedLossMax: number | null;
  /** Points that are not measurements at all (failed, or invalid: a harness fault). */
  unmeasured: number;
}

const AXES = new Set(['msg_rate', 'total_sub_apps', 'clients_per_app']);

/**
 * One row per curve, in client-count order: where loss starts and how many points hydra held back.
 * Steady state only: a point with planned faults measured the fault (faultSentences).
 */
export function summarizeCurves(records: readonly PointRecord[]): CurveSummary[] {
  const points = aggregateRepeats(records.filter((r) => !isFaulted(r)));
  const split = POINT_KEYS.filter((k) => !AXES.has(k) && new Set(points.map((r) => String(paramOf(r, k)))).size > 1);
  const groups = new Map<string, { clientCount: number; points: PointRecord[] }>();
  for (const r of points) {
    const clients = r.params.total_sub_apps * r.params.clients_per_app;
    const name = [`${clients} client${clients === 1 ? '' : 's'}`, ...split.map((k) => `${k === 'msg_batch' ? 'batch' : k} ${String(paramOf(r, k))}`)].join(
      ', ',
    );
    const g = groups.get(name) ?? { clientCount: clients, points: [] };
    g.points.push(r);
    groups.set(name, g);
  }
  return [...groups.entries()]
    .sort(([a, x], [b, y]) => x.clientCount - y.clientCount || a.localeCompare(b))
    .map(([curve, g]) => {
      const judged = g.points.filter(isOk).filter((r) => r.result.verdict !== 'harness_limited');
      const limited = g.points.filter(isOk).filter((r) => r.result.verdict === 'harness_limited');
      // Where Kafka held the publisher back it never took the rate asked: its boundary, not a lossless rate.
      const heldBack = judged.filter((r) => (r.result.kafka_limits ?? []).includes('produce'));
      const atRate = judged.filter((r) => !heldBack.includes(r));
      const rates = (pick: (loss: number) => boolean): number[] => atRate.filter((r) => pick(r.result.average_packet_loss)).map((r) => r.params.msg_rate);
      const lossless = rates((loss) => loss <= 0);
      const lossy = rates((loss) => loss > 0);
      return {
        curve,
        clientCount: g.clientCount,
        losslessUpTo: lossless.length ? Math.max(...lossless) : null,
        lossFrom: lossy.length ? Math.min(...lossy) : null,
        kafkaHeldBackFrom: heldBack.length ? Math.min(...heldBack.map((r) => r.params.msg_rate)) : null,
        measured: judged.length,
        harnessLimited: limited.length,
        harnessLimitedLossMax: limited.length ? Math.max(...limited.map((r) => r.result.average_packet_loss)) : null,
        unmeasured: g.points.filter((r) => !isOk(r)).length,
      };
    });
}

/** One sentence per curve: "4 clients: no loss up to 2000 msg/s; loss from 3000 msg/s; 1 point harness-limited". */
export function curveSentence(c: CurveSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  // Nothing measured is not "no lossless point": what those points lost (often nothing) is hydra's.
  if (c.measured === 0 && c.harnessLimited > 0) {
    const loss =
      c.harnessLimitedLossMax === 0 ? 'none lost a message' : `they lost up to ${(c.harnessLimitedLossMax ?? 0).toFixed(3)} %, which is not Kafka's loss`;
    const all = c.harnessLimited === 1 ? 'its one point' : `all ${c.harnessLimited} points`;
    const rest = c.unmeasured ? `; ${c.unmeasured} not measured (failed or invalid)` : '';
    return `${c.curve}: nothing measured — ${all} harness-limited (hydra, not Kafka, was the limit); ${loss}${rest}`;
  }
  const parts = [
    c.losslessUpTo === null
      ? 'no lossless point'
      : `no loss up to ${groupedNumber(c.losslessUpTo)} msg/s${c.lossFrom === null ? ' (no point lost messages)' : ''}`,
    c.lossFrom === null ? '' : `loss from ${groupedNumber(c.lossFrom)} msg/s`,
    c.kafkaHeldBackFrom === null ? '' : `Kafka held the publisher back from ${groupedNumber(c.kafkaHeldBackFrom)} msg/s (Kafka's boundary)`,
    c.harnessLimited ? `${plural(c.harnessLimited, 'point')} harness-limited (hydra, not Kafka, was the limit)` : '',
    c.unmeasured ? `${c.unmeasured} not measured (failed or invalid)` : '',
  ];
  return `${c.curve}: ${parts.filter(Boolean).join('; ')}`;
}

/** One sentence per point with planned faults: which point, its schedule and what it measured through it. */
export function faultSentences(records: readonly PointRecord[]): string[] {
  const faulted = records.filter((r) => r.fault !== undefined);
  const varied = POINT_KEYS.filter((k) => k !== 'fault' && !AXES.has(k) && k !== 'msg_batch' && new Set(records.map((r) => String(paramOf(r, k)))).size > 1);
  return faulted.map((r) => {
    const repeat = r.repeat ? ` (repeat ${r.repeat + 1})` : '';
    return `${pointName(r.params, varied)}${repeat}: ${faultLine(r.fault as NonNullable<PointRecord['fault']>, r.result?.lost_total)}`;
  });
}

/** What a study found, as sentences: one per steady-state curve, then one per faulted point. */
export function summarySentences(records: readonly PointRecord[]): string[] {
  return [...summarizeCurves(records).map(curveSentence), ...faultSentences(records)];
}
