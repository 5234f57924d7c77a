/**
 * The control protocol between the runner and its apps: one JSON object per ZeroMQ message,
 * request/reply, HYDRA's command names. The version lets a runner refuse an app built from
 * another release instead of misreading its stats.
 */
export const PROTOCOL_VERSION = 1;

export const COMMANDS = ['ping', 'teststart', 'teststop', 'teststatus', 'getstats', 'resetstats', 'updateconfig', 'stop'] as const;
export type Command = (typeof COMMANDS)[number];

export interface ControlRequest {
  v: number;
  cmd: Command;
  args?: Record<string, unknown>;
}

export type ControlReply = { v: number; ok: true; data: unknown } | { v: number; ok: false; error: string };

export function isCommand(value: unknown): value is Command {
  return typeof value === 'string' && (COMMANDS as readonly string[]).includes(value);
}

export function encodeRequest(cmd: Command, args?: Record<string, unknown>): string {
  const req: ControlRequest = args === undefined ? { v: PROTOCOL_VERSION, cmd } : { v: PROTOCOL_VERSION, cmd, args };
  return JSON.stringify(req);
}

/** Decodes a request; returns an error string instead of throwing so the server can reply with it. */
export function decodeRequest(bytes: Buffer): ControlRequest | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: 'undecodable request: not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { error: 'undecodable request: not an object' };
  const req = parsed as Partial<ControlRequest>;
  if (req.v !== PROTOCOL_VERSION) return { error: `unsupported protocol version ${String(req.v)} (this app speaks ${PROTOCOL_VERSION})` };
  if (!isCommand(req.cmd)) return { error: `unknown command ${JSON.stringify(req.cmd)}` };
  if (req.args !== undefined && (typeof req.args !== 'object' || req.args === null)) return { error: 'args must be an object' };
  return req as ControlRequest;
}

export function decodeReply(bytes: Buffer): ControlReply {
  const parsed = JSON.parse(bytes.toString('utf8')) as ControlReply;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.ok !== 'boolean') throw new Error('malformed reply');
  return parsed;
}
