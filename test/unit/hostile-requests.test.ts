// Issue 21, item 6 and the 413 text: a multipart body of endless tiny parts is refused while it streams
// in, after reading only its first parts; an oversized ZIP is told the ZIP limit, not the photo one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { EventHub } from '../../src/adapters/playground/events.ts';
import { countingParts } from '../../src/adapters/playground/multipart-parts.ts';
import { CSRF_HEADER, createPlaygroundApp, MAX_PARTS } from '../../src/adapters/playground/server.ts';
import { ImageStore } from '../../src/adapters/playground/wire.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import { UserError } from '../../src/errors.ts';
import { fakeService } from '../fixtures/chat-fakes.ts';
import { manyPartsBody } from '../fixtures/hostile-inputs.ts';

const BOUNDARY = 'lookalikeboundary';

function app(options: { maxArchiveBytes?: number; maxFileBytes?: number } = {}, lookalike = fakeService()) {
  const bot = new Bot({
    deps: { service: lookalike },
    commands,
    adminUserIds: [],
    logger: silentLogger,
    rateLimit: false,
  });
  return createPlaygroundApp({
    bot,
    logger: silentLogger,
    hub: new EventHub(),
    images: new ImageStore(),
    ...options,
  });
}

describe('multipart parts are counted while the body streams', () => {
  it('refuses 100,000 tiny parts with 413 after reading only the first chunks', async () => {
    const chunk = manyPartsBody(100).subarray(0, -`--${BOUNDARY}--\r\n`.length);
    const chunks = 1000;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled++ >= chunks) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app().request('/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1', 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, new RegExp(`more than ${MAX_PARTS} parts`));
    assert.ok(pulled < 10, `${pulled} of ${chunks} chunks read`);
  });

  it('counts a delimiter split across two chunks once, and passes an ordinary form through', async () => {
    const bytes = manyPartsBody(MAX_PARTS + 1);
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        // One byte at a time: every delimiter is split.
        for (const b of bytes) controller.enqueue(Uint8Array.of(b));
        controller.close();
      },
    });
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    const over = countingParts(
      new Request('http://x/', { method: 'POST', headers, body: split, duplex: 'half' } as RequestInit),
      MAX_PARTS,
    );
    await assert.rejects(over.request.formData());
    assert.equal(over.overLimit(), 'parts');
    const fine = countingParts(
      new Request('http://x/', { method: 'POST', headers, body: Buffer.from(manyPartsBody(MAX_PARTS)) }),
      MAX_PARTS,
    );
    assert.equal((await fine.request.formData()).getAll('x').length, MAX_PARTS);
    assert.equal(fine.overLimit(), undefined);
  });

  it('tells an oversized upload both limits, the ZIP one included', async () => {
    const form = new FormData();
    form.append('text', '/gallery import');
    form.append('files', new Blob([new Uint8Array(300 * 1024)]), 'big.zip');
    const res = await app({ maxArchiveBytes: 100 * 1024, maxFileBytes: 4096 }).request('/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1' },
      body: form,
    });
    assert.equal(res.status, 413);
    assert.match(
      ((await res.json()) as { error: string }).error,
      /a ZIP of up to 0\.1 MB, or up to 6 photos/,
    );
  });

  it('passes a valid empty ZIP to the import, which says it is empty (not "not a ZIP")', async () => {
    let received: Uint8Array | undefined;
    const lookalike = fakeService({
      importArchive: async (_scope, zip) => {
        received = zip;
        throw new UserError('bad_archive', { text: 'zip_empty' });
      },
    });
    const form = new FormData();
    form.append('text', '/gallery import');
    const empty = new Uint8Array(22);
    empty.set([0x50, 0x4b, 0x05, 0x06]);
    form.append('files', new Blob([empty], { type: 'application/zip' }), 'empty.zip');
    const res = await app({}, lookalike).request('/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1' },
      body: form,
    });
    const text = JSON.stringify(await res.json());
    assert.equal(received?.length, 22);
    assert.match(text, /That ZIP is empty/);
    assert.doesNotMatch(text, /is not a ZIP/);
  });
});
