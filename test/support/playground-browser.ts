import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createLogger, type Logger } from '../../src/chat/logger.ts';
import { BBT_DIR } from '../fixtures/data.ts';

/** Debian's Chromium (CHROMIUM_PATH overrides). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where browser tests leave screenshots (gitignored). */
export const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

// Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
const HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with a clear message when the photos or Chromium are missing. */
export function assertBrowserPrerequisites(): void {
  assert.ok(existsSync(BBT_DIR), `test photos not found at ${BBT_DIR} (set LOOKALIKE_BBT_DIR)`);
  assert.ok(
    existsSync(CHROMIUM),
    `Chromium not found at ${CHROMIUM}: install it with \`apt-get install chromium\` (CI's .ci/run does), or set CHROMIUM_PATH`,
  );
}

/** The app's logger for end-to-end tests: quiet unless E2E_LOG is set. */
export function e2eLogger(): Logger {
  return createLogger({
    level: 'debug',
    write: (line) => {
      if (process.env.E2E_LOG) process.stderr.write(`${line}\n`);
    },
  });
}

/** Launches headless Chromium and opens a page that records script and console errors into `errors`. */
export async function openBrowser(
  errors: string[],
  extraArgs: string[] = [],
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...HEADLESS_ARGS, ...extraArgs] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await mkdir(OUTPUT, { recursive: true });
  return { browser, page };
}
