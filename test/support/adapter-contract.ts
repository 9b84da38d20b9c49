// One set of scenarios that every chat adapter must pass, run by each adapter's driver (the way keyv's
// test-suite runs one set of tests against every store): a member's admin command refused privately, a
// game round (post, buttons, a private answer to the presser, the edit), posted photos routed to the
// Bot, and no secret in the log. It also checks the adapter rules src/games/README.md states in prose.
// The service and faces are fakes, so the suite runs in seconds; the e2e tests cover the real engine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import type { Adapter } from '../../src/chat/adapter.ts';
import { Bot } from '../../src/chat/bot.ts';
import { createLogger } from '../../src/chat/logger.ts';
import type { Attachment, ChatContext, MessageRef, Platform, Reply } from '../../src/chat/types.ts';
import type { GuessState } from '../../src/games/guess/rules.ts';
import { GameManager } from '../../src/games/manager.ts';
import { AdapterPoster } from '../../src/games/poster.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { fakeService, identity, solidPng } from '../fixtures/chat-fakes.ts';
import { fakeFaces } from '../fixtures/game-fakes.ts';

/** Who runs a command: someone with the platform's admin rights, or an ordinary member. */
export type Who = 'admin' | 'member';

/** What the caller of a command or the presser of a button was told. */
export interface Said {
  text: string;
  /** Only they could see it. */
  private: boolean;
}

/** How the suite drives one platform: it sends what a member would, and reads what the bot answered. */
export interface ContractDriver {
  readonly platform: Platform;
  /** False where the only person is an admin (the playground: your own computer). */
  readonly hasMembers: boolean;
  /** The credentials the adapter was given; none may ever be logged. */
  readonly secrets: readonly string[];
  /** Where the adapter's logger writes, one line each. */
  readonly logLines: string[];
  /** Builds the adapter for this logger and connects it to `bot` (stand-ins started here). */
  start(bot: Bot, logger: ReturnType<typeof createLogger>): Promise<Adapter>;
  stop(): Promise<void>;
  /** Runs `/name [subcommand]` with typed options; resolves with the answer the caller gets. */
  command(
    who: Who,
    name: string,
    subcommand?: string,
    options?: Record<string, string | number>,
  ): Promise<Said>;
  /** Presses a button under a message the bot posted; resolves with what the presser was told. */
  press(who: Who, ref: MessageRef, buttonId: string): Promise<Said>;
  /** Posts a photo in the channel without mentioning the bot. */
  postPhoto(who: Who): Promise<void>;
}

const CELEBRITIES = ['Penny', 'Sheldon', 'Amy', 'Raj'];

/** Registers the contract's tests for `driver`'s platform. */
export function adapterContract(makeDriver: () => ContractDriver): void {
  const driver = makeDriver();
  describe(`adapter contract: ${driver.platform}`, { timeout: 60_000 }, () => {
    const posts: { ref: MessageRef; reply: Reply }[] = [];
    const edits: { ref: MessageRef; reply: Reply }[] = [];
    const photos: ChatContext[] = [];
    let games: GameManager;
    let adapter: Adapter;
    let enrolls = 0;
    let store: Store;

    before(async () => {
      const logger = createLogger({
        level: 'debug',
        secrets: [...driver.secrets],
        write: (line) => driver.logLines.push(line),
      });
      const thumb = await solidPng(24);
      const lookalike = fakeService({
        list: async () => CELEBRITIES.map((n) => identity(n, 1)),
        thumbnail: async () => thumb,
        enroll: async () => {
          enrolls++;
          throw new Error('the contract never enrols');
        },
      });
      const poster = new AdapterPoster();
      // Records what games ask of the adapter, then passes it on: the rules are about both sides.
      const recording = {
        add: (real: Adapter) =>
          poster.add({
            ...real,
            platform: real.platform,
            start: (bot: Bot) => real.start(bot),
            stop: () => real.stop(),
            post: async (channelId: string, reply: Reply) => {
              const ref = await real.post!(channelId, reply);
              posts.push({ ref, reply });
              return ref;
            },
            edit: async (ref: MessageRef, reply: Reply) => {
              await real.edit!(ref, reply);
              edits.push({ ref, reply });
            },
          }),
      };
      store = await openStore('memory://');
      games = new GameManager({
        store,
        service: lookalike,
        faces: fakeFaces({}),
        poster,
        logger,
        // Slow enough that the round stays open while the suite presses.
        timing: { revealMs: 120_000, pauseMs: 50 },
      });
      const bot = new Bot({
        deps: { service: lookalike, games },
        commands,
        adminUserIds: [],
        logger,
        rateLimit: false,
      });
      games.attach(bot);
      bot.routeImages({
        label: 'contract photo',
        claims: () => true,
        handle: async (ctx: ChatContext, _image: Attachment) => {
          photos.push(ctx);
          return { text: 'Photo received.' };
        },
      });
      adapter = await driver.start(bot, logger);
      recording.add(adapter);
      await games.start();
    });

    after(async () => {
      await games.stop();
      await driver.stop();
    });

    it('posts and edits messages, so games can run (rule 1)', () => {
      assert.equal(typeof adapter.post, 'function');
      assert.equal(typeof adapter.edit, 'function');
      assert.equal(adapter.platform, driver.platform);
    });

    if (driver.hasMembers) {
      it("refuses a member's /enroll privately, and enrols nothing", async () => {
        const said = await driver.command('member', 'enroll', undefined, { name: 'Bob' });
        assert.equal(said.private, true);
        assert.match(said.text, /Only admins can use \/enroll/);
        assert.equal(enrolls, 0);
      });
    } else {
      it('treats the one person as an admin, so admin commands reach the command', async () => {
        const said = await driver.command('admin', 'gallery', 'remove', { name: 'Nobody' });
        assert.doesNotMatch(said.text, /Only admins/);
      });
    }

    it('plays a guess round: buttons rendered with their ids, a private answer, the message edited (rules 2, 3)', async () => {
      const started = await driver.command('admin', 'game', 'guess', { rounds: 1 });
      assert.match(started.text, /1 round, started by/);
      await games.settled();
      const round = posts.find((p) => (p.reply.buttons?.length ?? 0) === 4);
      assert.ok(round, 'the round was posted with four name buttons');
      assert.equal(round.ref.platform, driver.platform);
      const buttons = round.reply.buttons!;
      assert.ok(buttons.every((b) => b.id.startsWith('game:')));
      const games_ = store.namespace<GuessState>('games');
      const [key] = await games_.keys();
      const state = await games_.get(key!);
      const answer = state!.plan[state!.round]!.answer;
      const right = buttons.find((b) => b.label === answer.name)!;
      const said = await driver.press(driver.hasMembers ? 'member' : 'admin', round.ref, right.id);
      await games.settled();
      assert.equal(said.private, true, 'the answer reached the presser only');
      assert.match(said.text, /^✓/);
      const edited = edits.filter((e) => e.ref.id === round.ref.id);
      assert.ok(edited.length > 0, 'the round message was edited in place');
      assert.match(edited.at(-1)!.reply.text, /got it/);
      assert.ok(!driver.logLines.some((l) => /a game effect failed/.test(l)), 'no post or edit failed');
    });

    it('routes photos posted in the channel to the Bot, not only mentions (rule 4)', async () => {
      await driver.postPhoto(driver.hasMembers ? 'member' : 'admin');
      const deadline = Date.now() + 5_000;
      while (photos.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(photos.length, 1);
      assert.equal(photos[0]?.platform, driver.platform);
    });

    it('never logs a token or secret', () => {
      assert.ok(driver.logLines.length > 0, 'the adapter logged something');
      for (const secret of driver.secrets) {
        assert.ok(
          !driver.logLines.some((l) => l.includes(secret)),
          `a log line holds ${secret.slice(0, 6)}…`,
        );
      }
    });
  });
}
