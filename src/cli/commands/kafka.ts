import * as readline from 'node:readline';
import { flagOn } from '../../config/flags';
import { OPTION_FLAGS } from '../../config/resolve';
import { verdictText } from '../../present/columns';
import { formatResDict, formatSummary } from '../../present/point';
import { checkStudyInput, createStudy } from '../../study/create';
import { openTestSession, runStudy } from '../../study/run';
import { StudyError } from '../../errors';
import { STUDY_ID_FLAG, studyIdFlag } from './study-id';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { onShutdown } from '../shutdown';
import { phaseLogger } from '../progress';
import { ALLOW_COMMANDS_FLAG, announceCommands, optionsFromFlags, preflight, warnAbout } from './options';
import { EXIT_FAILURE, EXIT_THRESHOLD } from '../exit-codes';
import { applyGate, JUNIT_FLAG, junitFileOf } from './gate';

export const kafkaCommand: CliCommand = {
  name: 'kafka',
  summary: 'measure one test point (HYDRA `hydra kafka`)',
  usage: 'hydra kafka [--total_sub_apps=N] [--msg_rate=R] [--test_duration=S] [...]',
  description:
    'Launches one publisher app and total_sub_apps × clients_per_app subscriber clients, publishes at\n' +
    "msg_rate for test_duration, and prints HYDRA's RES dict. With no brokers configured it starts the\n" +
    'embedded broker (kcat mock cluster) and stops it at the end.',
  flags: [...OPTION_FLAGS, STUDY_ID_FLAG, JUNIT_FLAG, ALLOW_COMMANDS_FLAG, JSON_FLAG, QUIET_FLAG, HELP_FLAG],
  async run(args, io) {
    const resolved = optionsFromFlags(args);
    const { options } = resolved;
    const json = flagOn(args, 'json');
    const quiet = flagOn(args, 'quiet');
    const onEvent = quiet ? () => undefined : phaseLogger(io);
    const id = studyIdFlag(args);
    // Everything the stored point will be checked for, checked now: a refusal makes no directory and starts no broker.
    const checked = checkStudyInput({ kind: 'kafka', options, id }, { option: resolved.sourceOf });
    announceCommands(args, io, resolved);
    await preflight(options, io);
    warnAbout({ options, rates: [options.msg_rate] }, io);
    const session = await (io.openSession ?? openTestSession)(options, onEvent);
    const release = onShutdown(() => session.close());
    try {
      if (!quiet) io.stderr.write(`hydra: app logs in ${session.logDir}\n`);
      // The point is stored as a one-point study, so it can be shown, exported, plotted and compared later.
      // HYDRA's `kafka` measures once: a point that fails is reported, not retried.
      const store = createStudy(checked);
      // Its commands were checked above (typed, or allowed): it runs them.
      const outcome = await runStudy(store, { session, onEvent, maxAttempts: 1, allowCommands: true });
      const record = outcome.points[0];
      if (!record) throw new StudyError(`study ${store.id} stored no point`);
      if (record.status === 'failed') {
        io.stderr.write(`hydra kafka: error: ${record.error}\n`);
        return EXIT_FAILURE;
      }
      // A point whose apps did not all survive is not a measurement of Kafka: it says so everywhere it is printed.
      const { status, params, result } = record;
      const faults = status === 'invalid' ? record.error.split('; ') : [];
      if (!quiet) io.stderr.write(formatSummary(params, result, record.broker) + '\n');
      if (status === 'invalid') io.stderr.write(`hydra kafka: INVALID point, not a measurement of Kafka (harness fault): ${record.error}\n`);
      // --json says what the lines say: the verdict's label beside its word, and a planned fault's figures.
      const asJson = {
        study: store.id,
        params,
        status,
        faults,
        ...result,
        verdict_label: verdictText(record),
        ...(record.fault ? { fault: record.fault } : {}),
        ...(record.broker ? { broker: record.broker } : {}),
      };
      io.stdout.write(json ? JSON.stringify(asJson, null, 2) + '\n' : formatResDict(result, status) + '\n');
      if (!quiet) io.stderr.write(`hydra: stored as study ${store.id} (hydra study show ${store.id}; hydra plot ${store.id})\n`);
      const gateFailed = applyGate(io, store.id, [record], options, junitFileOf(args));
      if (options.keep_running) await waitForEnter(io, session.broker.brokers);
      return status !== 'ok' ? EXIT_FAILURE : gateFailed ? EXIT_THRESHOLD : 0;
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
