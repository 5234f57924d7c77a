import * as net from 'node:net';

/** Why a bootstrap broker did not accept a TCP connection, as a person can act on it. */
export type Unreachable = 'dns' | 'refused' | 'unreachable' | 'timeout' | 'other';

export interface ProbeResult {
  broker: string;
  /** null: it accepted the connection. */
  failure: Unreachable | null;
  /** The system's error code (ENOTFOUND, ECONNREFUSED, ...), when there was one. */
  code?: string;
  /** How long the answer took, ms. */
  elapsedMs: number;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** Tries one TCP connection to `host:port`; a DNS failure, a refusal and silence are told apart. */
export function probeBroker(broker: string, timeoutMs: number): Promise<ProbeResult> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(broker.slice(colon + 1));
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (failure: Unreachable | null, code?: string): void => {
      socket.destroy();
      resolve({ broker, failure, ...(code ? { code } : {}), elapsedMs: Date.now() - started });
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done('timeout'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      done(DNS_CODES.has(code) ? 'dns' : code === 'ECONNREFUSED' ? 'refused' : UNREACHABLE_CODES.has(code) ? 'unreachable' : 'other', code || undefined);
    });
  });
}

/** One broker's failure in words: "kafka-1:9092: the host name does not resolve (ENOTFOUND)". */
export function describeProbe(p: ProbeResult, timeoutMs: number): string {
  const code = p.code ? ` (${p.code})` : '';
  switch (p.failure) {
    case null:
      return `${p.broker}: accepts connections`;
    case 'dns':
      return `${p.broker}: the host name does not resolve${code}`;
    case 'refused':
      return `${p.broker}: connection refused${code}: the host answers, but nothing listens on that port`;
    case 'unreachable':
      return `${p.broker}: no route to the host${code}`;
    case 'timeout':
      return `${p.broker}: no answer within ${timeoutMs / 1000} s (a firewall dropping packets, or the host is down)`;
    case 'other':
      return `${p.broker}: cannot connect${code}`;
  }
}
