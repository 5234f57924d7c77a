import { ConfigError } from '../errors';
import type { HydraOptions } from './options';

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

const KEY = (name: string): string => `[security] ${name}`;

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
