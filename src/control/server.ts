import * as zmq from 'zeromq';
import { ArgsError, errorMessage, HydraError, StateError } from '../errors';
import type { AppControlAuth } from './auth';
import {
  authProblem,
  COMMAND_FRESH_MS,
  decodeRequest,
  PROTOCOL_VERSION,
  type Command,
  type CommandMap,
  type ControlReply,
  type ReplyErrorCode,
  type ReplyOf,
} from './protocol';

/** Largest request an app reads, bytes: control requests are small; a bigger one drops its peer. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * A command handler. Args arrive off the wire, so a handler validates them (and throws ArgsError)
 * before use; its reply is typed by the app's command map.
 */
export type CommandHandler<R> = (args: Record<string, unknown>) => R | Promise<R>;

/**
 * The REP server every app runs. Handlers are called one at a time (REP is strictly
 * request/reply); a handler that throws, an unknown command or garbage bytes produce an error
 * reply and the server keeps serving, whatever bytes a peer sends. With credentials, only
 * requests signed with the run's secret, addressed to this app and not served before reach a
 * handler; others get an error reply that says why and change nothing. Beyond loopback the
 * socket is a CURVE server.
 */
export class ControlServer<M extends CommandMap = CommandMap> {
  private readonly socket: zmq.Reply;
  private readonly handlers = new Map<Command, CommandHandler<unknown>>();
  private closed = false;
  /** Requests refused as unauthenticated, and receives that ended in a dropped malformed message. */
  readonly counters = { refused: 0, dropped: 0 };
  /**
   * The last sequence number served. It starts where commands signed before this app could have
   * been sent to it stop being fresh, so one captured for an app of the same name before it
   * started cannot be replayed to it either.
   */
  private lastSeq = (Date.now() - COMMAND_FRESH_MS) * 1000;

  /** `auth`: the run's credentials; `app`: this app's name, to which its commands are addressed. */
  constructor(
    private readonly auth?: AppControlAuth,
    private readonly app = '',
  ) {
    this.socket = new zmq.Reply({
      linger: 0,
      maxMessageSize: MAX_REQUEST_BYTES,
      // A ZAP domain makes libzmq refuse ZMTP 1.0 peers at the handshake. Random bytes read as
      // ZMTP 1.0 frames: 64 KB of them wedged the socket's reads for seconds (every runner request
      // timed out), while a ZMTP 3 peer's half-sent message never reaches the socket at all. With
      // the NULL mechanism and no ZAP handler, ZMTP 3 clients are let in as before.
      zapDomain: 'hydra',
      ...(auth?.curve ? { curveServer: true, curveSecretKey: auth.curve.serverSecret } : {}),
    });
  }

  on<C extends keyof M & Command>(cmd: C, handler: CommandHandler<ReplyOf<M, C>>): this {
    this.handlers.set(cmd, handler);
    return this;
  }

  /** Binds `tcp://host:*` (ephemeral port) unless a port is given; returns the bound endpoint. */
  async bind(host = '127.0.0.1', port?: number): Promise<string> {
    await this.socket.bind(`tcp://${host}:${port ?? '*'}`);
    // A socket error outside close() ends serving; say so in the app's log instead of an unhandled rejection.
    this.serve().catch((err: unknown) => {
      process.stderr.write(`control server stopped: ${errorMessage(err)}\n`);
    });
    const endpoint = this.socket.lastEndpoint;
    if (!endpoint) throw new HydraError('REP socket reported no endpoint after bind');
    return endpoint;
  }

  private async serve(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.socket.receive();
      } catch (err) {
        if (this.closed) return;
        // A peer that is not a REQ client (a ZMTP/1.0 greeting, random bytes, a DEALER without the
        // empty delimiter) makes libzmq drop its message after announcing it: the receive ends
        // with EAGAIN. Nothing is wrong with the socket; keep serving.
        if (isAgain(err)) {
          this.counters.dropped++;
          continue;
        }
        throw err;
      }
      const reply = await this.handle(frames[0] ?? Buffer.alloc(0));
      try {
        await this.socket.send(JSON.stringify(reply));
      } catch (err) {
        if (this.closed) return;
        throw err;
      }
    }
  }

  private async handle(bytes: Buffer): Promise<ControlReply> {
    const fail = (error: string, code: ReplyErrorCode): ControlReply => ({ v: PROTOCOL_VERSION, ok: false, error, code });
    const req = decodeRequest(bytes);
    if ('error' in req) return fail(req.error, 'bad_request');
    if (this.auth) {
      // Checked before anything runs: signed, for this run and this app, single-use and fresh.
      const problem = authProblem(req, { run: this.auth.run, secret: this.auth.secret, app: this.app, lastSeq: this.lastSeq, nowMs: Date.now() });
      if (problem) {
        this.counters.refused++;
        return fail(problem, 'unauthorized');
      }
      this.lastSeq = req.seq as number;
    }
    const handler = this.handlers.get(req.cmd);
    if (!handler) return fail(`command '${req.cmd}' not supported by this app`, 'bad_request');
    try {
      const data = await handler(req.args ?? {});
      return { v: PROTOCOL_VERSION, ok: true, data: data ?? null };
    } catch (err) {
      return fail(errorMessage(err), err instanceof ArgsError ? 'bad_args' : err instanceof StateError ? 'bad_state' : 'internal');
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}

function isAgain(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EAGAIN';
}
