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

/** The error's one-line message, whatever was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True when repeating the failed work can help. Errors from outside hydra (a library's own) count as retriable. */
export function isRetriable(err: unknown): boolean {
  return err instanceof HydraError ? err.retriable : true;
}
