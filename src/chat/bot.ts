import { isUserError, UserError, type UserErrorCode } from '../errors.ts';
import { fetchAvatar } from './download.ts';
import { type BoundaryContext, withErrorBoundary } from './error-boundary.ts';
import type { Logger } from './logger.ts';
import { looksLikeImage } from './options.ts';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import type { Attachment, ChatContext, ChatUser, Command, CommandInput, Deps, Reply } from './types.ts';

/** How an adapter answers one command or message; the Bot drives it, the adapter renders natively. */
export interface Responder {
  /** Acknowledges now and answers later (Discord's 3-second deadline, Slack's ack); safe to call twice. */
  defer(opts?: { ephemeral?: boolean }): Promise<void>;
  /** Sends the answer, replacing the deferred placeholder when there is one. */
  send(reply: Reply): Promise<void>;
  readonly deferred: boolean;
}

/** Options for `new Bot`. */
export interface BotOptions {
  deps: Deps;
  commands: Command[];
  /** Platform ids (`1234`) or qualified ids (`discord:1234`) with admin rights everywhere. */
  adminUserIds: string[];
  logger: Logger;
  /** Per-user token bucket; `false` turns it off (default: a burst of 5, then 1 every 6 s). */
  rateLimit?: RateLimitOptions | false;
}

/** What `handleImageMessage` needs to know about the message. */
export interface ImageMessageOptions {
  /** The bot was @mentioned, so it answers even outside watched channels. */
  mentioned: boolean;
}

// In a watched channel people post all sorts of pictures; answering "no face" to each would be spam.
const QUIET_IN_WATCHED: ReadonlySet<UserErrorCode> = new Set(['no_face', 'not_image', 'rate_limited']);

/** Handles a pressed button whose id starts with the prefix it was registered under. */
export type ButtonHandler = (ctx: ChatContext, buttonId: string, responder: Responder) => Promise<void>;

/** Takes photos posted in a channel ahead of watched channels and mentions (a lookalike battle). */
export interface ImageRoute {
  /** Whether photos posted in this channel go here now; asked for every posted photo, so keep it cheap. */
  claims(ctx: ChatContext): boolean;
  /** Answers the photo. */
  handle(ctx: ChatContext, image: Attachment): Promise<Reply>;
}

/** The platform-neutral bot: permission checks, rate limits, deferral, commands and one error boundary. */
export class Bot {
  /** The dependencies commands get, with defaults filled in. */
  readonly deps: Deps & Required<Pick<Deps, 'now' | 'fetchAvatar'>>;
  readonly logger: Logger;
  readonly #commands = new Map<string, Command>();
  readonly #admins: ReadonlySet<string>;
  readonly #limiter: RateLimiter | undefined;
  readonly #buttons = new Map<string, ButtonHandler>();
  readonly #imageRoutes: ImageRoute[] = [];

  constructor(options: BotOptions) {
    this.deps = {
      ...options.deps,
      now: options.deps.now ?? Date.now,
      fetchAvatar: options.deps.fetchAvatar ?? fetchAvatar,
    };
    this.logger = options.logger;
    for (const command of options.commands) {
      if (this.#commands.has(command.data.name)) throw new Error(`duplicate command /${command.data.name}`);
      this.#commands.set(command.data.name, command);
    }
    this.#admins = new Set(options.adminUserIds.map((id) => id.trim()).filter((id) => id !== ''));
    const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    this.#limiter = rate === false ? undefined : new RateLimiter(rate, this.deps.now);
  }

  /** Every command, in registration order (adapters register them with the platform). */
  get commands(): Command[] {
    return [...this.#commands.values()];
  }

  /** Whether the user may run admin commands: platform rights, or listed in ADMIN_USER_IDS. */
  isAdmin(user: ChatUser): boolean {
    return user.isPlatformAdmin || this.#admins.has(user.platformId) || this.#admins.has(user.id);
  }

  /** Whether a command (or the given subcommand) is for admins only. */
  requiresAdmin(command: Command, subcommand?: string): boolean {
    if (command.data.requires?.includes('admin')) return true;
    const sub = command.data.subcommands?.find((s) => s.name === subcommand);
    return sub?.requires?.includes('admin') ?? false;
  }

  /** Runs a command for `input.ctx.user` and answers through `responder`; never throws. */
  async handleCommand(name: string, input: CommandInput, responder: Responder): Promise<void> {
    const command = this.#commands.get(name);
    const label = input.subcommand ? `${name} ${input.subcommand}` : name;
    await withErrorBoundary(responder, this.#context(label, input.ctx), this.logger, async () => {
      if (!command) throw new UserError('not_found', `I don't know the command /${name}.`);
      if (this.requiresAdmin(command, input.subcommand) && !this.isAdmin(input.ctx.user)) {
        throw new UserError('forbidden', `Only admins can use /${label}.`);
      }
      this.#takeToken(input.ctx.user);
      // Before any download or inference: the platform's acknowledgement deadline is a few seconds.
      await responder.defer({ ephemeral: command.data.ephemeral === true });
      const started = this.deps.now();
      const reply = await command.execute(input, this.deps);
      await responder.send(reply);
      this.logger.debug('command answered', {
        ...this.#context(label, input.ctx),
        ms: this.deps.now() - started,
      });
    });
  }

  /**
   * Answers a photo posted in a channel: through a route that claims the channel (a game in progress),
   * else like `/lookalike` does when the channel is watched or the bot was mentioned. Returns whether
   * it answered.
   */
  async handleImageMessage(
    ctx: ChatContext,
    attachments: Attachment[],
    opts: ImageMessageOptions,
    responder: Responder,
  ): Promise<boolean> {
    const image = attachments.find(looksLikeImage);
    if (!image) return false;
    const route = this.#imageRoutes.find((r) => r.claims(ctx));
    if (route) {
      await withErrorBoundary(responder, this.#context('game photo', ctx), this.logger, async () => {
        this.#takeToken(ctx.user);
        await responder.defer();
        await responder.send(await route.handle(ctx, image));
      });
      return true;
    }
    const lookalike = this.#commands.get('lookalike');
    if (!lookalike) return false;
    if (!opts.mentioned && !(await this.#isWatched(ctx))) return false;

    let answered = true;
    await withErrorBoundary(responder, this.#context('message', ctx), this.logger, async () => {
      try {
        this.#takeToken(ctx.user);
        await responder.defer();
        // Several photos in one message: answering the first keeps the channel readable.
        const reply = await lookalike.execute({ ctx, options: { image } }, this.deps);
        await responder.send(reply);
      } catch (err) {
        if (!opts.mentioned && isUserError(err) && QUIET_IN_WATCHED.has(err.code)) {
          this.logger.debug('stayed quiet on a watched-channel photo', {
            ...this.#context('message', ctx),
            code: err.code,
          });
          answered = false;
          return;
        }
        throw err;
      }
    });
    return answered;
  }

  /** Routes presses of buttons whose id starts with `prefix` (e.g. `game:`) to `handler`. */
  onButton(prefix: string, handler: ButtonHandler): void {
    this.#buttons.set(prefix, handler);
  }

  /** Sends photos posted in channels that `route` claims to it, before the watched-channel logic. */
  routeImages(route: ImageRoute): void {
    this.#imageRoutes.push(route);
  }

  /** Answers a pressed button (`ReplyButton.id`); adapters call this for every button event. */
  async handleButton(ctx: ChatContext, buttonId: string, responder: Responder): Promise<void> {
    await withErrorBoundary(responder, this.#context(`button ${buttonId}`, ctx), this.logger, async () => {
      const prefix = [...this.#buttons.keys()].find((p) => buttonId.startsWith(p));
      const handler = prefix === undefined ? undefined : this.#buttons.get(prefix);
      if (!handler) throw new UserError('not_found', 'That button has expired.');
      await handler(ctx, buttonId, responder);
    });
  }

  async #isWatched(ctx: ChatContext): Promise<boolean> {
    if (!this.deps.settings) return false;
    try {
      return await this.deps.settings.isWatched(ctx.scope, ctx.channelId);
    } catch (err) {
      // A store outage should not turn every posted photo into an error reply.
      this.logger.warn('could not read watched channels', { scope: ctx.scope, error: err });
      return false;
    }
  }

  #takeToken(user: ChatUser): void {
    const decision = this.#limiter?.take(user.id);
    if (decision && !decision.ok) {
      const s = decision.retryAfterSeconds;
      throw new UserError(
        'rate_limited',
        `You're going a bit fast! Try again in ${s} second${s === 1 ? '' : 's'}.`,
      );
    }
  }

  #context(command: string, ctx: ChatContext): BoundaryContext {
    return {
      command,
      platform: ctx.platform,
      userId: ctx.user.id,
      scope: ctx.scope,
      channelId: ctx.channelId,
    };
  }
}
