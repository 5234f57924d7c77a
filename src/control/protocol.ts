/**
 * The control protocol between the runner and its apps: one JSON object per ZeroMQ message,
 * request/reply, HYDRA's command names. The version lets a runner refuse an app built from
 * another release instead of misreading its stats. Each app kind has a command map (command →
 * args → reply) that types both the client and the server.
 */
import { macMatches, macOf } from './auth';
import type { PingReply, PubConfig, PubStats, PubStatus, ResetStatsArgs, SubConfig, SubStats, SubStatus, TestStartArgs } from './wire';

/** 2: requests are addressed to one app and carry a fresh, single-use sequence number. */
export const PROTOCOL_VERSION = 2;

/**
 * How long a signed command stays good, ms: older ones (or ones from further ahead, a clock that
 * is off) are refused, so a captured command cannot be replayed later, even to a fresh app.
 */
export const COMMAND_FRESH_MS = 60_000;

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
  /** With a timeline: record each client's receiving over time (a point with planned faults). */
  resetstats: CommandSig<ResetStatsArgs | undefined, null>;
  teststart: CommandSig<undefined, { started: true }>;
  teststop: CommandSig<undefined, SubStatus>;
  teststatus: CommandSig<undefined, SubStatus>;
  getstats: CommandSig<undefined, SubStats>;
}

// Indexed access (not a conditional type) so a handler's literal replies keep their types.
export type ArgsOf<M extends CommandMap, C extends keyof M> = (M[C] & CommandSig<unknown, unknown>)['args'];
export type ReplyOf<M extends CommandMap, C extends keyof M> = (M[C] & CommandSig<unknown, unknown>)['reply'];

/**
 * Envelope of a request: `run` says which run the command belongs to, `to` which app it is for,
 * `seq` makes it single-use and fresh (the sender's clock in µs, strictly increasing: an app
 * serves each sequence number once, only above the last it served, and only within
 * COMMAND_FRESH_MS of its own clock); `auth` is the HMAC of the envelope without `auth`, made with
 * that run's secret (control/auth.ts).
 */
export interface ControlRequest {
  v: number;
  cmd: Command;
  args?: Record<string, unknown>;
  run?: string;
  to?: string;
  seq?: number;
  auth?: string;
}

/** Who signs a request: the run's credentials and the app it is addressed to. */
export interface Signer {
  run: string;
  secret: string;
  /** The app's name (`pub`, `sub-3`). */
  to: string;
  /** A fresh sequence number for each request. */
  seq: number;
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
function requestBody(req: Omit<ControlRequest, 'auth'>): string {
  const { v, cmd, args, run, to, seq } = req;
  return JSON.stringify(args === undefined ? { v, cmd, run, to, seq } : { v, cmd, args, run, to, seq });
}

/** Encodes a request; with a signer it carries the run id, the app it is for, its sequence number and the MAC. */
export function encodeRequest(cmd: Command, args?: object, signer?: Signer): string {
  if (!signer) return JSON.stringify(args === undefined ? { v: PROTOCOL_VERSION, cmd } : { v: PROTOCOL_VERSION, cmd, args });
  const body = requestBody({ v: PROTOCOL_VERSION, cmd, args: args as Record<string, unknown> | undefined, run: signer.run, to: signer.to, seq: signer.seq });
  return JSON.stringify({ ...(JSON.parse(body) as object), auth: macOf(signer.secret, body) });
}

/**
 * What an app checks before it runs a command: signed with its run's secret, for its run and
 * for itself, and single-use and fresh (its sequence number above the last one served, within
 * COMMAND_FRESH_MS of the app's clock). `lastSeq` is the last sequence number served.
 */
export interface AuthCheck {
  run: string;
  secret: string;
  /** This app's name. */
  app: string;
  lastSeq: number;
  /** The app's clock, ms. */
  nowMs: number;
}

/** Checks a decoded request; returns why it is refused, or null (then its seq is the new lastSeq). */
export function authProblem(req: ControlRequest, check: AuthCheck): string | null {
  if (req.run === undefined || req.auth === undefined) return 'unauthenticated command refused';
  if (req.run !== check.run) return `command for run ${JSON.stringify(req.run)} refused: this app serves run ${check.run}`;
  if (!macMatches(macOf(check.secret, requestBody(req)), req.auth)) return 'command with a wrong signature refused';
  if (req.to !== check.app) return `command for app ${JSON.stringify(req.to ?? null)} refused: this is ${check.app}`;
  if (typeof req.seq !== 'number' || !Number.isSafeInteger(req.seq)) return 'command without a sequence number refused';
  if (req.seq <= check.lastSeq)
    return `replayed command refused: sequence number ${req.seq} is not above the last one served (${check.lastSeq}); every command is single-use`;
  const ageMs = check.nowMs - req.seq / 1000;
  if (Math.abs(ageMs) > COMMAND_FRESH_MS)
    return ageMs > 0
      ? `stale command refused: signed ${Math.round(ageMs / 1000)} s ago, commands are good for ${COMMAND_FRESH_MS / 1000} s (or this host's clock is that far ahead of the runner's: synchronize the clocks)`
      : `command from ${Math.round(-ageMs / 1000)} s ahead refused: this host's clock is behind the runner's by about that (synchronize the clocks)`;
  return null;
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
  if (req.v !== PROTOCOL_VERSION)
    return { error: `unsupported protocol version ${JSON.stringify(req.v ?? null)} (this app speaks ${PROTOCOL_VERSION}, a number)` };
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
