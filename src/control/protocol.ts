/**
 * The control protocol between the runner and its apps: one JSON object per ZeroMQ message,
 * request/reply, HYDRA's command names. The version lets a runner refuse an app built from
 * another release instead of misreading its stats. Each app kind has a command map (command →
 * args → reply) that types both the client and the server.
 */
import { macMatches, macOf } from './auth';
import type { PingReply, PubConfig, PubStats, PubStatus, SubConfig, SubStats, SubStatus, TestStartArgs } from './wire';

export const PROTOCOL_VERSION = 1;

export const COMMANDS = ['ping', 'clock', 'teststart', 'teststop', 'teststatus', 'getstats', 'resetstats', 'updateconfig', 'stop'] as const;
export type Command = (typeof COMMANDS)[number];

/** A command's arguments (`undefined`: none) and reply. */
export interface CommandSig<A, R> {
  args: A;
  reply: R;
}

/** Commands an app kind serves. */
export type CommandMap = { [C in Command]?: CommandSig<unknown, unknown> };

/** Commands every app serves. */
export interface CommonCommands {
  ping: CommandSig<undefined, PingReply>;
  /** The app's clock when the request arrived and when it answered (ms since the epoch): one NTP-style exchange. */
  clock: CommandSig<undefined, { rx_ms: number; tx_ms: number }>;
  stop: CommandSig<undefined, { stopping: true }>;
}

export interface PubCommands extends CommonCommands {
  updateconfig: CommandSig<PubConfig, PubConfig>;
  resetstats: CommandSig<undefined, null>;
  teststart: CommandSig<TestStartArgs | undefined, { started: true }>;
  teststop: CommandSig<undefined, PubStatus>;
  teststatus: CommandSig<undefined, PubStatus>;
  getstats: CommandSig<undefined, PubStats>;
}

export interface SubCommands extends CommonCommands {
  /** `joined_now`: consumers this point added (the others stayed joined from the last point). */
  updateconfig: CommandSig<SubConfig, { clients: number; joined_now: number }>;
  resetstats: CommandSig<undefined, null>;
  teststart: CommandSig<undefined, { started: true }>;
  teststop: CommandSig<undefined, SubStatus>;
  teststatus: CommandSig<undefined, SubStatus>;
  getstats: CommandSig<undefined, SubStats>;
}

// Indexed access (not a conditional type) so a handler's literal replies keep their types.
export type ArgsOf<M extends CommandMap, C extends keyof M> = (M[C] & CommandSig<unknown, unknown>)['args'];
export type ReplyOf<M extends CommandMap, C extends keyof M> = (M[C] & CommandSig<unknown, unknown>)['reply'];

/**
 * Envelope of a request: `run` says which run the command belongs to, `auth` is the HMAC of the
 * envelope without `auth`, made with that run's secret (control/auth.ts).
 */
export interface ControlRequest {
  v: number;
  cmd: Command;
  args?: Record<string, unknown>;
  run?: string;
  auth?: string;
}

/**
 * Why an app refused a request: `bad_request` (not a request it can read), `unauthorized` (not
 * signed with this run's secret, or for another run), `bad_args` (the
 * arguments are invalid — sending them again cannot help), `bad_state` (not now, e.g. a test is
 * running), `internal` (the handler failed).
 */
export type ReplyErrorCode = 'bad_request' | 'unauthorized' | 'bad_args' | 'bad_state' | 'internal';

export type ControlReply = { v: number; ok: true; data: unknown } | { v: number; ok: false; error: string; code: ReplyErrorCode };

export function isCommand(value: unknown): value is Command {
  return typeof value === 'string' && (COMMANDS as readonly string[]).includes(value);
}

/** The signed part of a request, in a fixed key order so both ends compute the same bytes. */
function requestBody(v: number, cmd: string, args: unknown, run: string | undefined): string {
  return JSON.stringify(args === undefined ? { v, cmd, run } : { v, cmd, args, run });
}

/** Encodes a request; with credentials it carries the run id and the MAC. */
export function encodeRequest(cmd: Command, args?: object, auth?: { run: string; secret: string }): string {
  if (!auth) return JSON.stringify(args === undefined ? { v: PROTOCOL_VERSION, cmd } : { v: PROTOCOL_VERSION, cmd, args });
  const body = requestBody(PROTOCOL_VERSION, cmd, args, auth.run);
  return JSON.stringify({ ...(JSON.parse(body) as object), auth: macOf(auth.secret, body) });
}

/** Checks a decoded request against this app's run and secret; returns why it is refused, or null. */
export function authProblem(req: ControlRequest, auth: { run: string; secret: string }): string | null {
  if (req.run === undefined || req.auth === undefined) return 'unauthenticated command refused';
  if (req.run !== auth.run) return `command for run ${JSON.stringify(req.run)} refused: this app serves run ${auth.run}`;
  const body = requestBody(req.v, req.cmd, req.args, req.run);
  return macMatches(macOf(auth.secret, body), req.auth) ? null : 'command with a wrong signature refused';
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
  if (req.args !== undefined && (typeof req.args !== 'object' || req.args === null || Array.isArray(req.args))) return { error: 'args must be an object' };
  return req as ControlRequest;
}

/** Decodes a reply; a reply that is not one hydra's apps send is reported as such, never thrown raw. */
export function decodeReply(bytes: Buffer): ControlReply | { malformed: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { malformed: 'reply is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { ok?: unknown }).ok !== 'boolean')
    return { malformed: 'reply is not a control reply object' };
  const reply = parsed as ControlReply;
  if (!reply.ok && typeof reply.error !== 'string') return { malformed: 'error reply without an error message' };
  return reply;
}
