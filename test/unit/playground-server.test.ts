// The playground's HTTP API without a browser or the face engine: a real Bot and the real commands over
// a fake LookalikeService, called through Hono's in-process `request` and, for pushed messages, a socket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commands } from '../../commands/index.ts';
import { PlaygroundAdapter } from '../../src/adapters/playground/adapter.ts';
import { EventHub } from '../../src/adapters/playground/events.ts';
import { CSRF_HEADER, createPlaygroundApp } from '../../src/adapters/playground/server.ts';
import { ImageStore, type WireMessage } from '../../src/adapters/playground/wire.ts';
import { Bot } from '../../src/chat/bot.ts';
import { silentLogger } from '../../src/chat/logger.ts';
import type { LookalikeService } from '../../src/domain/types.ts';
import { isConfigError } from '../../src/errors.ts';
import { fakeService, identification, identity, solidPng, withPhotoAnswers } from '../fixtures/chat-fakes.ts';

const face = await solidPng(32);
const MAX_FILE = 4 * 1024;

function setup(overrides: Partial<LookalikeService> = {}, allowedHosts?: string[]) {
  const lookalike = fakeService(overrides);
  const bot = withPhotoAnswers(
    new Bot({
      deps: { service: lookalike },
      commands,
      adminUserIds: [],
      logger: silentLogger,
      rateLimit: false,
    }),
  );
  const images = new ImageStore();
  const app = createPlaygroundApp({
    bot,
    logger: silentLogger,
    hub: new EventHub(),
    images,
    maxFileBytes: MAX_FILE,
    maxArchiveBytes: MAX_FILE,
    allowedHosts,
  });
  return { app, bot, lookalike, images };
}

function form(text: string, files: { name: string; type: string; data: Uint8Array }[] = []): FormData {
  const body = new FormData();
  body.append('text', text);
  for (const f of files) body.append('files', new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  return body;
}

async function command(
  app: ReturnType<typeof setup>['app'],
  text: string,
  files: Parameters<typeof form>[1] = [],
) {
  const res = await app.request('/api/command', {
    method: 'POST',
    headers: { [CSRF_HEADER]: '1' },
    body: form(text, files),
  });
  assert.equal(res.status, 200, `status of ${text}`);
  return ((await res.json()) as { replies: WireMessage[] }).replies;
}

const textFile = { name: 'notes.txt', type: 'text/plain', data: new TextEncoder().encode('not a photo') };

describe('playground API', () => {
  it('serves the page with a strict content security policy', async () => {
    const { app } = setup();
    const page = await app.request('/index.html');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="app.js">/);
    assert.equal(
      (await app.request('/app.js')).headers.get('content-type'),
      'text/javascript; charset=utf-8',
    );
    assert.equal((await app.request('/secret.ts')).status, 404);
    assert.equal((await app.request('/')).headers.get('location'), '/index.html');
  });

  it('reports the commands and both gallery sizes for the first-run hint', async () => {
    const { app, lookalike } = setup({
      list: async (scope) => (scope === 'global' ? [identity('Brad Pitt'), identity('Amy')] : []),
    });
    const info = (await (await app.request('/api/info')).json()) as {
      gallery: { here: number; global: number };
      commands: { command: string }[];
      limits: { maxFileBytes: number };
    };
    assert.deepEqual(info.gallery, { here: 0, global: 2 });
    assert.deepEqual(
      lookalike.calls.map((c) => c.args[0]),
      ['playground', 'global'],
    );
    assert.ok(info.commands.some((c) => c.command === '/gallery rename'));
    assert.equal(info.limits.maxFileBytes, MAX_FILE);
  });

  it('refuses POSTs without the playground header and requests for other host names', async () => {
    const { app } = setup({}, ['localhost', '127.0.0.1']);
    const noHeader = await app.request('http://127.0.0.1/api/command', {
      method: 'POST',
      body: form('/help'),
    });
    assert.equal(noHeader.status, 403);
    const crossSite = await app.request('http://127.0.0.1/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1', origin: 'https://evil.example' },
      body: form('/help'),
    });
    assert.equal(crossSite.status, 403);
    const sandboxed = await app.request('http://127.0.0.1/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1', origin: 'null', host: '127.0.0.1' },
      body: form('/help'),
    });
    assert.equal(sandboxed.status, 403);
    const rebound = await app.request('http://evil.example:3000/api/info', {
      headers: { host: 'evil.example:3000' },
    });
    assert.equal(rebound.status, 403);
    const local = await app.request('http://localhost:3000/api/info', {
      headers: { host: 'localhost:3000' },
    });
    assert.equal(local.status, 200);
  });

  it('enrols through /enroll as the local admin, in the playground scope', async () => {
    const { app, lookalike } = setup();
    const files = ['penny1.png', 'penny2.png'].map((name) => ({ name, type: 'image/png', data: face }));
    const [reply] = await command(app, '/enroll Penny Hofstadter', files);
    assert.equal(reply?.title, 'Enrolled Penny Hofstadter');
    const call = lookalike.calls.find((c) => c.method === 'enroll');
    assert.ok(call, 'enroll was called');
    assert.equal(call.args[0], 'playground');
    assert.equal(call.args[1], 'Penny Hofstadter');
    assert.deepEqual(
      (call.args[2] as { name: string }[]).map((i) => i.name),
      ['penny1.png', 'penny2.png'],
    );
    assert.equal(call.args[3], 'playground:local');
  });

  it('answers /lookalike with matches and a picture served by id', async () => {
    const { app } = setup({
      identify: async () => identification('Penny', { scope: 'playground', thumbnail: face }),
    });
    const [reply] = await command(app, '/lookalike', [{ name: 'me.png', type: 'image/png', data: face }]);
    assert.match(reply?.title ?? '', /You look like Penny/);
    assert.equal(reply?.ephemeral, false);
    assert.equal(reply?.color, '#5865f2');
    assert.equal(reply?.matches?.[0]?.top.length, 3);
    const picture = await app.request(reply?.image?.url ?? '/missing');
    assert.equal(picture.status, 200);
    assert.equal(picture.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await picture.arrayBuffer()).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.equal((await app.request('/api/images/not-an-id')).status, 404);
  });

  it('answers a photo without a command like a mention', async () => {
    const { app, lookalike } = setup({ identify: async () => identification('Amy', { thumbnail: face }) });
    const [reply] = await command(app, '', [{ name: 'me.png', type: 'image/png', data: face }]);
    assert.match(reply?.title ?? '', /You look like Amy/);
    assert.equal(lookalike.calls.filter((c) => c.method === 'identify').length, 1);
  });

  it('shows an ephemeral error for a text file, with or without a command', async () => {
    const { app, lookalike } = setup();
    for (const text of ['/lookalike', '']) {
      const replies = await command(app, text, [textFile]);
      assert.equal(replies.length, 1);
      assert.equal(replies[0]?.ephemeral, true);
      assert.match(replies[0]?.text ?? '', /`notes.txt` is not an image I can read/);
    }
    assert.equal(lookalike.calls.filter((c) => c.method === 'identify').length, 0);
  });

  it('answers an unknown command and malformed arguments in the page', async () => {
    const { app } = setup();
    const [unknown] = await command(app, '/nope');
    assert.equal(unknown?.text, "I don't know the command /nope.");
    assert.equal(unknown?.ephemeral, true);
    const [usage] = await command(app, '/gallery rename OnlyOne');
    assert.match(usage?.text ?? '', /needs `to`.*Usage: `\/gallery rename <from> -> <to>`/);
    const [hint] = await command(app, 'hello there');
    assert.match(hint?.text ?? '', /Type a command/);
  });

  it('runs /gallery import for a ZIP sent without a command, and serves an exported pack', async () => {
    const { app, lookalike } = setup();
    const zips: Uint8Array[] = [];
    lookalike.importArchive = async (_scope, zip) => {
      zips.push(zip);
      return { kind: 'photos', added: 2, people: 1, identities: 1, skipped: [], duplicates: [] };
    };
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]);
    const [reply] = await command(app, '', [{ name: 'faces.zip', type: 'application/zip', data: zip }]);
    assert.equal(reply?.title, 'Imported 2 photos');
    assert.deepEqual(zips, [zip]);

    lookalike.list = async () => [identity('Amy', 2)];
    lookalike.exportPack = async () => ({ pack: zip, identities: 1, photos: 2 });
    const [exported] = await command(app, '/gallery export');
    assert.equal(exported?.file?.name, 'lookalike-gallery.zip');
    const download = await app.request(exported?.file?.url ?? '');
    assert.equal(download.headers.get('content-type'), 'application/zip');
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), zip);
  });

  it('refuses a too large file with a clear reply, and a too large upload with 413', async () => {
    const { app, lookalike } = setup();
    const big = { name: 'huge.png', type: 'image/png', data: new Uint8Array(MAX_FILE + 1) };
    const [reply] = await command(app, '/lookalike', [big]);
    assert.match(reply?.text ?? '', /`huge.png` is too large: I accept images up to 0 MB/);
    assert.equal(lookalike.calls.filter((c) => c.method === 'identify').length, 0);

    const upload = form('/lookalike', [
      { name: 'x.png', type: 'image/png', data: new Uint8Array(200 * 1024) },
    ]);
    const res = await app.request('/api/command', {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1' },
      body: upload,
    });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /That upload is too large/);
  });

  it('routes buttons to the bot and says when one has expired', async () => {
    const { app, bot } = setup();
    let seen: unknown;
    bot.onButton('game:', async (ctx, id, responder) => {
      seen = { id, raw: ctx.raw, platform: ctx.platform, admin: ctx.user.isPlatformAdmin };
      await responder.send({ text: `pressed ${id}` });
    });
    const press = (body: unknown) =>
      app.request('/api/button', {
        method: 'POST',
        headers: { [CSRF_HEADER]: '1', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = (await (await press({ id: 'game:guess:1', messageId: 'm1' })).json()) as {
      replies: WireMessage[];
    };
    assert.equal(ok.replies[0]?.text, 'pressed game:guess:1');
    assert.deepEqual(seen, {
      id: 'game:guess:1',
      raw: { messageId: 'm1' },
      platform: 'playground',
      admin: true,
    });
    const expired = (await (await press({ id: 'other:1' })).json()) as { replies: WireMessage[] };
    assert.equal(expired.replies[0]?.text, 'That button has expired.');
    assert.equal((await press({ nope: true })).status, 400);
  });
});

describe('PlaygroundAdapter', () => {
  const adapter = new PlaygroundAdapter({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    maxFileBytes: MAX_FILE,
    maxArchiveBytes: MAX_FILE,
  });
  const bot = withPhotoAnswers(
    new Bot({ deps: { service: fakeService() }, commands, adminUserIds: [], logger: silentLogger }),
  );
  before(() => adapter.start(bot));
  after(() => adapter.stop());

  it('says which setting to change when the port is taken', async () => {
    const port = Number(new URL(adapter.url).port);
    const second = new PlaygroundAdapter({ host: '127.0.0.1', port, logger: silentLogger });
    await assert.rejects(second.start(bot), (err: unknown) => {
      return (
        isConfigError(err) &&
        err.code === 'config' &&
        /Port \d+ on 127.0.0.1 is already in use: set PORT/.test(err.message)
      );
    });
    await second.stop();
  });

  it('answers a too large upload over a real socket with 413 and the reason', async () => {
    const body = form('/lookalike', [{ name: 'x.png', type: 'image/png', data: new Uint8Array(512 * 1024) }]);
    const res = await fetch(new URL('/api/command', adapter.url), {
      method: 'POST',
      headers: { [CSRF_HEADER]: '1' },
      body,
    });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /too large/);
  });

  it('pushes post and edit to open pages over Server-Sent Events', async () => {
    const res = await fetch(new URL('/api/events', adapter.url));
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const next = async (): Promise<{ event: string; data: string }> => {
      while (!buffer.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
      const [block, ...rest] = buffer.split('\n\n');
      buffer = rest.join('\n\n');
      const field = (name: string) => block?.match(new RegExp(`^${name}: ?(.*)$`, 'm'))?.[1] ?? '';
      return { event: field('event'), data: field('data') };
    };
    assert.equal((await next()).event, 'ready');
    assert.equal(adapter.connectedPages, 1);

    const ref = await adapter.post('playground', {
      title: 'Round 1',
      text: 'Who is this?',
      buttons: [{ id: 'game:a', label: 'Penny' }],
    });
    assert.equal(ref.platform, 'playground');
    const posted = await next();
    assert.equal(posted.event, 'post');
    const message = JSON.parse(posted.data) as WireMessage;
    assert.equal(message.id, ref.id);
    assert.deepEqual(message.buttons, [{ id: 'game:a', label: 'Penny' }]);

    await adapter.edit(ref, {
      title: 'Round 1',
      text: 'It was **Penny**',
      image: { name: 'face.png', data: face },
    });
    const edited = await next();
    assert.equal(edited.event, 'edit');
    const replaced = JSON.parse(edited.data) as WireMessage;
    assert.equal(replaced.id, ref.id);
    const picture = await fetch(new URL(replaced.image!.url, adapter.url));
    assert.equal(picture.status, 200);
    await picture.arrayBuffer();

    const stopped = performance.now();
    await adapter.stop();
    assert.ok(performance.now() - stopped < 2000, 'stop does not wait for open event streams');
    await assert.rejects(next(), /stream ended|terminated/);
  });
});
