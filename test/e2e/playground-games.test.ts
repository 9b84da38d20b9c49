// A round of "Who's that celebrity?" end to end in the playground: `startApp` with no chat platform (the
// playground), the real face engine and a memory store, the page driven in a real headless Chromium. The
// round message arrives over Server-Sent Events, clears up by an edit, and the right name is clicked in
// the page; the answer is read from the running app's GameManager. Screenshot: test-output/playground-game.png.
// E2E_LOG=1 prints the bot's log while it runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { PLAYGROUND_CHANNEL, PLAYGROUND_SCOPE } from '../../src/adapters/playground/server.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { GuessState } from '../../src/games/guess/rules.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { assertBrowserPrerequisites, e2eLogger, OUTPUT, openBrowser } from '../support/playground-browser.ts';

const INFERENCE_MS = 120_000;
// Long enough that the test clicks well inside the second step (4 points), short enough to see a reveal edit.
const REVEAL_MS = 5_000;
const PAUSE_MS = 300;
const PEOPLE: [name: string, photos: number[]][] = [
  ['Penny', [1, 2]],
  ['Sheldon', [1, 2]],
  ['Amy', [1]],
  ['Raj', [1]],
];

const text = async (locator: Locator) => (await locator.textContent()) ?? '';
const photos = (name: string, numbers: number[]) =>
  numbers.map((n) => `${BBT_DIR}/${name.toLowerCase()}/${name.toLowerCase()}${n}.png`);

/** Waits until the picture in `message` has loaded, and returns its URL and natural width. */
async function loadedPicture(page: Page, message: Locator): Promise<{ src: string; width: number }> {
  const picture = message.locator('img.reply-image');
  await picture.waitFor();
  await page.waitForFunction(
    (img) => img instanceof HTMLImageElement && img.complete,
    await picture.elementHandle(),
  );
  return picture.evaluate((img) => ({
    src: (img as HTMLImageElement).getAttribute('src') ?? '',
    width: (img as HTMLImageElement).naturalWidth,
  }));
}

describe('playground game end to end (real engine, real Chromium)', { timeout: 420_000 }, () => {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  /** Types a command, attaches files through the file input, sends it, and returns the bot's answer. */
  async function send(line: string, files: string[] = []): Promise<Locator> {
    const before = await page.locator('.message.bot:not(.pending)').count();
    await page.locator('#text').fill(line);
    if (files.length > 0) {
      await page.locator('#file-input').setInputFiles(files);
      await page
        .locator('#pending .chip')
        .nth(files.length - 1)
        .waitFor();
    }
    await page.locator('#send').click();
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.message.bot:not(.pending)').length > n &&
        !document.querySelector('.message.pending'),
      before,
      { timeout: INFERENCE_MS },
    );
    return page.locator('.message.bot:not(.pending)').last();
  }

  function currentGuess(): GuessState | undefined {
    const state = app?.games.current(PLAYGROUND_SCOPE, PLAYGROUND_CHANNEL);
    if (state === undefined) return undefined;
    assert.equal(state.kind, 'guess');
    return state as GuessState;
  }

  before(async () => {
    assertBrowserPrerequisites();
    // One inference worker: the photos are few, and the machine is shared.
    const workers = process.env.LOOKALIKE_WORKERS ?? '1';
    app = await startApp(
      loadConfig({ LOOKALIKE_STORE: 'memory://', PORT: '0', LOOKALIKE_WORKERS: workers }),
      {
        gameTiming: { revealMs: REVEAL_MS, pauseMs: PAUSE_MS },
        logger: e2eLogger(),
      },
    );
    ({ browser, page } = await openBrowser(pageErrors));
  });

  after(async () => {
    if (page && !page.isClosed()) {
      await page.screenshot({ path: `${OUTPUT}/playground-game.png` }).catch(() => {});
    }
    await browser?.close();
    await app?.stop();
  });

  it('enrols four people through the page', async () => {
    const adapter = app?.adapters[0] as PlaygroundAdapter;
    assert.equal(adapter.platform, 'playground');
    await page.goto(adapter.url);
    await page.locator('#connection[data-state="online"]').waitFor();
    assert.equal(adapter.connectedPages, 1, 'the page listens for pushed messages');
    for (const [name, numbers] of PEOPLE) {
      const reply = await send(`/enroll ${name}`, photos(name, numbers));
      assert.match(await text(reply.locator('.title')), new RegExp(`Enrolled ${name}`));
      const count = numbers.length === 1 ? '1 photo' : `${numbers.length} photos`;
      assert.match(await text(reply), new RegExp(`Added ${count}`));
    }
    await page.waitForFunction(() =>
      /4 people here/.test(document.getElementById('gallery-status')?.textContent ?? ''),
    );
  });

  let roundId = '';
  let answer = '';
  let firstPicture = '';
  let scored = 0;

  it('/game guess 1 posts a pixelated face with four name buttons', async () => {
    await send('/game guess 1');
    // The command's answer takes the progress indicator's place, before the round pushed meanwhile.
    const intro = page.locator('.message.bot', {
      has: page.locator('.title', { hasText: "🎮 Who's that celebrity?" }),
    });
    assert.equal(await intro.count(), 1);
    assert.match(await text(intro), /1 round, started by You/);
    assert.equal(await intro.evaluate((e) => e.classList.contains('ephemeral')), false);

    const state = currentGuess();
    assert.ok(state, 'a guess game runs in the playground channel');
    const round = state.plan[state.round];
    assert.ok(round);
    answer = round.answer.name;
    const roundMessage = page.locator('.message.bot', {
      has: page.locator('.title', { hasText: "Who's that celebrity? — Round 1 of 1" }),
    });
    await roundMessage.waitFor();
    roundId = (await roundMessage.getAttribute('data-id')) ?? '';
    assert.equal(roundId, state.messages.round?.id, 'the page shows the message the game posted');
    assert.match(await text(roundMessage), /Answer now for 5 points/);

    const picture = await loadedPicture(page, roundMessage);
    assert.match(picture.src, /^\/api\/images\/[0-9a-f-]+$/);
    assert.ok(picture.width > 0, 'the pixelated face loaded');
    firstPicture = picture.src;

    const buttons = roundMessage.locator('.buttons button');
    assert.equal(await buttons.count(), 4);
    const labels = await buttons.allTextContents();
    assert.deepEqual([...labels].sort(), PEOPLE.map(([name]) => name).sort());
    assert.deepEqual(
      labels,
      round.options.map((o) => o.name),
    );
    for (const [i, option] of round.options.entries()) {
      const button = buttons.nth(i);
      assert.equal(await button.isEnabled(), true);
      assert.equal(await button.getAttribute('data-button-id'), `game:${state.id}:0:${option.slug}`);
    }
  });

  it('clears the face up in place, then scores a click on the right name', async () => {
    assert.ok(roundId && answer, 'no round to play: the previous step failed');
    const roundMessage = page.locator(`.message.bot[data-id="${roundId}"]`);
    // The first reveal step is an edit pushed over SSE: same message, new picture, fewer points.
    await page
      .waitForFunction(
        (id) =>
          /Answer now for 4 points/.test(document.querySelector(`[data-id="${id}"]`)?.textContent ?? ''),
        roundId,
        { timeout: REVEAL_MS * 4 },
      )
      .catch(() => assert.fail('no reveal step reached the page: the round message was never edited'));
    const revealed = await loadedPicture(page, roundMessage);
    assert.notEqual(revealed.src, firstPicture, 'the edit brought a new picture');
    assert.ok(revealed.width > 0);
    assert.equal(await page.locator(`[data-id="${roundId}"]`).count(), 1, 'edited in place');

    const state = currentGuess();
    assert.ok(state);
    assert.equal(state.phase, 'reveal');
    assert.equal(state.plan[state.round]?.answer.name, answer);
    const notices = page.locator('.message.bot.ephemeral');
    const before = await notices.count();
    await roundMessage.locator('.buttons button', { hasText: answer }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.message.bot.ephemeral').length > n, before);
    const notice = await text(notices.last());
    const match = new RegExp(`✓ Right, it's ${answer}! \\+(\\d) points?\\.`).exec(notice);
    assert.ok(match, notice);
    scored = Number(match[1]);
    assert.ok(scored >= 1 && scored <= 4, `points after a reveal step: ${scored}`);
    assert.match(notice, /Only you can see this/);
  });

  it('shows who got it on the round message, then the final scoreboard', async () => {
    assert.ok(scored > 0, 'nothing scored: the previous step failed');
    const roundMessage = page.locator(`.message.bot[data-id="${roundId}"]`);
    await roundMessage.locator('.title', { hasText: `It was ${answer}! — Round 1 of 1` }).waitFor();
    assert.match(await text(roundMessage), new RegExp(`✓ You got it: \\+${scored} points?\\.`));
    const buttons = roundMessage.locator('.buttons button');
    assert.equal(await buttons.count(), 4);
    for (let i = 0; i < 4; i++) assert.equal(await buttons.nth(i).isDisabled(), true);
    assert.match(
      (await roundMessage.locator('.buttons button.success').allTextContents()).join(),
      new RegExp(`^${answer}$`),
    );
    assert.ok((await loadedPicture(page, roundMessage)).width > 0, 'the clear face loaded');

    const final = page.locator('.message.bot', {
      has: page.locator('.title', { hasText: "Who's that celebrity? — final scores" }),
    });
    await final.waitFor({ timeout: 10_000 });
    assert.match(await text(final), new RegExp(`🥇 You — ${scored} points?`));
    assert.match(await text(final), /Points went to this channel's \/leaderboard/);
    await app?.games.settled();
    assert.equal(currentGuess(), undefined, 'the game is over');
  });

  it('/leaderboard lists you with your points and the win', async () => {
    assert.ok(scored > 0, 'nothing scored: an earlier step failed');
    const reply = await send('/leaderboard');
    assert.match(await text(reply.locator('.title')), /Leaderboard/);
    assert.match(await text(reply), new RegExp(`🥇 You — ${scored} points? · 1 win`));
    await page.screenshot({ path: `${OUTPUT}/playground-game.png` });
    assert.deepEqual(pageErrors, []);
  });
});
