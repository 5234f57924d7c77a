import { pointParamsOf, type PointParams } from '../config/options';
import { findRateBoundary } from './boundary';
import type { EventSink } from './events';
import { subAppsFor } from './grid';
import { isOk, type PointRecord } from './record';
import { aggregateRepeats } from './repeats';
import { DEFAULT_RATE_SEARCH, type RateFinding, type StudySpec } from './spec';
import type { StudyStore } from './store';

/** kafkarate: one boundary search per client count; probes already stored are reused, not remeasured. */
export async function runRateSearch(
  spec: StudySpec,
  store: StudyStore,
  measure: (params: PointParams, index: number, total: number, tags?: PointRecord['tags'], repeat?: number) => Promise<PointRecord>,
  emit: EventSink,
): Promise<RateFinding[]> {
  const search = spec.search ?? DEFAULT_RATE_SEARCH;
  const repeats = spec.options.repeats ?? 1;
  const budget = spec.grid.client_counts.length * search.max_steps * repeats;
  emit({ type: 'study-start', studyId: store.id, dir: store.dir, totalPoints: budget, donePoints: 0 });
  const findings: RateFinding[] = [];
  let step = 0;
  for (const clientCount of spec.grid.client_counts) {
    const base: PointParams = {
      ...pointParamsOf(spec.options),
      total_sub_apps: subAppsFor(clientCount, spec.options.clients_per_app),
      msg_batch: spec.grid.msg_batches[0] ?? spec.options.msg_batch,
    };
    let harnessLimit: { limits: string[]; notes: string[]; achieved: number } | null = null;
    const result = await findRateBoundary(async (rate) => {
      // With repeats, the search decides on the mean of the rate's repetitions.
      const runs: PointRecord[] = [];
      for (let repeat = 0; repeat < repeats; repeat++)
        runs.push(await measure({ ...base, msg_rate: rate }, step++, budget, { search: 'kafkarate', client_count: clientCount }, repeat));
      const record = aggregateRepeats(runs)[0] as PointRecord;
      // Only a measurement of Kafka steers the search: an invalid or failed point ends it with what
      // is known, and so does a harness-limited one — there hydra, not Kafka, set the limit. A rate
      // Kafka held the publisher back at is a measurement of Kafka: beyond its boundary.
      if (!isOk(record)) return null;
      if (record.result.verdict === 'harness_limited') {
        harnessLimit ??= { limits: record.result.harness_limits, notes: record.result.harness_notes, achieved: record.result.average_tx_rate };
        return null;
      }
      const held = record.result.kafka_limits.includes('produce') ? record.result.kafka_notes.join('; ') : null;
      return { rate, rx_rate: record.result.average_rate, loss_pct: record.result.average_packet_loss, tx_rate: record.result.average_tx_rate, held };
    }, search);
    const stop = harnessLimit as { limits: string[]; notes: string[]; achieved: number } | null;
    const finding: RateFinding = {
      client_count: clientCount,
      max_rate: result.max_rate,
      max_rx_rate: result.max_rx_rate,
      no_drop_rate: result.no_drop_rate,
      steps: result.probes.length,
      ended: result.ended,
      limited_by: stop ? stop.limits.join('+') : null,
      harness_notes: stop?.notes ?? [],
      harness_sent_rate: stop ? Math.round(stop.achieved) : null,
      kafka_limited: result.kafka_limit !== null,
      kafka_limit: result.kafka_limit,
      note_as_stored: null,
    };
    findings.push(finding);
    store.writeFindings(findings);
    emit({ type: 'search-done', finding });
  }
  return findings;
}
