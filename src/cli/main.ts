import { formatFlagTable, parseArgs } from '../config/flags';
import { ConfigError, errorMessage } from '../errors';
import { didYouMean } from '../config/suggest';
import type { CliCommand, CliIO } from './command';
import { isShuttingDown } from './shutdown';
import { brokerCommand } from './commands/broker';
import { cleanCommand } from './commands/clean';
import { kafkaCommand } from './commands/kafka';
import { plotCommand, reportCommand } from './commands/plot';
import { compareCommand } from './commands/compare';
import { serveCommand } from './commands/serve';
import { kafkaBatchCommand, kafkafixedCommand, kafkarateCommand, sweepCommand } from './commands/grid';
import { studyCommand } from './commands/study';
import { ombCommand } from './commands/omb';

export const COMMANDS: readonly CliCommand[] = [
  kafkaCommand,
  sweepCommand,
  kafkarateCommand,
  kafkaBatchCommand,
  kafkafixedCommand,
  ombCommand,
  studyCommand,
  plotCommand,
  reportCommand,
  compareCommand,
  serveCommand,
  brokerCommand,
  cleanCommand,
];

import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'hydra — scaling studies of Apache Kafka',
    '',
    'usage: hydra <command> [flags]   (hydra <command> --help for its flags)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

export function commandHelp(cmd: CliCommand): string {
  return [`usage: ${cmd.usage}`, '', cmd.summary, ...(cmd.description ? ['', cmd.description] : []), '', 'flags:', formatFlagTable(cmd.flags)].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for, the usage is the output; missing a command, it is the error's explanation.
  if (name === undefined) {
    io.stderr.write(`hydra: no command given\n${usage()}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const guess = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.stderr.write(`hydra: unknown command '${name}'${guess}\n${usage()}\n`);
    return EXIT_USAGE;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    const args = parseArgs(rest, cmd.flags);
    const max = cmd.maxPositionals ?? 0;
    if (args.positionals.length > max) throw new ConfigError(args.positionals.slice(max).join(' '), undefined, `unexpected argument (usage: ${cmd.usage})`);
    return await cmd.run(args, io);
  } catch (err) {
    // Interrupted: the failure is the teardown's doing; the signal handler sets the exit code.
    if (isShuttingDown()) return new Promise<number>(() => undefined);
    if (err instanceof ConfigError) {
      io.stderr.write(`hydra ${cmd.name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    // One line, never a stack trace: library errors carry a message a person can act on.
    io.stderr.write(`hydra ${cmd.name}: error: ${errorMessage(err).split('\n')[0] ?? ''}\n`);
    return EXIT_FAILURE;
  }
}

/**
 * A reader that went away (`hydra study list | head -1`, `| true`) ends the output, not the
 * command: without a listener Node would throw EPIPE as an uncaught error with a stack trace.
 * The command finishes (a study still saves its points and stops its apps) and exits as it would.
 */
export function quietOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

export function main(argv: readonly string[]): void {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, interactive: Boolean(process.stderr.isTTY) };
  runCli(argv, io).then(
    (code) => {
      if (isShuttingDown()) return;
      process.exitCode = code;
      // Kafka clients and ZeroMQ may hold handles open; the command is done, so leave.
      setImmediate(() => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`hydra: ${errorMessage(err)}\n`);
      process.exit(EXIT_FAILURE);
    },
  );
}
