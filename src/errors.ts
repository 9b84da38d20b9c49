import { type TextContext, userText } from './user-texts.ts';

/** Codes of the failures that users cause and can fix; each maps to a friendly message. */
export type UserErrorCode =
  | 'not_image'
  | 'corrupt_image'
  | 'empty_file'
  | 'file_too_large'
  | 'too_many_pixels'
  | 'no_face'
  | 'too_many_faces'
  | 'busy'
  | 'empty_gallery'
  | 'not_found'
  | 'duplicate'
  | 'forbidden'
  | 'rate_limited'
  | 'store_unavailable'
  | 'bad_input'
  | 'bad_name'
  | 'bad_pack'
  | 'flat_image'
  | 'store_moved'
  | 'timeout'
  | 'unavailable';

/** Options of `new UserError`. */
export interface UserErrorOptions {
  cause?: unknown;
}

/**
 * An expected failure whose message is safe and useful to show to the person who caused it. It carries a
 * code and structured context (`{ file: 'a.png' }`, `{ faces: 2 }`) so callers decide by data, never by
 * parsing the text. Give the context and the text comes from `src/user-texts.ts`; a one-off message
 * may still be given as a string.
 */
export class UserError extends Error {
  readonly code: UserErrorCode;
  readonly context: TextContext;

  constructor(code: UserErrorCode, detail?: string | TextContext, options?: UserErrorOptions) {
    const context = typeof detail === 'object' ? detail : {};
    super(typeof detail === 'string' ? detail : userText(code, context), options);
    this.name = 'UserError';
    this.code = code;
    this.context = context;
  }
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
