import { type TextContext, type UserErrorCode, userText } from './user-texts.ts';

export type { UserErrorCode };

/** Options of `new UserError`. */
export interface UserErrorOptions {
  cause?: unknown;
}

/**
 * An expected failure whose message is safe and useful to show to the person who caused it. It carries a
 * code and structured context (`{ text: 'name_taken', name }`, `{ faces: 2 }`) so callers decide by data,
 * never by parsing the text; the text comes from `src/user-texts.ts` and cannot be given here. Errors from
 * worker threads and the queue are rebuilt from the code and the context, so they say the same.
 */
export class UserError extends Error {
  readonly code: UserErrorCode;
  readonly context: TextContext;

  constructor(code: UserErrorCode, context: TextContext = {}, options?: UserErrorOptions) {
    super(userText(code, context), options);
    this.name = 'UserError';
    this.code = code;
    this.context = context;
  }
}

/**
 * A UserError rebuilt from what another thread or process sent: its code and context, never its text,
 * so it says the same sentence here (also after a wording change on this side). A peer's newer code or
 * identifier gets this side's neutral sentence instead of a crash.
 */
export function userErrorFrom(code: string, context: TextContext = {}): UserError {
  return new UserError(code as UserErrorCode, context);
}

/** True for a UserError. Errors from worker threads are rebuilt as UserErrors before they get here. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/**
 * A mistake in how the operator set Lookalike up (an environment variable, a store URL, a refused token,
 * a taken port): shown on the console at start-up, never to chat members.
 */
export class ConfigError extends Error {
  readonly code = 'config' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** True for a ConfigError. */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
