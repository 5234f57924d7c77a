/**
 * A secured cluster's TLS and SASL settings (read by config/security.ts) as kafkajs's `ssl` and
 * `sasl` options, for the apps' kafkajs clients and the runner's admin client.
 */
import type { SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../../config/security';

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
