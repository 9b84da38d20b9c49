// The GameManager runs the pure game rules for real: one game per channel, events serialised per channel,
// state persisted with timers restored after a restart, and messages posted and edited through a Poster.
// Locks, states and timers come from a GameSync: this process's own, or shared by bot processes on Redis.
import { randomBytes } from 'node:crypto';
import { plural } from '../chat/format.ts';
import type { Logger } from '../chat/logger.ts';
import type { ChatRoutes, Responder } from '../chat/routes.ts';
import type { ChatContext, Poster, Reply } from '../chat/types.ts';
import type { LookalikeService } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { textOf } from '../user-texts.ts';
import { RunningWork } from '../util/running-work.ts';
import { type Clock, systemClock } from './clock.ts';
import type { GameEnv, GamePlay } from './definition.ts';
import { type EffectEnv, runEffects } from './effects.ts';
import type { GameFaces } from './faces.ts';
import { type Board, type LeaderboardRow, Leaderboards } from './leaderboard.ts';
import { OptIns } from './optins.ts';
import { EditQueue } from './poster.ts';
import { definitionOf, type GameState, withoutPlayer } from './registry.ts';
import { renderView } from './render.ts';
import { GameCache, type GameSync, type Lease, localSync } from './sync.ts';
import {
  channelKey,
  DEFAULT_TIMING,
  GAME_BUTTON_PREFIX,
  type GameTiming,
  gameOfButton,
  type OptIn,
  type Outcome,
  playerOf,
  type View,
} from './types.ts';

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

/**
 * Runs every channel's game through its definition (`registry.ts`); see the module comment. One per process;
 * processes share games through `sync`.
 */
export class GameManager implements GamePlay {
  readonly leaderboards: Leaderboards;
  readonly #games: GameCache;
  readonly #sync: GameSync;
  readonly #work = new RunningWork();
  // Face crops by game id (a battle's leader): memory only, dropped when the game ends (never stored).
  readonly #memoryFaces = new Map<string, { userId: string; face: Uint8Array }>();
  readonly #optIns: OptIns;
  readonly #env: GameEnv;
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
    this.#env = {
      service: options.service,
      faces: options.faces,
      optIns: this.#optIns,
      timing: this.#timing,
      random: options.random ?? Math.random,
      now: () => this.#clock.now(),
      memoryFaces: this.#memoryFaces,
    };
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
      claims: async (ctx) => {
        const state = await this.#games.load(channelKey(ctx.scope, ctx.channelId)).catch(() => undefined);
        return state !== undefined && definitionOf(state.kind).imageAction !== undefined;
      },
      handle: async (ctx, image) => {
        const state = await this.#games.load(channelKey(ctx.scope, ctx.channelId));
        const action = state && definitionOf(state.kind).imageAction;
        if (!state || !action) throw new UserError('not_found', { text: 'game_over' });
        return this.act(ctx, state.kind, action, image);
      },
    });
  }

  /** The game running in a channel as this process last saw it. States are never mutated: a safe snapshot. */
  current(scope: string, channelId: string): GameState | undefined {
    return this.#games.seen(channelKey(scope, channelId));
  }

  /** Starts a game of `kind` in the channel (`/game guess`, `/game battle`…) and returns the command's reply. */
  async startGame(ctx: ChatContext, kind: string, options: unknown): Promise<Reply> {
    if (!this.#options.poster.supports(ctx.platform))
      throw new UserError('unavailable', { feature: 'posting' });
    const { create, reply } = await definitionOf(kind).prepare(this.#env, ctx, options);
    const key = channelKey(ctx.scope, ctx.channelId);
    await this.#locked(key, async (lease) => {
      const running = await this.#games.load(key);
      if (running) throw new UserError('duplicate', { text: 'game_running' });
      const outcome = create({
        id: randomBytes(4).toString('hex'),
        platform: ctx.platform,
        scope: ctx.scope,
        channelId: ctx.channelId,
        startedBy: playerOf(ctx),
        now: this.#clock.now(),
      }) as Outcome<GameState>;
      await this.#commit(key, outcome, lease, true);
    });
    return reply;
  }

  /** A member's event for the channel's game of `kind` (`/game submit`, `/game join`, a posted selfie). */
  async act(ctx: ChatContext, kind: string, name: string, input: unknown): Promise<Reply> {
    const action = definitionOf(kind).actions?.[name];
    if (!action) throw new UserError('not_found', { text: 'game_no_action' });
    const key = channelKey(ctx.scope, ctx.channelId);
    const prepared = await action.prepare(this.#env, await this.#games.load(key), ctx, input);
    const player = playerOf(ctx);
    return this.#locked(key, async (lease) => {
      const current = await this.#games.load(key);
      const state = current && current.id === prepared.gameId && current.kind === kind ? current : undefined;
      const { outcome, reply } = await action.apply(this.#env, state, prepared, player);
      if (state && outcome && outcome.state !== state) await this.#commit(key, outcome, lease);
      return reply;
    });
  }

  /** A press of a game button: answers privately with what it did. */
  async press(ctx: ChatContext, buttonId: string, responder: Responder): Promise<void> {
    const gameId = gameOfButton(buttonId);
    if (!gameId) throw new UserError('not_found', { button: buttonId });
    await responder.defer({ ephemeral: true });
    const key = channelKey(ctx.scope, ctx.channelId);
    const notice = await this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      const press = state && definitionOf(state.kind).press;
      if (!state || state.id !== gameId || !press) return textOf('game_over');
      const outcome = press(state, { player: playerOf(ctx), button: buttonId, now: this.#clock.now() });
      if (outcome.state !== state) await this.#commit(key, outcome, lease);
      return outcome.notice;
    });
    if (notice) await responder.send({ text: notice, ephemeral: true });
  }

  /** `/game stop`: ends the channel's game now; only who started it or a platform admin may. */
  async stopGame(ctx: ChatContext): Promise<Reply> {
    const key = channelKey(ctx.scope, ctx.channelId);
    return this.#locked(key, async (lease) => {
      const state = await this.#games.load(key);
      if (!state) throw new UserError('not_found', { text: 'game_none' });
      if (state.startedBy.id !== ctx.user.id && !ctx.user.isPlatformAdmin) {
        throw new UserError('forbidden', { text: 'game_stop_forbidden', name: state.startedBy.name });
      }
      await this.#commit(key, await definitionOf(state.kind).stop(this.#env, state), lease);
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
        if (this.#memoryFaces.get(state.id)?.userId === userId) this.#memoryFaces.delete(state.id);
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

  /** Applies an outcome: stores and keeps the state, runs the effects in order, reschedules the timer. */
  async #commit(key: string, outcome: Outcome<GameState>, lease: Lease, create = false): Promise<void> {
    // Saved before anything is posted: a store that is down refuses a new game instead of losing it.
    if (create) await this.#sync.states.set(key, outcome.state, lease);
    else await this.#save(key, outcome.state, lease);
    this.#games.remember(key, outcome.state);
    const { state, posted } = await runEffects(key, outcome.state, outcome.effects, this.#effects);
    if (state.done) {
      this.#games.forgetKey(key);
      this.#memoryFaces.delete(state.id);
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
        await this.#commit(key, await definitionOf(state.kind).timer(this.#env, state), lease);
      });
    } catch (error) {
      this.#log.error('a game timer failed', { key, error });
      // Shared timers retry a deadline that failed (in this process or another); local ones log it.
      throw error;
    }
  }

  #render(view: View): Promise<Reply> {
    return renderView(view, {
      thumbnail: (gallery, slug) => this.#options.service.thumbnail(gallery, slug),
      winnerFace: (gameId) => this.#memoryFaces.get(gameId)?.face,
      optInThumbnail: async (userId) => (await this.#optIns.get(userId))?.thumbnail,
    });
  }
}
