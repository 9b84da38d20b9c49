// The GameManager runs the pure game rules for real: one game per channel, events serialised per channel,
// state persisted with timers restored after a restart, and messages posted and edited through a Poster.
// Locks, states and timers come from a GameSync: this process's own, or shared by bot processes on Redis.
import { randomBytes } from 'node:crypto';
import { plural } from '../chat/format.ts';
import type { Logger } from '../chat/logger.ts';
import type { ChatRoutes, Responder } from '../chat/routes.ts';
import type { Attachment, ChatContext, Reply } from '../chat/types.ts';
import type { LookalikeService } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { RunningWork } from '../util/running-work.ts';
import { battleSelfie, standings } from './battle.ts';
import { type Clock, systemClock } from './clock.ts';
import { type EffectEnv, runEffects } from './effects.ts';
import type { GameFaces } from './faces.ts';
import { GAME_BUTTON_PREFIX, guessAnswer, guessTimer, parseGameButton } from './guess.ts';
import { type Board, type LeaderboardRow, Leaderboards } from './leaderboard.ts';
import { OptIns } from './optins.ts';
import { EditQueue, type Poster } from './poster.ts';
import { renderView } from './render.ts';
import { endGame, type GameState, withoutPlayer } from './rules.ts';
import {
  type BattleOptions,
  type GuessOptions,
  type JoinOptions,
  keptText,
  type Prepared,
  prepareBattle,
  prepareGuess,
  prepareJoin,
  prepareSelfie,
  prepareTwins,
  type TwinsOptions,
} from './setup.ts';
import { GameCache, type GameSync, type Lease, localSync } from './sync.ts';
import { twinsJoin, twinsOpen } from './twins.ts';
import {
  channelKey,
  DEFAULT_TIMING,
  type GameTiming,
  type OptIn,
  type Outcome,
  playerOf,
  type View,
} from './types.ts';

const ALREADY_RUNNING =
  'A game is already running in this channel: wait for it to end, or end it with `/game stop`.';

/** Options for `new GameManager`. */
export interface GameManagerOptions {
  /** Where games ('games'), leaderboards ('leaderboards') and twin-finder opt-ins ('optin') live. */
  store: Pick<Store, 'namespace'>;
  service: LookalikeService;
  faces: GameFaces;
  poster: Poster;
  logger: Logger;
  clock?: Clock;
  /** Numbers in [0, 1) for picking faces and answers (default Math.random). */
  random?: () => number;
  timing?: Partial<GameTiming>;
  /** Locks, states and timers shared with other bot processes (src/coordination); default: this process's. */
  sync?: GameSync;
}

/** Runs every channel's game; see the module comment. One per process; processes share games through `sync`. */
export class GameManager {
  readonly leaderboards: Leaderboards;
  readonly #games: GameCache;
  readonly #sync: GameSync;
  readonly #work = new RunningWork();
  // The battle leader's face crop, by game id: memory only, dropped at the announcement (never stored).
  readonly #leaderFaces = new Map<string, { userId: string; face: Uint8Array }>();
  readonly #optIns: OptIns;
  readonly #edits: EditQueue<View>;
  readonly #effects: EffectEnv;
  readonly #options: GameManagerOptions;
  readonly #clock: Clock;
  readonly #timing: GameTiming;
  readonly #log: Logger;
  #running = false;

  constructor(options: GameManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#log = options.logger;
    this.#sync = options.sync ?? localSync(options.store.namespace<GameState>('games'), this.#clock);
    this.#games = new GameCache(this.#sync);
    this.#optIns = new OptIns(options.store.namespace<OptIn>('optin'), options.faces, options.logger);
    this.leaderboards = new Leaderboards(options.store.namespace<Board>('leaderboards'));
    this.#edits = new EditQueue(
      async (ref, view) => options.poster.edit(ref, await this.#render(view)),
      options.logger,
    );
    this.#effects = {
      leaderboards: this.leaderboards,
      optIns: this.#optIns,
      games: this.#games,
      edits: this.#edits,
      poster: options.poster,
      render: (view) => this.#render(view),
      log: options.logger,
    };
  }

  /**
   * Loads the games in progress and schedules their next deadline; one already past fires at once.
   * A store that is down is logged, not thrown: the bot starts anyway, and the games resume next start.
   */
  async start(): Promise<void> {
    this.#running = true;
    await this.#sync.timers.start((key, gameId, at) => this.#fire(key, gameId, at));
    try {
      // Keys first: deleting while iterating may make SQLite skip entries.
      for (const key of await this.#sync.states.keys()) {
        await this.#locked(key, async (lease) => {
          const state = await this.#sync.states.get(key);
          if (!state || state.done) return this.#sync.states.delete(key, lease);
          this.#games.remember(key, state);
          // Shared timers are armed already; arming again is a no-op there, and covers a lost one.
          await this.#schedule(key, state);
        });
      }
    } catch (error) {
      this.#log.error('could not restore the games in progress', { error });
    }
    if (this.#games.size > 0) this.#log.info('games restored', { games: this.#games.size });
  }

  /** Stops the timers and waits for running work; the games stay stored and resume on the next `start`. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#sync.timers.stop();
    await this.settled();
  }

  /** Resolves once no event, timer or message edit is in progress (tests wait on it). */
  async settled(): Promise<void> {
    do {
      await this.#work.drain();
      await this.#edits.idle();
    } while (this.#work.size > 0);
  }

  /** Routes game buttons, and the selfies posted during a battle, here. */
  attach(routes: ChatRoutes): void {
    routes.onButton(GAME_BUTTON_PREFIX, (ctx, id, responder) => this.press(ctx, id, responder));
    routes.routeImages({
      label: 'game photo',
      claims: async (ctx) =>
        (await this.#games.load(channelKey(ctx.scope, ctx.channelId)).catch(() => undefined))?.kind ===
        'battle',
      handle: (ctx, image) => this.submit(ctx, image),
    });
  }

  /** The game running in a channel as this process last saw it. States are never mutated: a safe snapshot. */
  current(scope: string, channelId: string): GameState | undefined {
    return this.#games.seen(channelKey(scope, channelId));
  }

  /** `/game guess`: posts round 1 and returns the command's reply. */
  startGuess(ctx: ChatContext, options: GuessOptions = {}): Promise<Reply> {
    const env = { timing: this.#timing, random: this.#options.random ?? Math.random };
    return this.#start(ctx, () => prepareGuess(this.#options.service, ctx, options, env));
  }

  /** `/game battle`: posts the live board and returns the command's reply (with the celebrity's face). */
  startBattle(ctx: ChatContext, options: BattleOptions): Promise<Reply> {
    return this.#start(ctx, () => prepareBattle(this.#options.service, ctx, options));
  }

  /** `/game twins`: posts the lobby and returns the command's reply. */
  startTwins(ctx: ChatContext, options: TwinsOptions = {}): Promise<Reply> {
    return this.#start(ctx, () => prepareTwins(options));
  }

  /** A press of a game button: answers privately with what it did. */
  async press(ctx: ChatContext, buttonId: string, responder: Responder): Promise<void> {
    const button = parseGameButton(buttonId);
    if (!button) throw new UserError('not_found', { button: buttonId });
    await responder.defer({ ephemeral: true });
    const key = channelKey(ctx.scope, ctx.channelId);
    const notice = await this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      if (!state || state.id !== button.gameId || state.kind !== 'guess') return 'That game is over.';
      const now = this.#clock.now();
      const outcome = guessAnswer(state, {
        player: playerOf(ctx),
        round: button.round,
        choice: button.choice,
        now,
      });
      if (outcome.state !== state) await this.#commit(key, outcome, lease);
      return outcome.notice;
    });
    if (notice) await responder.send({ text: notice, ephemeral: true });
  }

  /** A selfie for the battle in this channel (posted, or `/game submit`): scores it, keeps nothing. */
  async submit(ctx: ChatContext, image: Attachment): Promise<Reply> {
    const key = channelKey(ctx.scope, ctx.channelId);
    const started = await this.#games.load(key);
    const selfie = await prepareSelfie(this.#options.faces, started, image, this.#clock.now());
    const player = playerOf(ctx);
    const notice = await this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      if (!state || state.id !== selfie.gameId || state.kind !== 'battle') return 'The battle is over.';
      const outcome = battleSelfie(state, { player, score: selfie.score, now: this.#clock.now() });
      if (outcome.state === state) return outcome.notice;
      const leader = standings(outcome.state)[0];
      if (leader?.id === player.id && leader.score === selfie.score) {
        this.#leaderFaces.set(state.id, { userId: player.id, face: selfie.face });
      }
      await this.#commit(key, outcome, lease);
      return outcome.notice;
    });
    return { text: notice ?? 'The battle is over.' };
  }

  /** `/game join`: opts into the twin finder with a selfie (or the one kept from an earlier game). */
  async join(ctx: ChatContext, options: JoinOptions): Promise<Reply> {
    const key = channelKey(ctx.scope, ctx.channelId);
    const player = playerOf(ctx);
    const stored = await this.#optIns.get(player.id);
    const optIn = await prepareJoin(
      this.#options.faces,
      await this.#games.load(key),
      options,
      stored,
      this.#clock.now(),
    );
    const notice = await this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      const now = this.#clock.now();
      if (state?.id !== optIn.gameId || state.kind !== 'twins' || !twinsOpen(state, now)) return undefined;
      // Stored only now, once the game is known to be open: joining is the member's consent.
      await this.#optIns.set(player.id, optIn.value);
      const outcome = twinsJoin(state, { player, now });
      if (outcome.state !== state) await this.#commit(key, outcome, lease);
      return outcome.notice;
    });
    if (notice === undefined) throw new UserError('not_found', 'The twin finder is over.');
    return { text: `${notice} ${keptText(optIn.value.keep)}`, ephemeral: true };
  }

  /** `/game stop`: ends the channel's game now; only who started it or a platform admin may. */
  async stopGame(ctx: ChatContext): Promise<Reply> {
    const key = channelKey(ctx.scope, ctx.channelId);
    return this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      if (!state) throw new UserError('not_found', 'No game is running in this channel.');
      if (state.startedBy.id !== ctx.user.id && !ctx.user.isPlatformAdmin) {
        throw new UserError(
          'forbidden',
          `Only ${state.startedBy.name}, who started this game, or a server admin can end it.`,
        );
      }
      await this.#commit(key, await this.#end(state), lease);
      return { text: `Game ended by ${ctx.user.displayName}.` };
    });
  }

  /** The channel's leaderboard, best first. */
  leaderboard(ctx: ChatContext, limit = 10): Promise<LeaderboardRow[]> {
    return this.leaderboards.top(channelKey(ctx.scope, ctx.channelId), limit);
  }

  /** Deletes what games keep about a member (`/forget`); returns what went, as lines for the reply. */
  async forget(userId: string): Promise<string[]> {
    let games = 0;
    for (const key of await this.#games.channels()) {
      await this.#locked(key, async (lease) => {
        const state = await this.#games.load(key);
        if (!state) return;
        const outcome = withoutPlayer(state, userId);
        if (outcome.state === state) return;
        games++;
        if (this.#leaderFaces.get(state.id)?.userId === userId) this.#leaderFaces.delete(state.id);
        await this.#commit(key, outcome, lease);
      });
    }
    let boards = 0;
    for (const key of await this.leaderboards.keys()) {
      if (await this.#locked(key, () => this.leaderboards.remove(key, userId))) boards++;
    }
    const lines: string[] = [];
    if (await this.#optIns.delete(userId)) lines.push('your twin-finder selfie');
    if (boards > 0) lines.push(`your points on ${plural(boards, 'leaderboard')}`);
    if (games > 0) lines.push(`your part in ${plural(games, 'game')} in progress`);
    return lines;
  }

  /** Runs `fn` alone for the channel (in every process sharing `sync`), counted as running work. */
  #locked<R>(key: string, fn: (lease: Lease) => Promise<R>): Promise<R> {
    return this.#work.track(this.#sync.locks.run(key, fn));
  }

  /** Prepares a game (gallery, options), then creates it if the channel has none, and gives the reply. */
  async #start(ctx: ChatContext, prepare: () => Prepared | Promise<Prepared>): Promise<Reply> {
    if (!this.#options.poster.supports(ctx.platform))
      throw new UserError('unavailable', { feature: 'posting' });
    const { create, reply } = await prepare();
    const key = channelKey(ctx.scope, ctx.channelId);
    await this.#locked(key, async (lease) => {
      const running = await this.#games.load(key);
      if (running) throw new UserError('duplicate', ALREADY_RUNNING);
      const outcome = create({
        id: randomBytes(4).toString('hex'),
        platform: ctx.platform,
        scope: ctx.scope,
        channelId: ctx.channelId,
        startedBy: playerOf(ctx),
        now: this.#clock.now(),
      });
      await this.#commit(key, outcome, lease, true);
    });
    return reply;
  }

  /** Applies an outcome: stores and keeps the state, runs the effects in order, reschedules the timer. */
  async #commit(key: string, outcome: Outcome<GameState>, lease: Lease, create = false): Promise<void> {
    // Saved before anything is posted: a store that is down refuses a new game instead of losing it.
    if (create) await this.#sync.states.set(key, outcome.state, lease);
    else await this.#save(key, outcome.state, lease);
    this.#games.remember(key, outcome.state);
    const { state, posted } = await runEffects(key, outcome.state, outcome.effects, this.#effects);
    if (state.done) {
      this.#games.forgetKey(key);
      this.#leaderFaces.delete(state.id);
      await this.#schedule(key, state);
      await this.#sync.states
        .delete(key, lease)
        .catch((error: unknown) => this.#log.error('could not delete a game', { key, error }));
      return;
    }
    if (posted) {
      this.#games.remember(key, state);
      await this.#save(key, state, lease);
    }
    await this.#schedule(key, state);
  }

  async #save(key: string, state: GameState, lease: Lease): Promise<void> {
    try {
      await this.#sync.states.set(key, state, lease);
    } catch (error) {
      // Other processes read the shared state, so going on from memory would split the game.
      if (this.#sync.shared) throw error;
      // The game goes on from memory; the next save catches up, only a restart in between loses it.
      this.#log.error('could not save a game', { key, error });
    }
  }

  async #schedule(key: string, state: GameState): Promise<void> {
    const at = this.#running && !state.done ? state.deadline : null;
    await this.#sync.timers
      .schedule(key, state.id, at)
      .catch((error: unknown) => this.#log.error('could not arm a game timer', { key, error }));
  }

  /** A deadline `at` is due; shared timers may also bring one that an answer has since moved. */
  async #fire(key: string, gameId: string, at: number): Promise<void> {
    try {
      await this.#locked(key, async (lease) => {
        const state = await this.#games.load(key);
        if (!state || state.id !== gameId || state.deadline === null) return;
        // An answer moved the deadline while this timer waited: its own timer is armed (arming is idempotent).
        if (state.deadline > Math.max(at, this.#clock.now())) return this.#schedule(key, state);
        const outcome =
          state.kind === 'guess' ? guessTimer(state, this.#clock.now()) : await this.#end(state);
        await this.#commit(key, outcome, lease);
      });
    } catch (error) {
      this.#log.error('a game timer failed', { key, error });
      // Shared timers retry a deadline that failed (in this process or another); local ones log it.
      throw error;
    }
  }

  /** Ends a game now: time is up, or `/game stop`. */
  async #end(state: GameState): Promise<Outcome<GameState>> {
    return endGame(state, state.kind === 'twins' ? await this.#optIns.result(state) : undefined);
  }

  #render(view: View): Promise<Reply> {
    return renderView(view, {
      thumbnail: (gallery, slug) => this.#options.service.thumbnail(gallery, slug),
      winnerFace: (gameId) => this.#leaderFaces.get(gameId)?.face,
      optInThumbnail: async (userId) => (await this.#optIns.get(userId))?.thumbnail,
    });
  }
}
