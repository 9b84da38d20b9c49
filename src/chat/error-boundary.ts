import { randomBytes } from 'node:crypto';
import { isUserError } from '../errors.ts';
import type { Logger } from './logger.ts';
import type { Reply } from './types.ts';

/** The part of a `Responder` the boundary needs. */
export interface BoundaryResponder {
  readonly deferred: boolean;
  send(reply: Reply): Promise<void>;
}

/** What the boundary logs with an unexpected error; never tokens or message contents. */
export interface BoundaryContext {
  command: string;
  platform: string;
  userId: string;
  scope?: string;
  channelId?: string;
}

/** A short random id that ties a user's "something went wrong" reply to the log line. */
export function newErrorId(): string {
  return randomBytes(3).toString('hex');
}

/** The reply shown for an unexpected error. */
export function unexpectedErrorReply(errorId: string): Reply {
  return { text: `Sorry, something went wrong (error id ${errorId}).`, ephemeral: true };
}

/**
 * Runs `work` and turns any failure into one ephemeral reply: a UserError's own text, or a generic
 * message with an error id that is also logged with the context. Never throws, so one bad event cannot
 * take the platform connection down. Returns the error id of an unexpected error, if any.
 */
export async function withErrorBoundary(
  responder: BoundaryResponder,
  context: BoundaryContext,
  logger: Logger,
  work: () => Promise<void>,
): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (err) {
    let reply: Reply;
    let errorId: string | undefined;
    if (isUserError(err)) {
      logger.debug('user error', { ...context, code: err.code, deferred: responder.deferred });
      reply = { text: err.message, ephemeral: true };
    } else {
      errorId = newErrorId();
      // `deferred` tells whoever reads the log whether the user saw a "thinking…" placeholder first.
      logger.error(`command failed (error id ${errorId})`, {
        ...context,
        errorId,
        deferred: responder.deferred,
        error: err,
      });
      reply = unexpectedErrorReply(errorId);
    }
    try {
      await responder.send(reply);
    } catch (sendErr) {
      // The interaction may have expired or the channel gone; nothing more can be told to the user.
      logger.warn('could not send the error reply', { ...context, errorId, error: sendErr });
    }
    return errorId;
  }
}
