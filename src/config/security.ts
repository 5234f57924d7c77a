/**
 * Connecting to a secured cluster: TLS and SASL settings from hydra.ini's [security] section. The
 * options (and so study.json) hold only where the secrets are — a file, an environment variable's
 * name — never a secret itself. The runner reads them once (loadKafkaSecurity) and hands them to
 * each app in its launch message (IPC, never argv or env); no error message here quotes a secret.
 */
import * as fs from 'node:fs';
import { ConfigError } from '../errors';
import type { HydraOptions } from './options';

/**
 * TLS and SASL for the Kafka clients, with the secrets read: certificates as PEM text, not paths,
 * since an app may run on another host.
 */
export interface KafkaSecurity {
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

const KEY = (name: string): string => `[security] ${name}`;

/** The [security] options (where secrets are, never the secrets). */
export type SecurityOptions = Pick<
  HydraOptions,
  | 'security_protocol'
  | 'ssl_ca_file'
  | 'ssl_cert_file'
  | 'ssl_key_file'
  | 'ssl_servername'
  | 'sasl_mechanism'
  | 'sasl_username'
  | 'sasl_password_env'
  | 'sasl_password_file'
>;

/**
 * Checks that the [security] keys fit together (without reading any file): SASL needs a user and
 * exactly one password source; TLS and SASL keys with a protocol that does not use them are a
 * mistake worth one line, not a silently plaintext run.
 */
export function checkSecurityOptions(o: SecurityOptions): void {
  const tls = o.security_protocol === 'ssl' || o.security_protocol === 'sasl_ssl';
  const sasl = o.security_protocol === 'sasl_plaintext' || o.security_protocol === 'sasl_ssl';
  const tlsKeys = (['ssl_ca_file', 'ssl_cert_file', 'ssl_key_file', 'ssl_servername'] as const).filter((k) => o[k] !== '');
  const saslKeys = (['sasl_username', 'sasl_password_env', 'sasl_password_file'] as const).filter((k) => o[k] !== '');
  if (!tls && tlsKeys.length > 0)
    throw new ConfigError(KEY(tlsKeys[0] as string), undefined, `is set but [security] protocol is ${o.security_protocol} (use ssl or sasl_ssl for TLS)`);
  if (!sasl && saslKeys.length > 0)
    throw new ConfigError(
      KEY(saslKeys[0] as string),
      undefined,
      `is set but [security] protocol is ${o.security_protocol} (use sasl_plaintext or sasl_ssl for SASL)`,
    );
  if ((o.ssl_cert_file === '') !== (o.ssl_key_file === ''))
    throw new ConfigError(KEY(o.ssl_cert_file === '' ? 'ssl_cert_file' : 'ssl_key_file'), undefined, 'mutual TLS needs both ssl_cert_file and ssl_key_file');
  if (!sasl) return;
  if (o.sasl_username === '') throw new ConfigError(KEY('sasl_username'), undefined, `is required with [security] protocol ${o.security_protocol}`);
  if ((o.sasl_password_env === '') === (o.sasl_password_file === ''))
    throw new ConfigError(
      KEY('sasl_password_env'),
      undefined,
      'set exactly one of sasl_password_env and sasl_password_file (the password itself is never written in hydra.ini)',
    );
}

function readPem(path: string, key: string): string {
  try {
    const text = fs.readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN ')) throw new ConfigError(KEY(key), path, 'not a PEM file (no -----BEGIN line)');
    return text;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(KEY(key), path, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readPassword(o: SecurityOptions, env: NodeJS.ProcessEnv): string {
  if (o.sasl_password_env !== '') {
    const value = env[o.sasl_password_env];
    if (value === undefined || value === '') throw new ConfigError(KEY('sasl_password_env'), o.sasl_password_env, 'this environment variable is not set');
    return value;
  }
  let text: string;
  try {
    text = fs.readFileSync(o.sasl_password_file, 'utf8');
  } catch (err) {
    throw new ConfigError(KEY('sasl_password_file'), o.sasl_password_file, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // One line; the newline an editor adds is not part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(KEY('sasl_password_file'), o.sasl_password_file, 'is empty');
  return password;
}

/** Reads the secrets the options point at; null for plaintext. Errors name the ini key and the path or variable, never the secret. */
export function loadKafkaSecurity(o: SecurityOptions, env: NodeJS.ProcessEnv = process.env): KafkaSecurity | null {
  checkSecurityOptions(o);
  if (o.security_protocol === 'plaintext') return null;
  const security: KafkaSecurity = {};
  if (o.security_protocol === 'ssl' || o.security_protocol === 'sasl_ssl') {
    security.tls = {
      ...(o.ssl_ca_file ? { ca: readPem(o.ssl_ca_file, 'ssl_ca_file') } : {}),
      ...(o.ssl_cert_file ? { cert: readPem(o.ssl_cert_file, 'ssl_cert_file') } : {}),
      ...(o.ssl_key_file ? { key: readPem(o.ssl_key_file, 'ssl_key_file') } : {}),
      ...(o.ssl_servername ? { servername: o.ssl_servername } : {}),
    };
  }
  if (o.security_protocol === 'sasl_plaintext' || o.security_protocol === 'sasl_ssl') {
    security.sasl = { mechanism: o.sasl_mechanism, username: o.sasl_username, password: readPassword(o, env) };
  }
  return security;
}
