import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ConfigError, errorMessage, UnknownStudyError } from '../errors';
import { plotlyPath } from '../plot/html';
import { StudyStore } from '../study/store';
import { listPage, studyPage } from './pages';
import { EXPORT_FILE, listStudies, studyPageState } from './state';

export interface ServeOptions {
  resultsDir: string;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (0: any free one). */
  port?: number;
  /** Bind beyond loopback anyway: the pages have no login, so anyone who reaches the port sees every study. */
  allowRemote?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Loopback only, unless asked: the pages show every study under the results dir with no login and no TLS. */
export function checkServeHost(host: string, allowRemote: boolean, source = '--host'): void {
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (!loopback && net.isIP(host) === 0) throw new ConfigError(source, host, 'expected an IP address of this host or localhost');
  if (!loopback && !allowRemote)
    throw new ConfigError(
      source,
      host,
      'serves beyond this machine: the pages have no login and no TLS, so anyone who can reach the port sees every study — add --allow_remote to do it anyway, or keep 127.0.0.1 and use an SSH tunnel',
    );
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * `hydra serve`: a page listing the studies under the results dir (status, verdict counts,
 * progress) and a page per study (parameters, summary, points table, interactive figures, links to
 * the exports) that redraws itself as a running study's points land. Node's own http; the browser
 * side is plain script plus the minified plotly.js the exports already use.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  checkServeHost(host, opts.allowRemote ?? false);
  const resultsDir = opts.resultsDir;
  const open = (id: string): StudyStore => StudyStore.open(resultsDir, id);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://hydra.invalid');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
      if (parts.length === 0) return send(res, 200, 'text/html; charset=utf-8', listPage(resultsDir));
      if (parts[0] === 'plotly.js' && parts.length === 1) return send(res, 200, 'text/javascript', fs.readFileSync(plotlyPath()));
      if (parts[0] === 'api' && parts[1] === 'studies' && parts.length === 2)
        return send(res, 200, 'application/json', JSON.stringify(listStudies(resultsDir)));
      if (parts[0] === 'api' && parts[1] === 'study' && parts.length === 3)
        return send(res, 200, 'application/json', JSON.stringify(studyPageState(open(parts[2] as string))));
      if (parts[0] === 'study' && parts.length === 2) return send(res, 200, 'text/html; charset=utf-8', studyPage(open(parts[1] as string).readSpec()));
      if (parts[0] === 'files' && parts.length === 3 && EXPORT_FILE.test(parts[2] as string)) {
        const file = path.join(open(parts[1] as string).dir, parts[2] as string);
        if (!fs.existsSync(file)) return send(res, 404, 'text/plain', 'no such file\n');
        const type = {
          html: 'text/html; charset=utf-8',
          png: 'image/png',
          svg: 'image/svg+xml',
          csv: 'text/csv',
          jsonl: 'application/x-ndjson',
          json: 'application/json',
        }[path.extname(file).slice(1)] as string;
        return send(res, 200, type, fs.readFileSync(file));
      }
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (err) {
      return send(res, err instanceof UnknownStudyError ? 404 : 500, 'text/plain', `${errorMessage(err)}\n`);
    }
  });
  const port = opts.port ?? 8080;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError('--port', String(port), 'already in use on this machine: choose another (--port=0 picks a free one)')
          : err.code === 'EADDRNOTAVAIL'
            ? new ConfigError('--host', host, 'not an address of this machine')
            : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
