// A GameManager wired to a Bot with fakes (clock, poster, service, faces), for the games tests.
import { commands } from '../../commands/index.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import type { ChatContext, OptionValue, Poster, Reply } from '../../src/chat/types.ts';
import { Rng } from '../../src/classifier/rng.ts';
import { systemClock } from '../../src/games/clock.ts';
import type { GameFaces } from '../../src/games/faces.ts';
import { GameManager } from '../../src/games/manager.ts';
import type { GameSync } from '../../src/games/sync.ts';
import type { GameTiming } from '../../src/games/types.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { fakeLookalike, identity, RecordingResponder, solidPng, withPhotoAnswers } from './chat-fakes.ts';
import { FakeClock, fakeFaces, RecordingPoster } from './game-fakes.ts';

/** Celebrities in the fake gallery unless a test says otherwise. */
export const FOUR = ['Brad Pitt', 'Penny', 'Sheldon', 'Amy'];
/** Timings of the rigs: a reveal step every 5 s, 3 s between rounds. */
export const TIMING = { revealMs: 5_000, pauseMs: 3_000 };

/** What `gameRig` builds. */
export type Rig = Awaited<ReturnType<typeof gameRig>>;

/** A bot with games over fakes; `tick` moves the clock and waits until the games have settled. */
export async function gameRig(
  options: {
    identities?: string[];
    store?: Store;
    clock?: FakeClock;
    faces?: GameFaces;
    seed?: number;
    /** Shared locks, states and timers; they run on real time, so the rig does too (no `tick`). */
    sync?: GameSync;
    /** Another poster than the recording one (a child process prints what it posts). */
    poster?: Poster;
    timing?: Partial<GameTiming>;
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? (await openStore('memory://'));
  const recording = new RecordingPoster();
  const thumb = await solidPng(48, 48, [30, 90, 160]);
  const names = options.identities ?? FOUR;
  const service = fakeLookalike({
    list: async (scope) => (scope === 'global' ? [] : names.map((n) => identity(n, 2))),
    thumbnail: async () => thumb,
  });
  const rng = new Rng(options.seed ?? 7);
  const games = new GameManager({
    store,
    service,
    faces: options.faces ?? fakeFaces({}),
    poster: options.poster ?? recording,
    logger: silentLogger,
    clock,
    random: () => rng.next(),
    timing: options.timing ?? TIMING,
    ...(options.sync ? { sync: options.sync, clock: systemClock } : {}),
  });
  await games.start();
  const bot = new Bot({
    commands,
    adminUserIds: [],
    logger: silentLogger,
    rateLimit: false,
    deps: { lookalike: service, games, ...(options.sync ? {} : { now: () => clock.now() }) },
  });
  games.attach(bot);
  withPhotoAnswers(bot);

  async function tick(ms: number): Promise<void> {
    clock.advance(ms);
    await games.settled();
  }

  /** Runs a command and returns its one reply. */
  async function command(
    ctx: ChatContext,
    name: string,
    subcommand?: string,
    opts: Record<string, OptionValue | undefined> = {},
  ): Promise<Reply> {
    const responder = new RecordingResponder();
    await bot.handleCommand(name, { ctx, subcommand, options: opts }, responder);
    await games.settled();
    return responder.only();
  }

  /** Presses a button and returns what the presser was told. */
  async function press(ctx: ChatContext, buttonId: string): Promise<Reply> {
    const responder = new RecordingResponder();
    await bot.handleButton(ctx, buttonId, responder);
    return responder.only();
  }

  return { clock, store, poster: recording, service, games, bot, tick, command, press };
}
