// End to end in the playground: `startApp` with no chat platform configured (what `npm start` does out
// of the box), the real face engine, and the page driven in a real headless Chromium through
// playwright-core. Screenshots go to test-output/; the one after a real lookalike answer is also the
// README's docs/playground.png, rewritten whenever it looks different so that it cannot go stale.
// E2E_LOG=1 prints the bot's log while it runs.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { assertBrowserPrerequisites, e2eLogger, OUTPUT, openBrowser } from '../support/playground-browser.ts';
import { buildZip } from '../support/zips.ts';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/playground.png', import.meta.url));
const INFERENCE_MS = 120_000;

type FilePayload = { name: string; mimeType: string; buffer: Buffer };
const text = async (locator: Locator) => (await locator.textContent()) ?? '';
const photos = (person: string, numbers: number[]) =>
  numbers.map((n) => `${BBT_DIR}/${person}/${person}${n}.png`);

/** Pixels that may differ before the README's screenshot is rewritten (a changed word changes thousands). */
const SCREENSHOT_TOLERANCE = 200;

/**
 * Writes `png` to `file` when it looks different: the face pictures can vary by a few pixels from run to
 * run (worker scheduling), which must not dirty the checkout, while any change of wording or layout must
 * show up. Returns whether it wrote.
 */
async function writeIfChanged(file: string, png: Buffer): Promise<boolean> {
  const old = await readFile(file).catch(() => undefined);
  if (old) {
    const [a, b] = await Promise.all(
      [old, png].map((data) => sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
    );
    if (a && b && a.info.width === b.info.width && a.info.height === b.info.height) {
      let differing = 0;
      for (let i = 0; i < a.data.length; i += 3) {
        const d =
          Math.abs(a.data[i]! - b.data[i]!) +
          Math.abs(a.data[i + 1]! - b.data[i + 1]!) +
          Math.abs(a.data[i + 2]! - b.data[i + 2]!);
        if (d > 0) differing++;
      }
      if (differing <= SCREENSHOT_TOLERANCE) return false;
    }
  }
  await writeFile(file, png);
  return true;
}

describe('playground end to end (real engine, real Chromium)', { timeout: 420_000 }, () => {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  /** Waits until a bot message beyond the first `before` has arrived and none is pending. */
  async function newReply(before: number) {
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('.message.bot:not(.pending)').length > n &&
        !document.querySelector('.message.pending'),
      before,
      { timeout: INFERENCE_MS },
    );
    return page.locator('.message.bot:not(.pending)').last();
  }

  /** Types a message, attaches files through the file input, sends it, and returns the bot's answer. */
  async function send(text: string, files: string[] | FilePayload[] = []) {
    const before = await page.locator('.message.bot:not(.pending)').count();
    await page.locator('#text').fill(text);
    if (files.length > 0) {
      await page.locator('#file-input').setInputFiles(files);
      await page
        .locator('#pending .chip')
        .nth(files.length - 1)
        .waitFor();
    }
    // Fast answers replace the progress indicator within milliseconds, so record that it was shown.
    await page.evaluate(() => {
      const w = window as unknown as { sawPending: boolean };
      w.sawPending = false;
      new MutationObserver((changes, observer) => {
        for (const change of changes) {
          for (const node of Array.from(change.addedNodes)) {
            if (node instanceof Element && node.matches('.message.pending')) {
              w.sawPending = true;
              observer.disconnect();
            }
          }
        }
      }).observe(document.getElementById('log')!, { childList: true });
    });
    await page.locator('#send').click();
    await newReply(before);
    assert.equal(await page.evaluate(() => (window as unknown as { sawPending: boolean }).sawPending), true);
    return page.locator('.message.bot:not(.pending)').last();
  }

  before(async () => {
    assertBrowserPrerequisites();
    app = await startApp(loadConfig({ LOOKALIKE_STORE: 'memory://', PORT: '0' }), {
      logger: e2eLogger(),
    });
    // A synthetic camera that needs no permission prompt, for the webcam test.
    ({ browser, page } = await openBrowser(pageErrors, [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ]));
  });

  after(async () => {
    if (page && !page.isClosed()) {
      await page.screenshot({ path: `${OUTPUT}/playground-final.png`, fullPage: true }).catch(() => {});
    }
    await browser?.close();
    await app?.stop();
  });

  it('starts only the playground when no platform is configured, on 127.0.0.1', () => {
    const adapters = app?.adapters ?? [];
    assert.deepEqual(
      adapters.map((a) => a.platform),
      ['playground'],
    );
    assert.ok(adapters[0] instanceof PlaygroundAdapter);
    assert.match(adapters[0].url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('explains how to fill the empty gallery on first run', async () => {
    const adapter = app?.adapters[0] as PlaygroundAdapter;
    // The page shows message times; a fixed clock keeps the README's screenshot the same from run to run.
    await page.clock.setFixedTime(new Date('2026-11-30T10:00:00'));
    await page.goto(adapter.url);
    const hint = page.locator('.hint.empty-gallery');
    await hint.waitFor();
    assert.match(await text(hint), /npx lookalike enroll <dir>/);
    assert.match(await text(hint), /\/enroll Brad Pitt/);
    assert.match(await text(hint), /drop a ZIP .* it runs \/gallery import/);
    await page.locator('#connection[data-state="online"]').waitFor();
    await page.screenshot({ path: `${OUTPUT}/playground-first-run.png` });
    assert.equal(adapter.connectedPages, 1);
  });

  it('suggests commands while typing a slash', async () => {
    await page.locator('#text').fill('/gal');
    const suggestions = page.locator('#suggestions li');
    await suggestions.first().waitFor();
    assert.match(await text(page.locator('#suggestions')), /\/gallery rename <from> -> <to>/);
    await page.locator('#text').fill('');
  });

  it('enrols Penny and Sheldon through the page with attached photos', async () => {
    for (const person of ['penny', 'sheldon']) {
      const name = person.charAt(0).toUpperCase() + person.slice(1);
      const reply = await send(`/enroll ${name}`, photos(person, [1, 2, 3]));
      assert.match(await text(reply.locator('.title')), new RegExp(`Enrolled ${name}`));
      assert.match(await text(reply), /Added 3 photos/);
    }
    await page.waitForFunction(() =>
      /2 people here/.test(document.getElementById('gallery-status')?.textContent ?? ''),
    );
  });

  it('imports a ZIP dropped into the page, with a progress message and the summary', async () => {
    const files = await Promise.all(
      ['leonard', 'raj', 'howard'].flatMap((person) =>
        photos(person, [1, 2, 3]).map(async (file) => ({
          path: `faces/${person}/${file.split('/').pop()}`,
          data: new Uint8Array(await readFile(file)),
        })),
      ),
    );
    const zip = Buffer.from(await buildZip(files));
    const before = await page.locator('.message.bot:not(.pending)').count();
    const started = Date.now();
    // No command typed: an attached ZIP fills in /gallery import, and one Enter sends both.
    await page
      .locator('#file-input')
      .setInputFiles([{ name: 'faces.zip', mimeType: 'application/zip', buffer: zip }]);
    assert.equal(await page.locator('#text').inputValue(), '/gallery import');
    await page.locator('#text').press('Enter');
    await page.waitForFunction(
      (n) =>
        Array.from(document.querySelectorAll('.message.bot:not(.pending) .title')).some((t) =>
          /^Imported 9 photos$/.test(t.textContent ?? ''),
        ) && document.querySelectorAll('.message.bot:not(.pending)').length >= n + 2,
      before,
      { timeout: INFERENCE_MS },
    );
    assert.ok(Date.now() - started < 60_000, 'a folder of photos is in the gallery within a minute');
    const summary = page.locator('.message.bot', { hasText: 'Imported 9 photos' }).first();
    assert.match(
      await text(summary),
      /Added 9 photos of 3 people to this playground's gallery \(5 people in all\)/,
    );
    await page
      .locator('.message.bot .title', { hasText: 'Import finished: Imported 9 photos' })
      .waitFor({ timeout: 10_000 });
    await page.waitForFunction(() =>
      /5 people here/.test(document.getElementById('gallery-status')?.textContent ?? ''),
    );
  });

  it('names Penny in a new photo, with a confidence bar and a picture that loads', async () => {
    const reply = await send('/lookalike', photos('penny', [4]));
    assert.match(await text(reply.locator('.title')), /Penny/);
    assert.equal(await reply.locator('.match').count(), 1);
    assert.match(await text(reply.locator('.match-name')), /Penny/);
    const width = await reply
      .locator('.match .bar.confidence .fill')
      .evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(width > 0, 'the confidence bar is drawn');
    assert.ok((await reply.locator('.top li').count()) >= 2, 'the top candidates are listed');
    const picture = reply.locator('img.reply-image');
    await picture.waitFor();
    await page.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete,
      await picture.elementHandle(),
    );
    const naturalWidth = await picture.evaluate((img) => (img as HTMLImageElement).naturalWidth);
    assert.ok(naturalWidth > 0, 'the composite picture loaded');
    assert.equal(await reply.evaluate((e) => e.classList.contains('ephemeral')), false);

    const shot = await page.screenshot({ path: `${OUTPUT}/playground.png` });
    await writeIfChanged(DOCS_SCREENSHOT, shot);
  });

  it('explains the match on demand: "Why?" names the regions with their shares and highlights them', async () => {
    const before = await page.locator('.message.bot:not(.pending)').count();
    const answer = page.locator('.message.bot:not(.pending)').last();
    await answer.locator('button', { hasText: 'Why?' }).click();
    const reply = await newReply(before);
    assert.match(await text(reply.locator('.title')), /Why Penny\?/);
    assert.match(await text(reply), /mostly the [a-z ]+ \(\d+%\)/);
    const regions = reply.locator('.match .resemblance .region');
    assert.ok((await regions.count()) >= 1, 'the card lists the regions');
    const labels = await regions.allTextContents();
    for (const label of labels)
      assert.match(label, /^(eyes|brows|nose|mouth|jaw and chin|forehead and hairline|cheeks) \d+%$/);
    const picture = reply.locator('img.reply-image');
    await picture.waitFor();
    await page.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete,
      await picture.elementHandle(),
    );
    assert.ok(
      (await picture.evaluate((img) => (img as HTMLImageElement).naturalWidth)) > 0,
      'the highlighted picture loaded',
    );
    await page.screenshot({ path: `${OUTPUT}/playground-why.png` });
  });

  it('shows an error in the page for a text file', async () => {
    const file = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') };
    const reply = await send('/lookalike', [file]);
    assert.match(await text(reply), /notes\.txt is not an image I can read/);
    assert.match(await text(reply), /Only you can see this/);
    assert.equal(await reply.evaluate((e) => e.classList.contains('ephemeral')), true);
  });

  it('takes a photo with the webcam and sends it', async () => {
    await page.locator('#camera-button').click();
    await page.waitForFunction(() => {
      const video = document.getElementById('camera-video') as HTMLVideoElement | null;
      return (
        (video?.videoWidth ?? 0) > 0 &&
        !(document.getElementById('camera-shoot') as HTMLButtonElement).disabled
      );
    });
    await page.locator('#camera-shoot').click();
    const chip = page.locator('#pending .chip');
    await chip.waitFor();
    assert.match(await text(chip), /^camera-\d+\.jpg/);
    assert.equal(await page.locator('#camera').evaluate((d) => (d as HTMLDialogElement).open), false);
    // Chromium's fake camera films a test pattern, which has no face in it.
    const reply = await send('/lookalike');
    assert.match(await text(reply), /couldn't find a face/);
  });

  it('renders names as text, never as markup, and runs without page errors', async () => {
    // A name with markup is refused (issue 21); the refusal quotes it, and the page shows it as text.
    const reply = await send('/gallery rename Sheldon -> <img src=x onerror="window.hacked=1">');
    assert.match(await text(reply), /"<img src=x onerror="window\.hacked=1">" looks like chat formatting/);
    assert.equal(await reply.locator('.body img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked), undefined);
    assert.deepEqual(pageErrors, []);
  });
});
