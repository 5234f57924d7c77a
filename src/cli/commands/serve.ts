import { flagOn } from '../../config/flags';
import { coerceValue } from '../../config/flags';
import { startServer } from '../../serve/server';
import { HELP_FLAG, type CliCommand } from '../command';
import { onShutdown } from '../shutdown';
import { CONFIG_FLAG, RESULTS_FLAG, resultsDirOf } from './results';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'a local web page of the studies: list, study pages with live figures, progress and ETA',
  usage: 'hydra serve [--port=8080] [--host=127.0.0.1] [--allow_remote]',
  description:
    'Lists the studies under results_dir with their status and verdict counts; a study page shows its\n' +
    "parameters, summary, points table and interactive figures, and a running study's page updates as\n" +
    'points land, with progress and ETA. Binds 127.0.0.1; another address needs --allow_remote (no login, no TLS).\n' +
    'Runs until Ctrl-C.',
  flags: [
    { name: 'port', kind: 'int', unit: 'port', min: 0, max: 65535, help: 'TCP port, 0 for any free one (default: 8080)' },
    { name: 'host', kind: 'string', unit: 'address', help: 'address to bind (default: 127.0.0.1)' },
    { name: 'allow_remote', kind: 'bool', unit: '', help: 'bind an address beyond this machine (the pages have no login)' },
    RESULTS_FLAG,
    CONFIG_FLAG,
    HELP_FLAG,
  ],
  async run(args, io) {
    const rawPort = args.flags.get('port');
    const port = rawPort === undefined ? 8080 : (coerceValue('int', rawPort, '--port', { min: 0, max: 65535 }) as number);
    const rawHost = args.flags.get('host');
    const resultsDir = resultsDirOf(args, io);
    const server = await startServer({
      resultsDir,
      port,
      ...(typeof rawHost === 'string' ? { host: rawHost } : {}),
      allowRemote: flagOn(args, 'allow_remote'),
    });
    io.stderr.write(`hydra: serving ${resultsDir} at ${server.url} (Ctrl-C stops it)\n`);
    // Until interrupted: the shutdown handler closes the server and sets the exit code.
    onShutdown(() => server.close(), 'the server');
    return new Promise<number>(() => undefined);
  },
};
