// Issue 20, section 5, in a real Chromium against the real app (`startApp` with no platform, as `npm start`
// runs): the / menu lists every command, an attached ZIP waits for its command and goes in one request,
// the empty-gallery card goes once the gallery fills, and the resemblance pills are readable.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { BBT_DIR } from '../fixtures/data.ts';
import { assertBrowserPrerequisites, e2eLogger, openBrowser } from '../support/playground-browser.ts';
import { buildZip } from '../support/zips.ts';

describe('the playground page (real engine, real Chromium)', { timeout: 300_000 }, () => {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  /** What /api/info said of the engine the moment startApp returned (the page is served by then). */
  let engineAtStart: string | undefined;

  before(async () => {
    assertBrowserPrerequisites();
    app = await startApp(loadConfig({ LOOKALIKE_STORE: 'memory://', PORT: '0' }), { logger: e2eLogger() });
    const url = (app.adapters[0] as PlaygroundAdapter).url;
    engineAtStart = ((await (await fetch(`${url}api/info`)).json()) as { engine: string }).engine;
    ({ browser, page } = await openBrowser(pageErrors));
    await page.goto((app.adapters[0] as PlaygroundAdapter).url);
    await page.locator('#connection[data-state="online"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('is served before the engine has warmed up, and says so on the page until it has', async () => {
    // Loading ORT and two models in each worker and warming them takes seconds; the page is up before.
    assert.equal(engineAtStart, 'warming');
    await page.waitForFunction(() => !document.querySelector('.hint.warming'), undefined, {
      timeout: 120_000,
    });
    const info = await page.evaluate(async () => (await (await fetch('/api/info')).json()).engine);
    assert.equal(info, 'ready');
  });

  it('lists every command after /, in a menu that scrolls to the selected one', async () => {
    const all = await page.evaluate(async () => (await (await fetch('/api/info')).json()).commands.length);
    await page.locator('#text').fill('/');
    const items = page.locator('#suggestions li');
    await items.first().waitFor();
    assert.ok(all > 12, `commands: ${all}`);
    assert.equal(await items.count(), all);
    const menu = await page.locator('#suggestions').textContent();
    for (const command of ['/game', '/leaderboard', '/help']) assert.ok(menu?.includes(command), command);
    // Up from the first wraps to the last, which must then be in view inside the menu.
    await page.locator('#text').press('ArrowUp');
    const visible = await page.evaluate(() => {
      const box = document.getElementById('suggestions')!.getBoundingClientRect();
      const last = document.querySelector('#suggestions li.selected')!.getBoundingClientRect();
      return last.top >= box.top - 1 && last.bottom <= box.bottom + 1;
    });
    assert.ok(visible, 'the last command scrolled into view');
    await page.locator('#text').fill('');
  });

  it('keeps an attached ZIP for /gallery import: one request, and the empty-gallery card goes', async () => {
    await page.locator('.hint.empty-gallery').waitFor();
    const files = await Promise.all(
      ['leonard', 'raj'].flatMap((person) =>
        [1, 2].map(async (n) => ({
          path: `faces/${person}/${person}${n}.png`,
          data: new Uint8Array(await readFile(`${BBT_DIR}/${person}/${person}${n}.png`)),
        })),
      ),
    );
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/command')) posts.push(r.url());
    });
    await page
      .locator('#file-input')
      .setInputFiles([
        { name: 'faces.zip', mimeType: 'application/zip', buffer: Buffer.from(await buildZip(files)) },
      ]);
    await page.locator('#pending .chip').waitFor();
    // Nothing is sent yet; the person types the command (replacing the suggested one) and sends once.
    await page.waitForTimeout(300);
    assert.equal(posts.length, 0, 'the ZIP was sent before its command');
    await page.locator('#text').pressSequentially('/gallery import');
    assert.equal(await page.locator('#text').inputValue(), '/gallery import');
    await page.locator('#text').press('Enter');
    await page
      .locator('.message.bot .title', { hasText: /^Imported 4 photos$/ })
      .first()
      .waitFor({ timeout: 120_000 });
    assert.equal(posts.length, 1, 'one request carried the command and the ZIP');
    assert.doesNotMatch((await page.locator('#log').textContent()) ?? '', /needs a/);
    await page.waitForFunction(() => !document.querySelector('.hint.empty-gallery'), undefined, {
      timeout: 10_000,
    });
  });

  it('draws the resemblance pills with text at least 4.5:1 against them', async () => {
    // A script string, not a function: the test's TypeScript transform would add helpers the page lacks.
    const ratios = (await page.evaluate(`(async () => {
      const { botMessage } = await import('/render.js');
      const resemblance = [
        { region: 'eyes', share: 0.5 },
        { region: 'nose', share: 0.3 },
        { region: 'cheeks', share: 0.2 },
      ];
      const top = [{ name: 'Penny', confidence: 0.7, similarity: 0.8 }];
      const message = {
        id: 'pills',
        title: 'You look like Penny',
        text: '',
        matches: [{ label: 'You', name: 'Penny', confidence: 0.7, similarity: 0.8, top, resemblance }],
      };
      document.getElementById('log').append(botMessage(message, () => {}));
      function luminance(css) {
        const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(function (v) {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      }
      return Array.from(document.querySelectorAll('[data-id="pills"] .resemblance .region')).map(function (pill) {
        const style = getComputedStyle(pill);
        const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort(function (x, y) { return y - x; });
        return (a + 0.05) / (b + 0.05);
      });
    })()`)) as number[];
    assert.equal(ratios.length, 3);
    for (const ratio of ratios) assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)}:1`);
    assert.deepEqual(pageErrors, []);
  });
});
