import { isUserError, type UserErrorCode } from '../errors.ts';
import type { Logger } from './logger.ts';
import type { ImageRoute } from './routes.ts';
import type { ChannelSettings, Command } from './types.ts';

// In a watched channel people post all sorts of pictures; answering "no face" to each would be spam.
const QUIET_IN_WATCHED: ReadonlySet<UserErrorCode> = new Set([
  'no_face',
  'flat_image',
  'not_image',
  'rate_limited',
]);

/** What `photoAnswers` needs. */
export interface PhotoAnswersOptions {
  /** The command that answers a photo, run with the photo as its `image` option (`/lookalike`). */
  command: Command;
  /** Watched channels; without them only mentions are answered. */
  settings?: ChannelSettings;
  logger: Logger;
}

/**
 * Answers photos that @mention the bot, and every photo in a channel turned on with `/watch`, by running
 * `command` on them. Failures a member did not ask about (no face in a watched channel) stay quiet.
 */
export function photoAnswers(options: PhotoAnswersOptions): ImageRoute {
  const { command, settings, logger } = options;
  return {
    label: 'message',
    async claims(ctx, message) {
      if (message.mentioned) return true;
      if (!settings) return false;
      try {
        return await settings.isWatched(ctx.scope, ctx.channelId);
      } catch (err) {
        // A store outage should not turn every posted photo into an error reply.
        logger.warn('could not read watched channels', { scope: ctx.scope, error: err });
        return false;
      }
    },
    // Several photos in one message: answering the first keeps the channel readable.
    handle: (ctx, image, deps) => command.execute({ ctx, options: { image } }, deps),
    quiet: (error, message) => !message.mentioned && isUserError(error) && QUIET_IN_WATCHED.has(error.code),
  };
}
