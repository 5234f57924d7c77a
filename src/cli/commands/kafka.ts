import * as readline from 'node:readline';
import { flagOn } from '../../config/flags';
import { pointParamsOf } from '../../config/options';
import { OPTION_FLAGS } from '../../config/resolve';
import { formatResDict, formatSummary } from '../../present/point';
import { openTestSession } from '../../study/run';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { onShutdown } from '../shutdown';
import { phaseLogger } from '../progress';
import { optionsFromFlags, preflight } from './options';
import { EXIT_FAILURE } from '../exit-codes';

export const kafkaCommand: CliCommand = {
  name: 'kafka',
  summary: 'measure one test point (HYDRA `hydra kafka`)',
  usage: 'hydra kafka [--total_sub_apps=N] [--msg_rate=R] [--test_duration=S] [...]',
  description:
    'Launches one publisher app and total_sub_apps × clients_per_app subscriber clients, publishes at\n' +
    "msg_rate for test_duration, and prints HYDRA's RES dict. With no brokers configured it starts the\n" +
    'embedded broker (kcat mock cluster) and stops it at the end.',
  flags: [...OPTION_FLAGS, JSON_FLAG, QUIET_FLAG, HELP_FLAG],
  async run(args, io) {
    const options = optionsFromFlags(args);
    const json = flagOn(args, 'json');
    const quiet = flagOn(args, 'quiet');
    const onEvent = quiet ? () => undefined : phaseLogger(io);
    await preflight(options, io);
    const session = await (io.openSession ?? openTestSession)(options, onEvent);
    const release = onShutdown(() => session.close());
    try {
      if (!quiet) io.stderr.write(`hydra: app logs in ${session.logDir}\n`);
      const params = pointParamsOf(options);
      const run = await session.runPoint(params);
      // A point whose apps did not all survive is not a measurement of Kafka: it says so everywhere it is printed.
      const status = run.faults.length ? 'invalid' : 'ok';
      if (!quiet) io.stderr.write(formatSummary(params, run.result) + '\n');
      if (status === 'invalid') io.stderr.write(`hydra kafka: INVALID point, not a measurement of Kafka (harness fault): ${run.faults.join('; ')}\n`);
      io.stdout.write(json ? JSON.stringify({ params, status, faults: run.faults, ...run.result }, null, 2) + '\n' : formatResDict(run.result, status) + '\n');
      if (options.keep_running) await waitForEnter(io, session.broker.brokers);
      return status === 'ok' ? 0 : EXIT_FAILURE;
    } finally {
      await session.close();
      release();
    }
  },
};

async function waitForEnter(io: CliIO, brokers: readonly string[]): Promise<void> {
  io.stderr.write(`keep_running: apps and broker (${brokers.join(',')}) stay up; press Enter to stop them.\n`);
  const rl = readline.createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    rl.once('line', () => resolve());
    rl.once('close', () => resolve());
  });
  rl.close();
}
