// Issue 21, item 7, with a real process: SIGTERM a few seconds into `/gallery import` of a pack that is
// being re-embedded. The import is aborted, the pool drained, the store closed: exit 0, never the
// "terminate called after throwing an instance of 'Napi::Error'" abort (exit 134), and nothing half-written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.ts';
import { FOREIGN_ENGINE, rawPack, thumbnail, unitEmbedding } from '../fixtures/hostile-inputs.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lookalike-hostile-stop-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('SIGTERM during a gallery import', { timeout: 240_000 }, () => {
  it('aborts the import, drains the engine, closes the store and exits 0', async () => {
    // Enough photos that re-embedding outlasts the wait below on a fast, idle machine too.
    const photos = Array.from({ length: 600 }, (_, i) => ({
      thumbnail: `thumbnails/${i}.png`,
      embedding: unitEmbedding(8, i + 1),
    }));
    const files = Object.fromEntries(
      await Promise.all(photos.map(async (p, i) => [p.thumbnail, await thumbnail(i)] as const)),
    );
    const pack = await rawPack([{ name: 'Penny', photos }], files, FOREIGN_ENGINE);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const file = path.join(tmp, 'store.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOOKALIKE_STORE: `sqlite://${file}`,
        LOOKALIKE_WORKERS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${url}/api/info`).catch(() => undefined))?.ok) break;
      assert.ok(i < 600, `the playground did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const form = new FormData();
    form.append('text', '/gallery import');
    form.append('files', new Blob([new Uint8Array(pack)], { type: 'application/zip' }), 'pack.zip');
    const reply = fetch(`${url}/api/command`, {
      method: 'POST',
      headers: { 'x-lookalike-playground': '1' },
      body: form,
    }).then(
      (r) => r.text(),
      (err: Error) => err.message,
    );
    // Into the re-embedding: some photos analysed, most not.
    for (let i = 0; !/Analysing|re-embed/i.test(output) && i < 50; i++)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.doesNotMatch(output, /Napi::Error|terminate called|Aborted/);
    assert.equal(signal, null, output);
    assert.equal(code, 0, output);
    const text = await reply;
    assert.doesNotMatch(text, /Imported \d+/, 'the import did not finish');
    // Nothing of the aborted import was committed.
    const store = await openStore(`sqlite://${file}`);
    assert.equal(await store.namespace('gallery').get('playground'), undefined);
    await store.close();
  });
});
