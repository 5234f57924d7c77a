import * as zmq from 'zeromq';
import { ControlReplyError, ControlTimeoutError } from '../errors';
import type { ControlAuth } from './auth';
import { decodeReply, encodeRequest, type ArgsOf, type Command, type CommandMap, type ReplyOf } from './protocol';

/** The call's arguments: none for commands without args, else the typed args; then an optional timeout. */
type CallRest<M extends CommandMap, C extends keyof M> =
  undefined extends ArgsOf<M, C> ? [args?: ArgsOf<M, C>, timeoutMs?: number] : [args: ArgsOf<M, C>, timeoutMs?: number];

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

  /** `auth`: the run's credentials; every request is signed with them (and CURVE is used when they carry keys). */
  constructor(
    readonly endpoint: string,
    readonly timeoutMs = 5000,
    private readonly auth?: ControlAuth,
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
      await socket.send(encodeRequest(cmd, args, this.auth));
      frames = await socket.receive();
    } catch (err) {
      this.recover();
      if (isTimeout(err)) throw new ControlTimeoutError(this.endpoint, cmd, timeoutMs);
      throw new ControlReplyError(`${cmd} on ${this.endpoint}: socket error`, { retriable: true, cause: err });
    }
    const reply = decodeReply(frames[0] ?? Buffer.alloc(0));
    if ('malformed' in reply) throw new ControlReplyError(`${cmd} on ${this.endpoint}: ${reply.malformed}`, { retriable: true });
    // Invalid arguments and refused credentials are refused the same way every time.
    if (!reply.ok)
      throw new ControlReplyError(`${cmd} on ${this.endpoint}: ${reply.error}`, { retriable: reply.code !== 'bad_args' && reply.code !== 'unauthorized' });
    return reply.data;
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
