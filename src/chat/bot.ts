import { isUserError, UserError } from '../errors.ts';
import { Admission, type Admitted } from './admission.ts';
import { fetchAvatar } from './download.ts';
import { type BoundaryContext, withErrorBoundary } from './error-boundary.ts';
import type { Logger } from './logger.ts';
import { claimsImage, looksLikeImage } from './options.ts';
import { DEFAULT_RATE_LIMIT, type RateLimit, RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import type { ButtonHandler, ChatRoutes, ImageMessageOptions, ImageRoute, Responder } from './routes.ts';
import type { Attachment, ChatContext, ChatUser, Command, CommandInput, Deps, Requirement } from './types.ts';

/** Options for `new Bot`. */
export interface BotOptions {
  deps: Deps;
  commands: Command[];
  /** Platform ids (`1234`) or qualified ids (`discord:1234`) with admin rights everywhere. */
  adminUserIds: string[];
  logger: Logger;
  /** Per-user token bucket; `false` turns it off (default: a burst of 5, then 1 every 6 s). */
  rateLimit?: RateLimitOptions | false;
  /** Expected wait from which a member is told their place in the face engine's queue (default 3 s). */
  queueNoteMs?: number;
  /** Decides instead of this process's own buckets (several bot processes share one through Redis). */
  limiter?: RateLimit;
}

/** The platform-neutral bot: permission checks, rate limits, deferral, commands and one error boundary. */
export class Bot implements ChatRoutes {
  /** The dependencies commands get, with defaults filled in. */
  readonly deps: Deps & Required<Pick<Deps, 'now' | 'fetchAvatar'>>;
  readonly logger: Logger;
  readonly #commands = new Map<string, Command>();
  readonly #admins: ReadonlySet<string>;
  readonly #limiter: RateLimit | undefined;
  readonly #buttons = new Map<string, ButtonHandler>();
  readonly #imageRoutes: ImageRoute[] = [];
  readonly #admission: Admission;

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
    this.#limiter = rate === false ? undefined : (options.limiter ?? new RateLimiter(rate, this.deps.now));
    this.#admission = new Admission(this.deps.service, options.queueNoteMs);
  }

  /** Every command, in registration order (adapters register them with the platform). */
  get commands(): Command[] {
    return [...this.#commands.values()];
  }

  /** Whether the user may run admin commands: platform rights, or listed in ADMIN_USER_IDS. */
  isAdmin(user: ChatUser): boolean {
    return user.isPlatformAdmin || this.#admins.has(user.platformId) || this.#admins.has(user.id);
  }

  /** What a command (and the given subcommand) requires, the command's own first. */
  requirements(command: Command, subcommand?: string): Requirement[] {
    const sub = command.data.subcommands?.find((s) => s.name === subcommand);
    return [...(command.data.requires ?? []), ...(sub?.requires ?? [])];
  }

  /** Whether a command (or the given subcommand) runs the face engine, so is admitted by its load. */
  usesEngine(command: Command, subcommand?: string): boolean {
    const sub = command.data.subcommands?.find((s) => s.name === subcommand);
    return command.data.usesEngine === true || sub?.usesEngine === true;
  }

  /** Whether a command (or the given subcommand) is for admins only. */
  requiresAdmin(command: Command, subcommand?: string): boolean {
    return this.requirements(command, subcommand).includes('admin');
  }

  // Checked once here for every command: admin rights, then the optional parts the command needs.
  #checkRequirements(command: Command, label: string, input: CommandInput): void {
    // Platforms offer the others only where the bot is installed; a stale registration must not reach them.
    if (input.ctx.outsideServer && !command.data.userInstallable) {
      throw new UserError('unavailable', { feature: 'outside' });
    }
    const needs = this.requirements(command, input.subcommand);
    if (needs.includes('admin') && !this.isAdmin(input.ctx.user)) {
      throw new UserError('forbidden', { command: label });
    }
    for (const need of needs) {
      if (need !== 'admin' && this.deps[need] === undefined)
        throw new UserError('unavailable', { feature: need });
    }
  }

  /** Runs a command for `input.ctx.user` and answers through `responder`; never throws. */
  async handleCommand(name: string, input: CommandInput, responder: Responder): Promise<void> {
    const command = this.#commands.get(name);
    const label = input.subcommand ? `${name} ${input.subcommand}` : name;
    await withErrorBoundary(responder, this.#context(label, input.ctx), this.logger, async () => {
      if (!command) throw new UserError('not_found', { command: name });
      this.#checkRequirements(command, label, input);
      await this.#takeToken(input.ctx.user);
      // Refused here, a busy engine costs one reply; taken, the job holds its place until answered.
      const job = this.usesEngine(command, input.subcommand) ? this.#admission.admit() : undefined;
      try {
        // Before any download or inference: the platform's acknowledgement deadline is a few seconds.
        await responder.defer({ ephemeral: command.data.ephemeral === true, note: job?.note });
        const started = this.deps.now();
        const reply = await command.execute(input, this.deps);
        await responder.send(reply);
        this.logger.debug('command answered', {
          ...this.#context(label, input.ctx),
          ms: this.deps.now() - started,
        });
      } finally {
        job?.release();
      }
    });
  }

  /**
   * Answers a photo posted in a channel through the first route that claims it (a game in progress, then
   * watched channels and mentions, as `src/main.ts` registers them). Returns whether it answered.
   */
  async handleImageMessage(
    ctx: ChatContext,
    attachments: Attachment[],
    message: ImageMessageOptions,
    responder: Responder,
  ): Promise<boolean> {
    // A file that claims to be a photo first; a generic one (octet-stream) is decided by its bytes later.
    const image = attachments.find(claimsImage) ?? attachments.find(looksLikeImage);
    if (!image) return false;
    let route: ImageRoute | undefined;
    for (const candidate of this.#imageRoutes) {
      if (await candidate.claims(ctx, message)) {
        route = candidate;
        break;
      }
    }
    if (!route) return false;
    let answered = true;
    await withErrorBoundary(responder, this.#context(route.label, ctx), this.logger, async () => {
      let job: Admitted | undefined;
      try {
        await this.#takeToken(ctx.user);
        // Every image route analyses the photo (a battle selfie, a lookalike answer).
        job = this.#admission.admit();
        await responder.defer({ note: job.note });
        await responder.send(await route.handle(ctx, image, this.deps));
      } catch (err) {
        if (isUserError(err) && route.quiet?.(err, message)) {
          this.logger.debug('stayed quiet on a posted photo', {
            ...this.#context(route.label, ctx),
            code: err.code,
          });
          answered = false;
          return;
        }
        throw err;
      } finally {
        job?.release();
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
      if (!handler) throw new UserError('not_found', { button: buttonId });
      await handler(ctx, buttonId, responder);
    });
  }

  async #takeToken(user: ChatUser): Promise<void> {
    const decision = await this.#limiter?.take(user.id);
    if (decision && !decision.ok) {
      throw new UserError('rate_limited', { seconds: decision.retryAfterSeconds });
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
