/**
 * One error hierarchy for the whole library. Only the CLI turns these into exit codes; library
 * callers (notebooks) get typed errors with a message a person can act on.
 *
 * `retriable` says whether doing the same thing again can help (kafkajs style): an app that died
 * or a broker connection that reset can; a rejected configuration cannot. Studies retry a point
 * only after a retriable failure and store a deterministic one at once.
 */
export class HydraError extends Error {
  readonly retriable: boolean;

  constructor(message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retriable = opts.retriable ?? false;
  }
}

/**
 * Bad flag, ini key, library field or value. `source` names where the value came from: the flag
 * (`--msg_rate`), the ini key (`hydra.ini [test] msg_rate`) or the library field (`grid.msg_rates[1]`).
 */
export class ConfigError extends HydraError {
  constructor(
    readonly source: string,
    readonly value: string | undefined,
    reason: string,
  ) {
    super(value === undefined ? `${source}: ${reason}` : `${source}=${JSON.stringify(value)}: ${reason}`);
  }
}

/** A study id or directory that holds no study: bad input (exit 2), like a mistyped flag. `hint`: " (did you mean x?)" or ''. */
export class UnknownStudyError extends ConfigError {
  constructor(idOrDir: string, resultsDir: string, hint = '') {
    super('study', idOrDir, `no such study in ${resultsDir}${hint} (hydra study list shows the studies there)`);
  }
}

/** The embedded broker could not be started or a configured broker cannot be reached. */
export class BrokerError extends HydraError {}

/** An app did not answer a control request in time. Retriable: a fresh app may answer. */
export class ControlTimeoutError extends HydraError {
  constructor(
    readonly endpoint: string,
    readonly command: string,
    readonly timeoutMs: number,
    /** The app's name (`pub`, `sub-7`), when the client knows it. */
    readonly app = '',
  ) {
    super(
      app
        ? `${app} did not answer '${command}' within ${timeoutMs} ms (${endpoint}): it is frozen, or starved of CPU — raise --control_timeout_ms, or run fewer apps per machine`
        : `no reply to '${command}' from ${endpoint} within ${timeoutMs} ms`,
      { retriable: true },
    );
  }
}

/**
 * An app answered a control request with an error reply. Retriable unless the app rejected the
 * request's arguments: the same arguments would be rejected again.
 */
export class ControlReplyError extends HydraError {}

/** An app process could not be started, or died before reporting its control address. */
export class AppLaunchError extends HydraError {
  constructor(message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { retriable: true, ...opts });
  }
}

/** A test point could not be measured (apps died, broker failed, publisher errors). Retriable unless said otherwise. */
export class PointError extends HydraError {
  constructor(message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { retriable: true, ...opts });
  }
}

/** A study id or file that does not exist or cannot be read. */
export class StudyError extends HydraError {}

/**
 * The study cannot go on at all (the broker hydra started died, the results disk is full, another
 * run holds the study): no point is stored for it, and the study stops with a resume hint.
 */
export class StudyStopped extends HydraError {}

/** The broker hydra started died: every later point would fail the same way. */
export class BrokerLostError extends StudyStopped {}

/** A study run was stopped (Ctrl-C, session closed); its finished points are on disk. */
export class StudyInterrupted extends HydraError {}

/** A control command's arguments are invalid (an app's handler): sending them again cannot help. */
export class ArgsError extends HydraError {}

/** An app cannot serve a control command in its current state (a test running, no config yet). */
export class StateError extends HydraError {}

/** PNG/SVG export could not run (no Chromium, a render that failed). HTML export does not need it. */
export class PlotExportError extends HydraError {}

/** The error's one-line message, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Errors that are bugs in code, not conditions of a run: measuring again cannot help, and the
 * stack says where to look.
 */
const BUG_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/** Whether doing the failed work again can help, and why not when it cannot. */
export type RetryClass = { retriable: true } | { retriable: false; why: 'refused' | 'bug' };

/**
 * Can repeating the failed work help? hydra's own errors say so themselves; a library's error is
 * believed when it carries `retriable` (kafkajs does: a replication factor above the broker count
 * is `retriable: false`); a bug (TypeError, RangeError, ...) never is; any other foreign error —
 * a socket reset, a library's own failure without a word on it — is worth one more attempt.
 */
export function retryClass(err: unknown): RetryClass {
  if (err instanceof HydraError) return err.retriable ? { retriable: true } : { retriable: false, why: 'refused' };
  if (BUG_ERRORS.some((kind) => err instanceof kind)) return { retriable: false, why: 'bug' };
  const said = typeof err === 'object' && err !== null ? (err as { retriable?: unknown }).retriable : undefined;
  if (said === false) return { retriable: false, why: 'refused' };
  return { retriable: true };
}

/** True when repeating the failed work can help (see retryClass). */
export function isRetriable(err: unknown): boolean {
  return retryClass(err).retriable;
}
