import * as zmq from 'zeromq';
import { ControlReplyError, ControlTimeoutError } from '../errors';
import { decodeReply, encodeRequest, type Command } from './protocol';

/**
 * REQ client for one app. Every call has a timeout; after a timeout the socket is thrown away
 * and a fresh one connected, because a REQ socket that sent without receiving is wedged for good.
 * Calls on one client are serialized (REQ allows one outstanding request).
 */
export class ControlClient {
  private socket: zmq.Request;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly endpoint: string,
    readonly timeoutMs = 5000,
  ) {
    this.socket = this.connect();
  }

  private connect(): zmq.Request {
    const socket = new zmq.Request({ linger: 0, receiveTimeout: this.timeoutMs, sendTimeout: this.timeoutMs });
    socket.connect(this.endpoint);
    return socket;
  }

  /** Sends one command and returns the reply's data; throws ControlTimeoutError or ControlReplyError. */
  call<T = unknown>(cmd: Command, args?: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    const run = this.queue.then(() => this.callNow<T>(cmd, args, timeoutMs ?? this.timeoutMs));
    // Keep the chain alive whatever this call does.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async callNow<T>(cmd: Command, args: Record<string, unknown> | undefined, timeoutMs: number): Promise<T> {
    if (this.closed) throw new ControlReplyError(`control client for ${this.endpoint} is closed`);
    const socket = this.socket;
    socket.receiveTimeout = timeoutMs;
    socket.sendTimeout = timeoutMs;
    let frames: Buffer[];
    try {
      await socket.send(encodeRequest(cmd, args));
      frames = await socket.receive();
    } catch (err) {
      if (isTimeout(err)) {
        this.recover();
        throw new ControlTimeoutError(this.endpoint, cmd, timeoutMs);
      }
      this.recover();
      throw err;
    }
    const reply = decodeReply(frames[0] ?? Buffer.alloc(0));
    if (!reply.ok) throw new ControlReplyError(`${cmd} on ${this.endpoint}: ${reply.error}`);
    return reply.data as T;
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
