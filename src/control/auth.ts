import * as crypto from 'node:crypto';
import * as zmq from 'zeromq';

/**
 * How the runner proves to its apps that a command is its own: every request carries the run id
 * and an HMAC-SHA256 over the request made with a per-run secret the launcher hands each app (never
 * on a command line or in the environment). Beyond loopback, ZeroMQ CURVE also encrypts the
 * channel and keeps a peer without the server key from talking to an app at all.
 */
export interface ControlAuth {
  run: string;
  /** Hex, 32 random bytes. */
  secret: string;
  /** CURVE keys (Z85), present when the control plane binds beyond loopback. */
  curve?: CurveKeys;
}

export interface CurveKeys {
  serverPublic: string;
  serverSecret: string;
  clientPublic: string;
  clientSecret: string;
}

/** What an app needs of the run's credentials: no client secret key. */
export type AppControlAuth = Omit<ControlAuth, 'curve'> & { curve?: Omit<CurveKeys, 'clientSecret'> };

export function newControlAuth(run: string, curve: boolean): ControlAuth {
  const secret = crypto.randomBytes(32).toString('hex');
  if (!curve) return { run, secret };
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  return {
    run,
    secret,
    curve: { serverPublic: server.publicKey, serverSecret: server.secretKey, clientPublic: client.publicKey, clientSecret: client.secretKey },
  };
}

export function appAuthOf(auth: ControlAuth): AppControlAuth {
  if (!auth.curve) return { run: auth.run, secret: auth.secret };
  const { serverPublic, serverSecret, clientPublic } = auth.curve;
  return { run: auth.run, secret: auth.secret, curve: { serverPublic, serverSecret, clientPublic } };
}

/** Loopback addresses, where CURVE is not needed (only local processes can connect, and the HMAC still applies). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The MAC of a request body (the request's JSON without its `auth` field). */
export function macOf(secret: string, body: string): string {
  return crypto.createHmac('sha256', Buffer.from(secret, 'hex')).update(body).digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function macMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}
