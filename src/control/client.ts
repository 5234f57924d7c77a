import * as zmq from 'zeromq';
import { ControlReplyError, ControlTimeoutError } from '../errors';
import type { ControlAuth } from './auth';
import { decodeReply, encodeRequest, type ArgsOf, type Command, type CommandMap, type ReplyOf } from './protocol';

/** The call's arguments: none for commands without args, else the typed args; then an optional timeout. */
export type CallRest<M extends CommandMap, C extends keyof M> =
  undefined extends ArgsOf<M, C> ? [args?: ArgsOf<M, C>, timeoutMs?: number] : [args: ArgsOf<M, C>, timeoutMs?: number];

/** The last sequence number this process signed a command with (µs of its clock, strictly increasing). */
let lastSeq = 0;

/**
 * The sequence number after `last` at clock `nowMs`: the clock in µs, or `last` + 1 where that is
 * not above it (two commands in one ms, a clock stepped back).
 */
export function seqAfter(last: number, nowMs: number): number {
  return Math.max(last + 1, Math.floor(nowMs * 1000));
}

/** A fresh sequence number, above every one this process handed out before. */
function nextSeq(): number {
  lastSeq = seqAfter(lastSeq, Date.now());
  return lastSeq;
}

/**
 * REQ client for one app, typed by the app's command map. Every call has a timeout; after a
 * timeout the socket is thrown away and a fresh one connected, because a REQ socket that sent
 * without receiving is wedged for good. Calls on one client are serialized (REQ allows one
 * outstanding request).
 */
export class ControlClient<M extends CommandMap = CommandMap> {
  private socket: zmq.Request;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /**
   * `auth`: the run's credentials; every request is signed with them, addressed to `app` (the
   * app's name) with a fresh sequence number (and CURVE is used when they carry keys).
   */
  constructor(
    readonly endpoint: string,
    readonly timeoutMs = 5000,
    private readonly auth?: ControlAuth,
    readonly app = '',
  ) {
    this.socket = this.connect();
  }

  private connect(): zmq.Request {
    const curve = this.auth?.curve;
    const socket = new zmq.Request({
      linger: 0,
      receiveTimeout: this.timeoutMs,
      sendTimeout: this.timeoutMs,
      ...(curve ? { curveServerKey: curve.serverPublic, curvePublicKey: curve.clientPublic, curveSecretKey: curve.clientSecret } : {}),
    });
    socket.connect(this.endpoint);
    return socket;
  }

  /** Sends one command and returns the reply's data; throws ControlTimeoutError or ControlReplyError. */
  call<C extends keyof M & Command>(cmd: C, ...[args, timeoutMs]: CallRest<M, C>): Promise<ReplyOf<M, C>> {
    const run = this.queue.then(() => this.callNow(cmd, args as object | undefined, timeoutMs ?? this.timeoutMs));
    // Keep the chain alive whatever this call does.
    this.queue = run.catch(() => undefined);
    return run as Promise<ReplyOf<M, C>>;
  }

  private async callNow(cmd: Command, args: object | undefined, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new ControlReplyError(`control client for ${this.endpoint} is closed`);
    const socket = this.socket;
    socket.receiveTimeout = timeoutMs;
    socket.sendTimeout = timeoutMs;
    let frames: Buffer[];
    try {
      // Numbered when sent, not when queued: an app serves only numbers above the last it served.
      await socket.send(encodeRequest(cmd, args, this.auth ? { run: this.auth.run, secret: this.auth.secret, to: this.app, seq: nextSeq() } : undefined));
      frames = await socket.receive();
    } catch (err) {
      this.recover();
      if (isTimeout(err)) throw new ControlTimeoutError(this.endpoint, cmd, timeoutMs, this.app);
      throw new ControlReplyError(`${cmd} on ${this.where}: socket error`, { retriable: true, cause: err });
    }
    const reply = decodeReply(frames[0] ?? Buffer.alloc(0));
    if ('malformed' in reply) throw new ControlReplyError(`${cmd} on ${this.where}: ${reply.malformed}`, { retriable: true });
    // Invalid arguments and refused credentials are refused the same way every time.
    if (!reply.ok)
      throw new ControlReplyError(`${cmd} on ${this.where}: ${reply.error}`, { retriable: reply.code !== 'bad_args' && reply.code !== 'unauthorized' });
    return reply.data;
  }

  /** The app's name and endpoint, or the endpoint alone. */
  private get where(): string {
    return this.app ? `${this.app} (${this.endpoint})` : this.endpoint;
  }

  private recover(): void {
    this.socket.close();
    if (!this.closed) this.socket = this.connect();
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}

function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EAGAIN';
}
