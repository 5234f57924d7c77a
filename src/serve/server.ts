import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ConfigError, errorMessage, UnknownStudyError } from '../errors';
import { plotlyPath } from '../plot/html';
import { StudyStore } from '../study/store';
import type { StudyListReply, StudyPageReply } from './api';
import { listPage, pageScriptPath, studyPage } from './pages';
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

const LOOPBACK_NAMES = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

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

/** What a request may be answered with: a status, a type and a body (a file is streamed). */
type Reply =
  | { status: number; type: string; body: string | Buffer; headers?: Record<string, string> }
  | { status: 200; type: string; file: string; headers?: Record<string, string> };

/** A request refused for what it is (a malformed path, another host's name): the status says which. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The pages' own policy: scripts (no inline ones) and data from this server only, so even text
 * that slipped past escaping could neither run, load nor send anything elsewhere.
 */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/**
 * A study's HTML and SVG files are whatever is in its directory (a copied study brings its own):
 * they open sandboxed, in an origin of their own, so a script in one cannot read the server's
 * other pages or studies. A report still draws its figures (its scripts run, inline).
 */
const FILE_POLICY: Record<string, string> = {
  html: "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:",
  svg: "sandbox; default-src 'none'; style-src 'unsafe-inline'",
};

const FILE_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
  json: 'application/json',
};

/** The path's segments, decoded; a malformed URL or escape (`/%`) is the client's error, never the server's end. */
function pathSegments(rawUrl: string): string[] {
  let pathname: string;
  try {
    pathname = new URL(rawUrl, 'http://hydra.invalid').pathname;
  } catch {
    throw new Refused(400, 'malformed URL');
  }
  return pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new Refused(400, 'malformed URL escape');
      }
    });
}

/**
 * A page of a loopback server answers only to loopback names: a web page elsewhere that points
 * its own host name at 127.0.0.1 (DNS rebinding) cannot read the studies through the browser.
 */
function checkHostHeader(header: string | undefined, loopbackOnly: boolean): void {
  if (!loopbackOnly) return;
  const name = (header ?? '').replace(/:\d+$/, '');
  if (!LOOPBACK_NAMES.test(name)) throw new Refused(421, `this server answers to localhost and 127.0.0.1 only, not ${JSON.stringify(header ?? '')}`);
}

/** `dir` is `root` or inside it, once both are resolved through any symbolic link. */
function isInside(root: string, dir: string): boolean {
  const r = fs.realpathSync(root);
  const d = fs.realpathSync(dir);
  return d === r || d.startsWith(r + path.sep);
}

/**
 * `hydra serve`: a page listing the studies under the results dir (status, verdict counts,
 * progress) and a page per study (parameters, summary, points table, interactive figures, links to
 * the exports) that redraws itself as a running study's points land. Node's own http; the browser
 * side is plain script plus the minified plotly.js the exports already use. It serves what is
 * under its results directory and nothing else: a study is named by its id (never a path), every
 * file is resolved and checked to be inside its study's directory, and every request — however
 * malformed — is answered inside the error handling.
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  checkServeHost(host, opts.allowRemote ?? false);
  const resultsDir = opts.resultsDir;
  const loopbackOnly = host === 'localhost' || host === '::1' || /^127\./.test(host);
  const open = (id: string): StudyStore => {
    const store = StudyStore.openById(resultsDir, id);
    if (!isInside(resultsDir, store.dir)) throw new UnknownStudyError(id, resultsDir);
    return store;
  };

  const route = (req: http.IncomingMessage): Reply => {
    checkHostHeader(req.headers.host, loopbackOnly);
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, type: 'text/plain', body: 'GET only\n', headers: { allow: 'GET, HEAD' } };
    const parts = pathSegments(req.url ?? '/');
    const html = (body: string): Reply => ({ status: 200, type: 'text/html; charset=utf-8', body, headers: { 'content-security-policy': PAGE_POLICY } });
    const json = (value: unknown): Reply => ({ status: 200, type: 'application/json', body: JSON.stringify(value) });
    const [first, second, third] = parts;
    if (parts.length === 0) return html(listPage(resultsDir));
    if (first === 'plotly.js' && parts.length === 1) return { status: 200, type: 'text/javascript', file: plotlyPath() };
    if (first === 'pages.js' && parts.length === 1) return { status: 200, type: 'text/javascript', file: pageScriptPath() };
    // The replies are held to the shapes the page script reads (api.ts).
    if (first === 'api' && second === 'studies' && parts.length === 2) return json(listStudies(resultsDir) satisfies StudyListReply);
    if (first === 'api' && second === 'study' && third !== undefined && parts.length === 3) return json(studyPageState(open(third)) satisfies StudyPageReply);
    if (first === 'study' && second !== undefined && parts.length === 2) return html(studyPage(open(second).readSpec()));
    if (first === 'files' && second !== undefined && third !== undefined && parts.length === 3) {
      if (!EXPORT_FILE.test(third)) return { status: 404, type: 'text/plain', body: 'not a file this server hands out\n' };
      const store = open(second);
      const file = path.join(store.dir, third);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        return { status: 404, type: 'text/plain', body: 'no such file\n' };
      }
      // A regular file inside the study's own directory: a link to elsewhere is not served.
      if (!stat.isFile() || !isInside(store.dir, path.dirname(fs.realpathSync(file)))) return { status: 404, type: 'text/plain', body: 'no such file\n' };
      const ext = path.extname(file).slice(1);
      const policy = FILE_POLICY[ext];
      return { status: 200, type: FILE_TYPES[ext] as string, file, headers: policy ? { 'content-security-policy': policy } : {} };
    }
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  };

  const server = http.createServer((req, res) => {
    const send = (reply: Reply): void => {
      res.writeHead(reply.status, {
        'content-type': reply.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...reply.headers,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if ('file' in reply) {
        const stream = fs.createReadStream(reply.file);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
      } else res.end(reply.body);
    };
    try {
      send(route(req));
    } catch (err) {
      const status = err instanceof Refused ? err.status : err instanceof UnknownStudyError ? 404 : 500;
      try {
        send({ status, type: 'text/plain; charset=utf-8', body: `${errorMessage(err)}\n` });
      } catch {
        // Headers were already sent: the connection is all that is left to end.
        res.destroy();
      }
    }
  });
  // A client that sends a malformed request line never reaches the handler: answer 400 and close.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
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
