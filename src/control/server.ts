import * as zmq from 'zeromq';
import { decodeRequest, PROTOCOL_VERSION, type Command, type ControlReply } from './protocol';

export type CommandHandler = (args: Record<string, unknown>) => unknown | Promise<unknown>;

/**
 * The REP server every app runs. Handlers are called one at a time (REP is strictly
 * request/reply); a handler that throws, an unknown command or garbage bytes produce an error
 * reply and the server keeps serving.
 */
export class ControlServer {
  private readonly socket = new zmq.Reply({ linger: 0 });
  private readonly handlers = new Map<Command, CommandHandler>();
  private closed = false;
  private loop: Promise<void> | undefined;

  on(cmd: Command, handler: CommandHandler): this {
    this.handlers.set(cmd, handler);
    return this;
  }

  /** Binds `tcp://host:*` (ephemeral port) unless a port is given; returns the bound endpoint. */
  async bind(host = '127.0.0.1', port?: number): Promise<string> {
    await this.socket.bind(`tcp://${host}:${port ?? '*'}`);
    // A socket error outside close() ends serving; say so in the app's log instead of an unhandled rejection.
    this.loop = this.serve().catch((err: unknown) => {
      process.stderr.write(`control server stopped: ${err instanceof Error ? err.message : String(err)}\n`);
    });
    const endpoint = this.socket.lastEndpoint;
    if (!endpoint) throw new Error('REP socket reported no endpoint after bind');
    return endpoint;
  }

  private async serve(): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await this.socket.receive();
      } catch (err) {
        if (this.closed) return;
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
    const req = decodeRequest(bytes);
    if ('error' in req) return { v: PROTOCOL_VERSION, ok: false, error: req.error };
    const handler = this.handlers.get(req.cmd);
    if (!handler) return { v: PROTOCOL_VERSION, ok: false, error: `command '${req.cmd}' not supported by this app` };
    try {
      const data = await handler(req.args ?? {});
      return { v: PROTOCOL_VERSION, ok: true, data: data ?? null };
    } catch (err) {
      return { v: PROTOCOL_VERSION, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
