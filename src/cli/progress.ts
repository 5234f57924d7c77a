import type { EventSink } from '../runner/events';
import type { CliIO } from './command';

/** Plain progress lines for a single point: one line per runner phase. */
export function phaseLogger(io: CliIO): EventSink {
  return (event) => {
    if (event.type === 'broker') io.stderr.write(`hydra: ${event.embedded ? 'embedded broker' : 'broker'} at ${event.brokers.join(',')}\n`);
    else if (event.type === 'phase') io.stderr.write(`hydra: ${event.phase}${event.detail ? `: ${event.detail}` : ''}\n`);
  };
}
