import { isFaulted, type PointRecord } from '../study/record';
import type { RateFinding } from '../study/spec';
import { brokerFigures } from './broker-figures';
import { faultFiguresOf } from './fault-figures';
import {
  failingClientsFigure,
  latencyFigure,
  lossFigure,
  msgSizeOf,
  rateBoundaryFigure,
  rxTxFigure,
  throughputFigure,
  type Figure,
  type FigureContext,
} from './figures';

/**
 * Every figure that applies to a study, keyed by a file-name-friendly id, each carrying the study's
 * context. A study whose every point ran through planned faults has no steady-state curve: it
 * opens with its fault figures, not four empty plots.
 */
export function studyFigures(records: readonly PointRecord[], findings: readonly RateFinding[] = [], context: FigureContext = {}): Record<string, Figure> {
  const onlyFaulted = records.length > 0 && records.every(isFaulted);
  const figures: Record<string, Figure> = onlyFaulted
    ? {}
    : {
        'rx-tx': rxTxFigure(records, context),
        'loss-tx': lossFigure(records, context),
        'fail-tx': failingClientsFigure(records, context),
        'latency-tx': latencyFigure(records, context),
      };
  if (new Set(records.map(msgSizeOf)).size > 1) figures['throughput-mbs'] = throughputFigure(records, context);
  if (findings.length > 0) figures['rate-boundary'] = rateBoundaryFigure(findings, records, context);
  return { ...figures, ...(onlyFaulted ? {} : brokerFigures(records, context)), ...faultFiguresOf(records, context) };
}
