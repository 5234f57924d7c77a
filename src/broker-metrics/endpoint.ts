import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { ConfigError } from '../errors';

/** How an endpoint is reached: credentials read once from the environment or a file, kept in memory only. */
export interface EndpointAccess {
  /** `Authorization` header value, or null for none. */
  authorization: string | null;
  /** PEM CA for https endpoints signed by a private CA; null: the system's. */
  ca: Buffer | null;
  timeoutMs: number;
}

/** The [broker_metrics] settings access is made from. */
export interface AccessSettings {
  broker_metrics_timeout_ms: number;
  broker_metrics_ca_file: string;
  broker_metrics_username: string;
  broker_metrics_password_env: string;
  broker_metrics_password_file: string;
  broker_metrics_token_env: string;
  broker_metrics_token_file: string;
}

const KEY = (k: string): string => `hydra.ini [broker_metrics] ${k.replace(/^broker_metrics_/, '')}`;

/** Reads a secret named by an environment variable or a file (never written anywhere). */
function secret(envKey: string, envName: string, fileKey: string, file: string, env: NodeJS.ProcessEnv): string | null {
  if (envName !== '' && file !== '')
    throw new ConfigError(KEY(envKey), envName, `set one of ${envKey.replace(/^broker_metrics_/, '')} and ${fileKey.replace(/^broker_metrics_/, '')}`);
  if (envName !== '') {
    const v = env[envName];
    if (v === undefined || v === '') throw new ConfigError(KEY(envKey), envName, 'this environment variable is not set');
    return v;
  }
  if (file !== '') {
    try {
      return fs.readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
    } catch (err) {
      throw new ConfigError(KEY(fileKey), file, `cannot read it: ${(err as Error).message}`);
    }
  }
  return null;
}

/** Checks and reads the access settings once, before a study starts. */
export function endpointAccess(o: AccessSettings, env: NodeJS.ProcessEnv = process.env): EndpointAccess {
  const token = secret('broker_metrics_token_env', o.broker_metrics_token_env, 'broker_metrics_token_file', o.broker_metrics_token_file, env);
  const password = secret('broker_metrics_password_env', o.broker_metrics_password_env, 'broker_metrics_password_file', o.broker_metrics_password_file, env);
  if (token !== null && (o.broker_metrics_username !== '' || password !== null))
    throw new ConfigError(
      KEY('broker_metrics_token_env'),
      o.broker_metrics_token_env || o.broker_metrics_token_file,
      'a bearer token or a user name and password, not both',
    );
  if ((o.broker_metrics_username === '') !== (password === null))
    throw new ConfigError(KEY('broker_metrics_username'), o.broker_metrics_username, 'basic auth needs both username and password_env or password_file');
  let ca: Buffer | null = null;
  if (o.broker_metrics_ca_file !== '') {
    try {
      ca = fs.readFileSync(o.broker_metrics_ca_file);
    } catch (err) {
      throw new ConfigError(KEY('broker_metrics_ca_file'), o.broker_metrics_ca_file, `cannot read it: ${(err as Error).message}`);
    }
  }
  const authorization =
    token !== null ? `Bearer ${token}` : password !== null ? `Basic ${Buffer.from(`${o.broker_metrics_username}:${password}`).toString('base64')}` : null;
  return { authorization, ca, timeoutMs: o.broker_metrics_timeout_ms };
}

/** Checks an endpoint URL: http or https, a host, no credentials in it (they belong in hydra.ini's secrets). */
export function checkEndpointUrl(url: string, source: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(source, url, 'expected an http:// or https:// URL of a Prometheus endpoint (e.g. http://kafka-1:7071/metrics)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(source, url, 'expected an http:// or https:// URL');
  if (u.username || u.password)
    throw new ConfigError(source, url, 'no credentials in the URL: use [broker_metrics] username and password_env or password_file, or token_env');
}

/** Largest exposition read, bytes: a broker's full exporter output is a few MB at most. */
const MAX_BYTES = 32 * 1024 * 1024;

/** One GET of an endpoint's text; rejects on a non-200 answer, a timeout or an oversized body. */
export function fetchExposition(url: string, access: EndpointAccess): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { Accept: 'text/plain;version=0.0.4' };
    if (access.authorization) headers.Authorization = access.authorization;
    const req = client.get(u, { headers, timeout: access.timeoutMs, ...(access.ca ? { ca: access.ca } : {}) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) req.destroy(new Error(`more than ${MAX_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    // A whole scrape is bounded, not just its idle time: a trickling endpoint is as late as a dead one.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${access.timeoutMs} ms`)), access.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${access.timeoutMs} ms`)));
    req.on('error', reject);
    req.on('close', () => clearTimeout(deadline));
  });
}
