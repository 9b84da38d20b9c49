// Mixed galleries end to end (issue 20 §3): a pack of 20 celebrities x 20 tight crops beside bbt
// people enrolled from ordinary portraits (4 each, Raj from one), built with the real CLI into a
// SQLite store; then the CLI, the playground's HTTP API and Discord (discord.js against the local
// stand-in) each name every bbt person's 5th portrait. Before the linear SVM, the softmax named 3 of 8 (Penny came out as Jennifer Aniston).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { CSRF_HEADER } from '../../src/adapters/playground/server.ts';
import { createLogger } from '../../src/chat/logger.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startApp } from '../../src/main.ts';
import { dataDir, people } from '../fixtures/data.ts';
import { DiscordStandin, type RecordedRequest } from '../fixtures/discord-standin.ts';
import { CLI_BIN, jsonLines } from '../support/cli-run.ts';
import { runNode } from '../support/compiled.ts';

const data = dataDir();
const CAST = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];
const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAy.GstAnd.in-not-a-real-token-only-for-the-stand-in';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-mixed-'));
const store = `sqlite://${path.join(tmp, 'gallery.sqlite')}`;
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The app's logger, kept quiet unless E2E_LOG is set. */
const quiet = () =>
  createLogger({
    level: 'warn',
    secrets: [TOKEN],
    write: (line) => process.env.E2E_LOG && process.stderr.write(`${line}\n`),
  });

function cli(...args: string[]) {
  return runNode([CLI_BIN, ...args]);
}

/** Who each answer named, "person -> name", for the people not named right. */
const wrong = (named: Record<string, string>) =>
  Object.entries(named)
    .filter(([person, name]) => !name.toLowerCase().includes(person))
    .map(([person, name]) => `${person} -> ${name}`);

describe('mixed galleries, end to end: a celebrity pack beside bbt people from a few portraits', {
  timeout: 900_000,
}, () => {
  before(async () => {
    const faces = path.join(tmp, 'faces');
    for (const p of people(path.join(data, 'celebs'))) {
      mkdirSync(path.join(faces, p.name), { recursive: true });
      for (const f of p.files) cpSync(f, path.join(faces, p.name, path.basename(f)));
    }
    for (const person of CAST) {
      mkdirSync(path.join(faces, person), { recursive: true });
      // Raj from one portrait: a one-photo person beside packs of twenty.
      for (const i of person === 'raj' ? [1] : [1, 2, 3, 4]) {
        cpSync(
          path.join(data, 'bbt', person, `${person}${i}.png`),
          path.join(faces, person, `${person}${i}.png`),
        );
      }
    }
    const r = await cli('enroll', '--store', store, faces);
    assert.equal(r.code, 0, r.stderr);
  });

  it('lookalike train --json reports the linear SVM', async () => {
    const r = await cli('train', '--json', '--store', store);
    assert.equal(r.code, 0, r.stderr);
    const [report] = jsonLines(r.stdout);
    assert.equal(report?.classifier, 'linear-svm');
    assert.equal(report?.identities, 28);
    // 429 photos given; enrolment may skip one it finds a duplicate of or no face in.
    assert.ok((report?.photos as number) >= 425 && (report?.photos as number) <= 429, JSON.stringify(report));
    assert.ok((report?.supportVectors as number) > 28, JSON.stringify(report));
    assert.ok((report?.seconds as number) > 0);
  });

  it('the CLI names every 5th portrait', async () => {
    const files = CAST.map((p) => path.join(data, 'bbt', p, `${p}5.png`));
    const r = await cli('infer', '--json', '--store', store, ...files);
    assert.equal(r.code, 0, r.stderr);
    const records = jsonLines(r.stdout) as { faces?: { match?: { name?: string; confidence?: number } }[] }[];
    const named = Object.fromEntries(CAST.map((p, i) => [p, String(records[i]?.faces?.[0]?.match?.name)]));
    assert.deepEqual(wrong(named), [], JSON.stringify(named));
  });

  it('the playground names every 5th portrait', async () => {
    const app = await startApp(loadConfig({ LOOKALIKE_STORE: store, HOST: '127.0.0.1', PORT: '0' }), {
      logger: quiet(),
    });
    try {
      const url = (app.adapters[0] as PlaygroundAdapter).url;
      const named: Record<string, string> = {};
      for (const person of CAST) {
        const form = new FormData();
        form.set('text', '/lookalike');
        const bytes = readFileSync(path.join(data, 'bbt', person, `${person}5.png`));
        form.append('files', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), `${person}5.png`);
        const res = await fetch(`${url}api/command`, {
          method: 'POST',
          body: form,
          headers: { [CSRF_HEADER]: '1' },
        });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { replies: { title?: string }[] };
        named[person] = body.replies.map((r) => r.title ?? '').join(' | ');
      }
      assert.deepEqual(wrong(named), [], JSON.stringify(named));
    } finally {
      await app.stop();
    }
  });

  it('Discord names every 5th portrait (a server with no gallery of its own answers from the global one)', async () => {
    const standin = new DiscordStandin({ dataDir: path.join(data, 'bbt') });
    await standin.start();
    const app = await startApp(
      loadConfig({
        DISCORD_TOKEN: TOKEN,
        DISCORD_APP_ID: standin.appId,
        DISCORD_API_URL: standin.apiUrl,
        DISCORD_CDN_URL: standin.cdnUrl,
        LOOKALIKE_STORE: store,
      }),
      { logger: quiet() },
    );
    try {
      const named: Record<string, string> = {};
      for (const [i, person] of CAST.entries()) {
        // One member each, so that no answer waits on the per-member rate limit.
        const user = { id: `6000000000000000${10 + i}`, username: person };
        const from = standin.requests.length;
        const sent = await standin.dispatchInteraction({
          name: 'lookalike',
          user,
          options: [{ name: 'image', type: 11, file: `${person}/${person}5.png` }],
        });
        const answer = await standin.waitFor(
          (r: RecordedRequest) =>
            r.method === 'PATCH' && r.path === `/webhooks/${standin.appId}/${sent.token}/messages/@original`,
          { from, timeoutMs: 120_000 },
        );
        named[person] = ((answer.body?.embeds ?? []) as { title?: string }[])[0]?.title ?? '';
      }
      assert.deepEqual(wrong(named), [], JSON.stringify(named));
    } finally {
      await app.stop();
      await standin.close();
    }
  });
});
