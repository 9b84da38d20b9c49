import { readdirSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { Bot } from '../../chat/bot.ts';
import { MAX_DOWNLOAD_BYTES } from '../../chat/download.ts';
import { newErrorId } from '../../chat/error-boundary.ts';
import type { Logger } from '../../chat/logger.ts';
import { looksLikeImage } from '../../chat/options.ts';
import type { Attachment, ChatContext, ChatUser, UserOption } from '../../chat/types.ts';
import { GLOBAL_SCOPE } from '../../domain/types.ts';
import { isUserError, UserError } from '../../errors.ts';
import { tooManyPartsText, uploadTooLargeText, userText } from '../../user-texts.ts';
import { parseCommandLine, usages } from './command-line.ts';
import { CollectingResponder, type EventHub } from './events.ts';
import { countingParts } from './multipart-parts.ts';
import { type ImageStore, toWire } from './wire.ts';

/** The one channel the page shows. */
export const PLAYGROUND_CHANNEL = 'playground';
/** The gallery scope of the playground. */
export const PLAYGROUND_SCOPE = 'playground';
/** Header every POST must carry: a cross-site page cannot send it without a CORS preflight we never allow. */
export const CSRF_HEADER = 'x-lookalike-playground';
/** Most files one message may carry (`/enroll` takes 5). */
export const MAX_FILES = 6;
/** Largest ZIP for `/gallery import`: far above other platforms' downloads, since it is the person's own computer. */
export const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;

/** Most parts one request may carry: the text and MAX_FILES files, with room for a client's extras. */
export const MAX_PARTS = MAX_FILES + 4;

const ZIP_NAME = /\.zip$/i;

/** Options for `createPlaygroundApp`. */
export interface PlaygroundServerOptions {
  bot: Bot;
  logger: Logger;
  hub: EventHub;
  images: ImageStore;
  /** Largest accepted file (default 10 MB, like downloads on the other platforms). */
  maxFileBytes?: number;
  /** Largest accepted ZIP (default MAX_ARCHIVE_BYTES). */
  maxArchiveBytes?: number;
  /** Host names requests may be addressed to, against DNS rebinding; undefined accepts any. */
  allowedHosts?: readonly string[];
  /** Whether the face engine is still warming up, for the page to say so (default: never). */
  warming?: () => boolean;
  /** The name the local user appears under (default "You"). */
  userName?: string;
  /** Seconds between SSE keep-alive comments (default 25). */
  heartbeatSeconds?: number;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const ASSET_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};
const SECURITY_HEADERS: Record<string, string> = {
  // Replies carry names typed by admins; even if the page's escaping failed, no injected script could run.
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; " +
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The page's static files, read once: a fixed list, so no request path ever reaches the file system. */
export function loadAssets(): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    const type = ASSET_TYPES[name.split('.').pop() ?? ''];
    if (type) assets.set(name, { body: readFileSync(new URL(name, PUBLIC_DIR), 'utf8'), type });
  }
  return assets;
}

/** The person using the page: the only member, and an admin, since it is their own computer. */
export function playgroundUser(displayName = 'You'): ChatUser {
  return { id: 'playground:local', platformId: 'local', displayName, isPlatformAdmin: true };
}

/** Where everything typed in the page comes from. */
export function playgroundContext(user: ChatUser, raw?: unknown): ChatContext {
  return {
    platform: 'playground',
    scope: PLAYGROUND_SCOPE,
    channelId: PLAYGROUND_CHANNEL,
    user,
    raw,
    seesAllMessages: true,
  };
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** An uploaded file as a lazy neutral Attachment; too large fails like a too-large download elsewhere. */
export function fileAttachment(file: File, maxBytes: number): Attachment {
  return {
    name: file.name || 'upload',
    contentType: file.type || undefined,
    size: file.size,
    fetch: async () => {
      if (file.size > maxBytes) {
        throw new UserError('file_too_large', {
          text: 'upload_too_large',
          file: file.name,
          kind: ZIP_NAME.test(file.name) ? 'zip' : 'image',
          sizeLimit: megabytes(maxBytes),
        });
      }
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}

// Sandboxed frames send `Origin: null`; anything that is not this server's own origin is refused.
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : (header.split(':')[0] ?? '');
}

/** The HTTP API and page of the playground, as a Hono app (tests call its `request` without a socket). */
export function createPlaygroundApp(options: PlaygroundServerOptions): Hono {
  const { bot, logger, hub, images } = options;
  const maxFileBytes = options.maxFileBytes ?? MAX_DOWNLOAD_BYTES;
  const maxArchiveBytes = options.maxArchiveBytes ?? MAX_ARCHIVE_BYTES;
  const user = playgroundUser(options.userName);
  const me: UserOption = { id: user.id, platformId: user.platformId, displayName: user.displayName };
  const assets = loadAssets();
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (options.allowedHosts && !options.allowedHosts.includes(hostName(c.req.header('host')))) {
      return c.text('This server only answers requests for localhost.', 403);
    }
    if (c.req.method === 'POST') {
      const origin = c.req.header('origin');
      if (c.req.header(CSRF_HEADER) !== '1' || (origin && !sameOrigin(origin, c.req.header('host')))) {
        return c.json({ error: 'Requests must come from the playground page.' }, 403);
      }
    }
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });

  app.onError((err, c) => {
    const errorId = newErrorId();
    logger.error(`playground request failed (error id ${errorId})`, { path: c.req.path, error: err });
    return c.json({ error: `Sorry, something went wrong (error id ${errorId}).` }, 500);
  });

  app.get('/', (c) => c.redirect('/index.html'));
  app.get('/:asset{[a-z0-9-]+\\.[a-z]+}', (c) => {
    const asset = assets.get(c.req.param('asset'));
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });

  app.get('/api/info', async (c) => {
    const count = (scope: string) =>
      bot.deps.service.list(scope).then(
        (people) => people.length,
        (error: unknown) => {
          logger.warn('playground: could not list a gallery', { scope, error });
          return null;
        },
      );
    const [here, global] = await Promise.all([count(PLAYGROUND_SCOPE), count(GLOBAL_SCOPE)]);
    return c.json({
      user: { displayName: user.displayName },
      commands: usages(bot.commands),
      gallery: { here, global },
      engine: options.warming?.() ? 'warming' : 'ready',
      limits: { maxFileBytes, maxArchiveBytes, maxFiles: MAX_FILES },
    });
  });

  app.get('/api/images/:id', (c) => {
    const image = images.get(c.req.param('id'));
    if (!image) return c.text('This picture is no longer kept; run the command again.', 404);
    const body = new Uint8Array(image.data);
    return c.body(body, 200, { 'content-type': image.type, 'cache-control': 'private, max-age=86400' });
  });

  const tooLarge = uploadTooLargeText(MAX_FILES, megabytes(maxFileBytes), megabytes(maxArchiveBytes));
  app.post('/api/command', async (c) => {
    // Per-file sizes are checked when a command reads the file; this bounds the whole request first: a
    // declared length at once, then bytes and parts as they stream in (never after parsing the body).
    // The unread rest of a refused body would corrupt the next request on this keep-alive connection.
    const maxBytes = MAX_FILES * maxFileBytes + maxArchiveBytes + 64 * 1024;
    if (Number(c.req.header('content-length') ?? 0) > maxBytes) {
      return c.json({ error: tooLarge }, 413, { connection: 'close' });
    }
    let form: FormData;
    const counted = countingParts(c.req.raw, MAX_PARTS, maxBytes);
    try {
      form = await counted.request.formData();
    } catch {
      const over = counted.overLimit();
      if (over !== undefined) {
        const error = over === 'parts' ? tooManyPartsText(MAX_PARTS) : tooLarge;
        return c.json({ error }, 413, { connection: 'close' });
      }
      return c.json({ error: 'Expected a multipart form with `text` and `files`.' }, 400);
    }
    const text = String(form.get('text') ?? '').trim();
    const files = form.getAll('files').filter((f): f is File => typeof f !== 'string');
    if (files.length > MAX_FILES) return c.json({ error: tooLarge }, 413);
    const attachments = files.map((f) =>
      fileAttachment(f, ZIP_NAME.test(f.name) ? maxArchiveBytes : maxFileBytes),
    );
    const responder = new CollectingResponder();
    await run(text, attachments, responder, c.req.raw.signal);
    return c.json({ replies: responder.replies.map((r) => toWire(r, PLAYGROUND_CHANNEL, images)) });
  });

  async function run(
    text: string,
    attachments: Attachment[],
    responder: CollectingResponder,
    signal?: AbortSignal,
  ): Promise<void> {
    // The request's signal ends with the connection: an import the page gave up on stops analysing.
    const ctx = { ...playgroundContext(user), ...(signal ? { signal } : {}) };
    if (text.startsWith('/')) {
      let parsed: ReturnType<typeof parseCommandLine>;
      try {
        parsed = parseCommandLine(text, bot.commands, attachments, me);
      } catch (err) {
        if (!isUserError(err)) throw err;
        await responder.send({ text: err.message, ephemeral: true });
        return;
      }
      const { name, ...input } = parsed;
      await bot.handleCommand(name, { ctx, ...input }, responder);
      return;
    }
    const zip = attachments.find((a) => ZIP_NAME.test(a.name));
    if (zip) {
      // A ZIP dropped into the page fills the gallery: the quickest way from a folder of photos to an answer.
      await bot.handleCommand('gallery', { ctx, subcommand: 'import', options: { file: zip } }, responder);
      return;
    }
    if (attachments.length > 0) {
      // A photo posted without a command: answered like a photo that @mentions the bot on Discord.
      if (await bot.handleImageMessage(ctx, attachments, { mentioned: true }, responder)) return;
      const file = attachments.find((a) => !looksLikeImage(a)) ?? attachments[0]!;
      await responder.send({
        text: userText('not_image', { file: file.name }),
        ephemeral: true,
      });
      return;
    }
    await responder.send({
      text: 'Type a command such as `/lookalike` or `/help`, or attach a photo.',
      ephemeral: true,
    });
  }

  app.post('/api/button', bodyLimit({ maxSize: 16 * 1024 }), async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as
      | { id?: unknown; messageId?: unknown }
      | undefined;
    const id = body?.id;
    if (typeof id !== 'string' || id === '' || id.length > 200) {
      return c.json({ error: 'Expected JSON like {"id": "<button id>"}.' }, 400);
    }
    const messageId = typeof body?.messageId === 'string' ? body.messageId : undefined;
    const responder = new CollectingResponder();
    // `raw` tells a button handler which message the button was under, e.g. to edit it.
    await bot.handleButton(playgroundContext(user, { messageId }), id, responder);
    return c.json({ replies: responder.replies.map((r) => toWire(r, PLAYGROUND_CHANNEL, images)) });
  });

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let wake = () => {};
      const closed = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const write = (event: string, data: string) => stream.writeSSE({ event, data }).catch(wake);
      const remove = hub.add({
        send: (event) => void write(event.type, JSON.stringify(event.message)),
        close: wake,
      });
      stream.onAbort(wake);
      // Idle connections are cut by proxies and some browsers; a comment-like ping keeps it open.
      const heartbeat = setInterval(() => void write('ping', ''), (options.heartbeatSeconds ?? 25) * 1000);
      await write('ready', '{}');
      await closed;
      clearInterval(heartbeat);
      remove();
    }),
  );

  return app;
}
