import type { Logger } from '../../chat/logger.ts';
import type { DeferOptions, Responder } from '../../chat/routes.ts';
import type { Reply } from '../../chat/types.ts';
import { RESTARTING_TEXT } from '../../user-texts.ts';
import type { ReplyTarget, SlackOutbox } from './outbox.ts';

/** Tells a member privately that the bot is restarting: Bolt acknowledged their request, so it is owed an answer. */
export async function sayRestarting(outbox: SlackOutbox, target: ReplyTarget, logger: Logger): Promise<void> {
  await outbox.ephemeral(target, { text: RESTARTING_TEXT, ephemeral: true }).catch((error: unknown) => {
    logger.debug('Slack: could not say that the bot is restarting', { error });
  });
}

/** Options for `new SlackResponder`. */
export interface SlackResponderOptions {
  /** Shown privately to the caller while a public answer is being prepared; none when unset. */
  workingText?: string;
  /** Adjusts replies before they are sent (the Slack tips added to /help). */
  decorate?: (reply: Reply) => Reply;
}

/**
 * Answers one command, photo or button press. Slack's 3-second deadline is met by the adapter, which
 * calls Bolt's `ack()` before the Bot runs, so deferring only optionally tells the caller that work has
 * started. Public answers are posted to the channel (in the thread, for photos), private ones with
 * `chat.postEphemeral` to the caller.
 */
export class SlackResponder implements Responder {
  readonly #outbox: SlackOutbox;
  readonly #target: ReplyTarget;
  readonly #logger: Logger;
  readonly #options: SlackResponderOptions;
  #deferred = false;

  constructor(outbox: SlackOutbox, target: ReplyTarget, logger: Logger, options: SlackResponderOptions = {}) {
    this.#outbox = outbox;
    this.#target = target;
    this.#logger = logger;
    this.#options = options;
  }

  get deferred(): boolean {
    return this.#deferred;
  }

  async defer(opts: DeferOptions = {}): Promise<void> {
    if (this.#deferred) return;
    this.#deferred = true;
    // A member waiting in the queue is told their place instead of "working on it", even for private answers.
    const text = opts.note ?? (opts.ephemeral ? undefined : this.#options.workingText);
    if (!text || !this.#target.userId) return;
    // Cosmetic: a failed note must not stop the answer.
    await this.#outbox.ephemeral(this.#target, { text, ephemeral: true }).catch((error: unknown) => {
      this.#logger.debug('Slack: could not post the working note', { error });
    });
  }

  async send(reply: Reply): Promise<void> {
    const out = this.#options.decorate ? this.#options.decorate(reply) : reply;
    if (out.ephemeral && this.#target.userId) {
      await this.#outbox.ephemeral(this.#target, out);
      return;
    }
    await this.#outbox.publish(this.#target, out);
  }
}
