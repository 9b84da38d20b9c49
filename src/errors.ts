/** Codes of the failures that users cause and can fix; each maps to a friendly message. */
export type UserErrorCode =
  | 'not_image'
  | 'corrupt_image'
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
  | 'timeout'
  | 'config';

/** An expected failure whose message is safe and useful to show to the person who caused it. */
export class UserError extends Error {
  readonly code: UserErrorCode;

  constructor(code: UserErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
}

/** True for a UserError, also one that crossed a worker boundary as a plain object. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
