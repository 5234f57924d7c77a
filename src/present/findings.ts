import type { SearchEnd } from '../study/spec';
import type { RateFinding } from '../study/spec';
import { cellText } from './columns';

/** How a search ended, in words. */
const ENDED: Record<SearchEnd, string> = {
  converged: 'converged within precision',
  no_loss_seen: 'no measured rate exceeded the loss bound',
  budget_doubling: 'step budget used up while doubling',
  budget_searching: 'step budget used up while searching',
  unmeasured_doubling: 'a point could not be measured while doubling',
  unmeasured_searching: 'a point could not be measured while searching',
};

/**
 * Why a kafkarate search for one client count ended, said as who set its limit: the harness
 * (Kafka's limit not reached; the rates are lower bounds), Kafka (its boundary, with what showed
 * it), or the search itself. A finding stored by an older hydra keeps the sentence it stored.
 */
export function findingNote(f: RateFinding): string {
  if (f.note_as_stored !== null) return f.note_as_stored;
  const ended = f.ended === null ? '' : ENDED[f.ended];
  if (f.limited_by)
    return `Kafka's limit not reached: ${f.harness_notes.join('; ')} (the publisher sent ${f.harness_sent_rate ?? '-'} msg/s there); the rates found are lower bounds of Kafka's`;
  if (f.kafka_limit) return `${f.kafka_limit}; ${ended}`;
  return ended;
}

/** A client count's finding on one line, in the words of who set it (progress, notebook). */
export function searchLine(f: RateFinding): string {
  if (f.limited_by)
    return `${f.client_count} clients: Kafka's limit not reached (harness-limited: ${f.limited_by}); lossless up to at least ${f.no_drop_rate ?? '-'} msg/s`;
  if (f.kafka_limited)
    return `${f.client_count} clients: Kafka's boundary: it accepted at most ${f.max_rate ?? '-'} msg/s, no-drop rate ${f.no_drop_rate ?? '-'} msg/s (${f.kafka_limit ?? findingNote(f)})`;
  return `${f.client_count} clients: max rate ${f.max_rate ?? '-'} msg/s, no-drop rate ${f.no_drop_rate ?? '-'} msg/s (${findingNote(f)})`;
}

/** One line per client count of a kafkarate study, with the rates and why its search ended. */
export function formatFindings(findings: readonly RateFinding[]): string {
  return findings
    .map((f) =>
      // A harness-limited search found no boundary of Kafka's: say so, and give the rate as a lower bound.
      f.limited_by
        ? `${f.client_count} clients: Kafka's limit not reached (harness-limited: ${f.limited_by}); lossless up to at least ${f.no_drop_rate ?? '-'} msg/s, ${f.steps} points — ${findingNote(f)}`
        : f.kafka_limited
          ? `${f.client_count} clients: Kafka's boundary: max rate ${f.max_rate ?? '-'} msg/s accepted by Kafka (rx ${cellText(f.max_rx_rate, 1)} msg/s), no-drop rate ${f.no_drop_rate ?? '-'} msg/s, ${f.steps} points — ${findingNote(f)}`
          : `${f.client_count} clients: max rate ${f.max_rate ?? '-'} msg/s (rx ${cellText(f.max_rx_rate, 1)} msg/s), no-drop rate ${f.no_drop_rate ?? '-'} msg/s, ${f.steps} points — ${findingNote(f)}`,
    )
    .join('\n');
}
