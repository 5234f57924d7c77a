import { BROKER_FIELDS } from '../broker-metrics/fields';
import type { PointRecord } from '../study/record';
import { curveFigure, type Figure, type FigureContext } from './figures';

/**
 * The brokers' own figures against the rate, a curve per client count (only for studies whose
 * points carry them): how busy the busiest broker's request handlers and network threads were,
 * and how long a produce request spent inside a broker and in its request queue at p99.
 */
export function brokerFigures(records: readonly PointRecord[], context: FigureContext = {}): Record<string, Figure> {
  if (!records.some((r) => r.broker?.brokers.some((b) => b.scrapes > 0))) return {};
  const busy = (pick: (r: NonNullable<PointRecord['broker']>) => number | null) => (_: unknown, record: PointRecord) => {
    const idle = record.broker ? pick(record.broker) : null;
    return idle === null ? null : 100 - idle;
  };
  const field = (pick: (r: NonNullable<PointRecord['broker']>) => number | null) => (_: unknown, record: PointRecord) =>
    record.broker ? pick(record.broker) : null;
  return {
    'broker-handlers-busy': curveFigure(
      records,
      context,
      'Broker Request Handlers Busy',
      "Busiest broker's request handlers busy [%]",
      busy(BROKER_FIELDS.broker_handler_idle_min_pct.value),
    ),
    'broker-network-busy': curveFigure(
      records,
      context,
      'Broker Network Threads Busy',
      "Busiest broker's network threads busy [%]",
      busy(BROKER_FIELDS.broker_network_idle_min_pct.value),
    ),
    'broker-produce-p99': curveFigure(
      records,
      context,
      'Produce Time Inside the Broker (p99)',
      'Produce request total time, p99 [ms]',
      field(BROKER_FIELDS.broker_produce_total_p99_ms.value),
    ),
    'broker-produce-queue-p99': curveFigure(
      records,
      context,
      "Produce Requests in the Broker's Request Queue (p99)",
      'Produce request queue time, p99 [ms]',
      field(BROKER_FIELDS.broker_produce_queue_p99_ms.value),
    ),
  };
}
