/**
 * One error hierarchy for the whole library. Only the CLI turns these into exit codes;
 * library callers (notebooks) get typed errors with a message a person can act on.
 */
export class HydraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flag, ini key or value. `source` names the flag (`--msg_rate`) or ini key (`[broker] brokers`). */
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

/** An app did not answer a control request in time. */
export class ControlTimeoutError extends HydraError {
  constructor(
    readonly endpoint: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to '${command}' from ${endpoint} within ${timeoutMs} ms`);
  }
}

/** An app answered a control request with an error reply. */
export class ControlReplyError extends HydraError {}

/** An app process could not be started, or died before reporting its control address. */
export class AppLaunchError extends HydraError {}

/** A test point could not be measured (apps died, broker failed, publisher errors). */
export class PointError extends HydraError {}

/** A study id or file that does not exist or cannot be read. */
export class StudyError extends HydraError {}
