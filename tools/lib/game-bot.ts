// The game side of a bot process for the scale and shared-state tests: a Bot with a GameManager whose
// locks, states and timers are shared through Redis (src/coordination), a store on the same Redis, and a
// poster that prints what it posts and edits as JSON lines. The gallery is four stub celebrities: these
// tests are about consistency across processes, not faces.
import type { Platform, Poster, Reply } from '../../src/chat/types.ts';
import { openCoordination } from '../../src/coordination/index.ts';
import type { GameSync } from '../../src/games/sync.ts';
import { channelKey } from '../../src/games/types.ts';
import { openStore } from '../../src/store/index.ts';
import { fakeContext } from '../../test/fixtures/chat-fakes.ts';
import { gameRig } from '../../test/fixtures/games.ts';

/** A request on stdin: `{"game": id, "op": "guess"|"press"|"state", ...}`; answered `{"game": id, ...}`. */
export interface GameRequest {
  game: string;
  op: 'guess' | 'press' | 'state';
  user?: string;
  channel?: string;
  rounds?: number;
  button?: string;
}

/** Options after `games` on the producer's command line. */
export interface GameBotOptions {
  revealMs: number;
  pauseMs: number;
  /** Take due deadlines and never act on them: a process that dies while firing one. */
  hangTimers: boolean;
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** A poster that prints; message ids carry the pid, so two processes' ids never collide. */
function printingPoster(): Poster {
  let next = 0;
  return {
    supports: () => true,
    async post(platform: Platform, channelId: string, reply: Reply) {
      const ref = { platform, channelId, id: `${process.pid}-${++next}` };
      print({ post: { id: ref.id, channelId, title: reply.title, text: reply.text, pid: process.pid } });
      return ref;
    },
    async edit(ref, reply) {
      print({ edit: { id: ref.id, image: reply.image?.name, text: reply.text, pid: process.pid } });
    },
  };
}

/** Starts the game bot on `url`; returns the request handler and a way to stop. */
export async function startGameBot(url: string, options: GameBotOptions) {
  const store = await openStore(url);
  const shared = openCoordination(url, { ttlMs: 2_000, timerLockMs: 2_000 });
  const timers = shared.games.timers;
  // A process that took a due deadline and froze: it holds the job and never acts on it.
  const hanging: GameSync['timers'] = {
    schedule: (key, gameId, at) => timers.schedule(key, gameId, at),
    stop: () => timers.stop(),
    start: () =>
      timers.start(async (key, _gameId, at) => {
        print({ firing: key, at, pid: process.pid });
        await new Promise(() => {});
      }),
  };
  const sync: GameSync = options.hangTimers ? { ...shared.games, timers: hanging } : shared.games;
  const rig = await gameRig({
    store,
    sync,
    poster: printingPoster(),
    timing: { revealMs: options.revealMs, pauseMs: options.pauseMs },
    seed: process.pid,
  });

  async function handle(request: GameRequest): Promise<void> {
    const ctx = fakeContext({ userId: request.user ?? '1', channelId: request.channel ?? 'channel-1' });
    if (request.op === 'state') {
      const state = await shared.games.states.get(channelKey(ctx.scope, ctx.channelId));
      return print({ game: request.game, state: state ?? null });
    }
    const reply =
      request.op === 'guess'
        ? await rig.command(ctx, 'game', 'guess', { rounds: request.rounds ?? 1 })
        : await rig.press(ctx, request.button ?? '');
    print({ game: request.game, title: reply.title, text: reply.text, pid: process.pid });
  }

  return {
    handle,
    async stop() {
      await rig.games.stop();
      await shared.close();
      await store.close();
    },
  };
}
