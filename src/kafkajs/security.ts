/**
 * Connecting to a secured cluster: TLS and SASL settings from hydra.ini's [security] section,
 * turned into kafkajs's `ssl` and `sasl` options. The options (and so study.json) hold only where
 * the secrets are — a file, an environment variable's name — never a secret itself. The runner
 * reads them once and hands them to each app in its launch message (IPC, never argv or env); no
 * error message here quotes a secret.
 */
import * as fs from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import { checkSecurityOptions, type SecurityOptions } from '../config/security';
import type { KafkaSecurity } from '../control/wire';
import { ConfigError } from '../errors';

export type { KafkaSecurity } from '../control/wire';
export { checkSecurityOptions } from '../config/security';

const KEY = (name: string): string => `[security] ${name}`;

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

/** kafkajs's `ssl` and `sasl` client options for a security setting (certificates verified: rejectUnauthorized stays on). */
export function kafkajsSecurityConfig(security: KafkaSecurity | null | undefined): {
  ssl?: true | { ca?: string[]; cert?: string; key?: string; servername?: string };
  sasl?: SASLOptions;
} {
  if (!security) return {};
  const out: { ssl?: true | { ca?: string[]; cert?: string; key?: string; servername?: string }; sasl?: SASLOptions } = {};
  if (security.tls) {
    const { ca, cert, key, servername } = security.tls;
    out.ssl =
      ca || cert || key || servername
        ? { ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(servername ? { servername } : {}) }
        : true;
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl =
      mechanism === 'plain'
        ? { mechanism, username, password }
        : mechanism === 'scram-sha-256'
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  return out;
}
