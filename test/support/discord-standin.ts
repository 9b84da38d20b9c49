// A local stand-in for Discord: REST under /api/v10 and a JSON gateway under /gateway, enough for the real
// discord.js client to log in, receive commands and messages, and answer them. Tests drive it and read
// what the bot sent.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  channelPayload,
  guildPayload,
  MEMBER_PERMISSIONS,
  memberPayload,
  type StandinUser,
  userPayload,
} from './discord-payloads.ts';

export type { StandinUser } from './discord-payloads.ts';

/** A request the bot made to the REST API. */
export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/interactions/1/tok/callback`. */
  path: string;
  query: URLSearchParams;
  /** JSON body (`payload_json` for multipart requests). */
  body: Record<string, unknown> | undefined;
  files: { name: string; data: Buffer }[];
  /** `performance.now()` when it arrived. */
  at: number;
  /** The message the stand-in answered with, for requests that create or edit one. */
  response?: Record<string, unknown>;
}

/** An option of a dispatched interaction. */
export type StandinOption =
  | { name: string; type: 3 | 4 | 5; value: string | number | boolean }
  | { name: string; type: 11; file: string };

const VERSION_PREFIX = '/api/v10';
const EPHEMERAL = 64;

let nextId = 400_000_000_000_000_000n;
/** A fresh snowflake-looking id. */
export function snowflake(): string {
  nextId += 1n;
  return nextId.toString();
}

/** Fake Discord REST + gateway. */
export class DiscordStandin extends EventEmitter {
  readonly appId = '100000000000000001';
  readonly botUser: StandinUser = { id: '100000000000000002', username: 'Lookalike' };
  readonly guildId = '200000000000000001';
  readonly channelId = '300000000000000001';
  readonly watchedChannelId = '300000000000000002';
  /** A DM between two members, where only a member's own install of the app reaches. */
  readonly dmChannelId = '300000000000000009';
  readonly requests: RecordedRequest[] = [];
  /** IDENTIFY payloads received, in order. */
  readonly identifies: Record<string, unknown>[] = [];
  /** Attachment files the bot downloaded, in order (what a refusal must not cost). */
  readonly downloads: string[] = [];
  heartbeats = 0;
  connections = 0;
  readonly #dataDir: string;
  readonly #appFlags: number;
  readonly #recommendedShards: number;
  readonly #files = new Map<string, Buffer>();
  readonly #types = new Map<string, string>();
  readonly #urls = new Map<string, string>();
  /** Photos served as avatars on the CDN, by hash. */
  readonly #avatars = new Map<string, string>();
  /** Messages the bot posted or edited in channels, by id, so button presses can point at them. */
  readonly #messages = new Map<string, Record<string, unknown>>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #wss = new WebSocketServer({ noServer: true });
  #socket: WebSocket | undefined;
  #seq = 0;
  #base = '';

  /**
   * `dataDir` holds the photos served as attachments; `appFlags` are the application's flags;
   * `recommendedShards` is what `GET /gateway/bot` recommends (default 1).
   */
  constructor(options: { dataDir: string; appFlags?: number; recommendedShards?: number }) {
    super();
    this.#dataDir = options.dataDir;
    this.#appFlags = options.appFlags ?? 0;
    this.#recommendedShards = options.recommendedShards ?? 1;
    this.#server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onGateway(ws));
    });
  }

  /** What DISCORD_API_URL should be (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `${this.#base}/api`;
  }

  /** What DISCORD_CDN_URL should be: profile pictures are served under it. */
  get cdnUrl(): string {
    return `${this.#base}/cdn`;
  }

  /** Serves a photo under the data dir as an avatar on the CDN; returns its hash for a user or member. */
  avatar(file: string): string {
    const hash = createHash('md5').update(file).digest('hex');
    this.#avatars.set(hash, file);
    return hash;
  }

  /** Whether the bot's gateway connection is open. */
  get connected(): boolean {
    return this.#socket?.readyState === 1;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Cuts the bot's gateway connection as a network failure would (no close frame); it should reconnect. */
  dropGateway(): void {
    this.#socket?.terminate();
  }

  /** Serves raw bytes as an attachment file named `name`, announced as `contentType` (default image/png). */
  addFile(name: string, data: Buffer | Uint8Array, contentType?: string): void {
    this.#files.set(name, Buffer.from(data));
    if (contentType) this.#types.set(name, contentType);
  }

  /** Makes the attachment object for `name` point at `url` (a host that is not the stand-in's). */
  setFileUrl(name: string, url: string): void {
    this.#urls.set(name, url);
  }

  /** An attachment object for a file under the data dir (or one added with `addFile`). */
  async attachment(file: string): Promise<Record<string, unknown>> {
    const data = this.#files.get(file) ?? (await readFile(this.#safePath(file)));
    const name = file.split('/').pop() ?? file;
    const url = this.#urls.get(file) ?? `${this.#base}/files/${file}`;
    return {
      id: snowflake(),
      filename: name,
      size: data.byteLength,
      url,
      proxy_url: url,
      content_type: this.#types.get(file) ?? 'image/png',
    };
  }

  /** Dispatches a slash command; resolves with its id, token and the dispatch time. */
  async dispatchInteraction(spec: {
    name: string;
    subcommand?: string;
    options?: StandinOption[];
    user: StandinUser;
    admin?: boolean;
    channelId?: string;
    /** From a DM between members: no guild, only the member's own install (USER_INSTALL) authorises it. */
    dm?: boolean;
  }): Promise<{ id: string; token: string; at: number }> {
    const attachments: Record<string, unknown> = {};
    const options = [];
    for (const o of spec.options ?? []) {
      if (o.type === 11) {
        const a = await this.attachment(o.file);
        attachments[a.id as string] = a;
        options.push({ name: o.name, type: 11, value: a.id });
      } else {
        options.push(o);
      }
    }
    const data = {
      id: snowflake(),
      name: spec.name,
      type: 1,
      ...(spec.dm ? {} : { guild_id: this.guildId }),
      options: spec.subcommand ? [{ name: spec.subcommand, type: 1, options }] : options,
      resolved: { attachments },
    };
    return this.#dispatchCommand(spec, data);
  }

  /**
   * Dispatches the message command `name` on a message `author` posted with `files`, in the server's
   * general channel; resolves like `dispatchInteraction`, with the message's id.
   */
  async dispatchMessageCommand(spec: {
    name: string;
    user: StandinUser;
    author: StandinUser;
    files: string[];
  }): Promise<{ id: string; token: string; at: number; messageId: string }> {
    const message = await this.#userMessage(spec.author, this.channelId, spec.files, false);
    const messageId = String(message.id);
    const data = {
      id: snowflake(),
      name: spec.name,
      type: 3,
      guild_id: this.guildId,
      target_id: messageId,
      resolved: { messages: { [messageId]: message } },
    };
    return { ...(await this.#dispatchCommand(spec, data)), messageId };
  }

  /** Dispatches the user command `name` on `target`; `guildAvatar` is their server profile picture's hash. */
  async dispatchUserCommand(spec: {
    name: string;
    user: StandinUser;
    target: StandinUser;
    guildAvatar?: string;
  }): Promise<{ id: string; token: string; at: number }> {
    const { user: _user, permissions: _permissions, ...member } = memberPayload(spec.target, false);
    const data = {
      id: snowflake(),
      name: spec.name,
      type: 2,
      guild_id: this.guildId,
      target_id: spec.target.id,
      resolved: {
        users: { [spec.target.id]: userPayload(spec.target) },
        members: { [spec.target.id]: { ...member, avatar: spec.guildAvatar ?? null } },
      },
    };
    return this.#dispatchCommand(spec, data);
  }

  // An APPLICATION_COMMAND interaction: in the server (installed there, GUILD_INSTALL), or in a DM between
  // members, which only the member's own install reaches (USER_INSTALL, context PRIVATE_CHANNEL).
  #dispatchCommand(
    spec: { user: StandinUser; admin?: boolean; channelId?: string; dm?: boolean },
    data: Record<string, unknown>,
  ): { id: string; token: string; at: number } {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${randomBytes(24).toString('hex')}`;
    const channelId = spec.dm ? this.dmChannelId : (spec.channelId ?? this.channelId);
    const where = spec.dm
      ? {
          channel_id: channelId,
          channel: {
            id: channelId,
            type: 1,
            recipients: [userPayload({ id: snowflake(), username: 'friend' })],
          },
          user: userPayload(spec.user),
          // Discord's documented DM permissions for apps: ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE.
          app_permissions: ((1n << 15n) | (1n << 14n) | (1n << 17n)).toString(),
          authorizing_integration_owners: { '1': spec.user.id },
          context: 2,
        }
      : this.#inServer(spec.user, channelId, spec.admin ?? false);
    const payload = {
      id,
      application_id: this.appId,
      type: 2,
      token,
      version: 1,
      ...where,
      locale: 'en-US',
      entitlements: [],
      data,
    };
    const at = performance.now();
    this.#dispatch('INTERACTION_CREATE', payload);
    return { id, token, at };
  }

  // Where an interaction in the stand-in server comes from: the server installed the app (GUILD_INSTALL).
  #inServer(user: StandinUser, channelId: string, admin: boolean): Record<string, unknown> {
    return {
      guild_id: this.guildId,
      channel_id: channelId,
      channel: channelPayload(
        this.guildId,
        channelId,
        channelId === this.watchedChannelId ? 'selfies' : 'general',
      ),
      member: memberPayload(user, admin),
      app_permissions: MEMBER_PERMISSIONS.toString(),
      guild_locale: 'en-US',
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
    };
  }

  /** Dispatches a press of button `customId` on a message the bot posted (MESSAGE_COMPONENT interaction). */
  dispatchButton(spec: { user: StandinUser; messageId: string; customId: string }): {
    id: string;
    token: string;
    at: number;
  } {
    const message = this.#messages.get(spec.messageId);
    if (!message) throw new Error(`the bot posted no message ${spec.messageId}`);
    const channelId = String(message.channel_id);
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${randomBytes(24).toString('hex')}`;
    const at = performance.now();
    this.#dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.appId,
      type: 3,
      token,
      version: 1,
      ...this.#inServer(spec.user, channelId, false),
      locale: 'en-US',
      entitlements: [],
      message,
      data: { custom_id: spec.customId, component_type: 2 },
    });
    return { id, token, at };
  }

  /** Dispatches a message with attachments; `mention` @mentions the bot. */
  async dispatchMessage(spec: {
    user: StandinUser;
    channelId: string;
    files: string[];
    mention?: boolean;
  }): Promise<{ id: string; at: number }> {
    const payload = await this.#userMessage(spec.user, spec.channelId, spec.files, spec.mention ?? false);
    const at = performance.now();
    this.#dispatch('MESSAGE_CREATE', payload);
    return { id: String(payload.id), at };
  }

  // A member's message with attachments, as MESSAGE_CREATE and a message command's resolved message carry it.
  async #userMessage(
    user: StandinUser,
    channelId: string,
    files: string[],
    mention: boolean,
  ): Promise<Record<string, unknown>> {
    const { user: _user, ...member } = memberPayload(user, false);
    return {
      id: snowflake(),
      channel_id: channelId,
      guild_id: this.guildId,
      author: userPayload(user),
      member,
      content: mention ? `<@${this.botUser.id}> who is this?` : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: mention ? [userPayload(this.botUser, true)] : [],
      mention_roles: [],
      attachments: await Promise.all(files.map((f) => this.attachment(f))),
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      components: [],
    };
  }

  /** The first request (from index `from`) matching `predicate`, waiting up to `timeoutMs`. */
  waitFor(
    predicate: (r: RecordedRequest) => boolean,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    const found = this.requests.slice(options.from ?? 0).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('request', listener);
        reject(new Error('timed out waiting for a request from the bot'));
      }, options.timeoutMs ?? 30_000);
      const listener = (r: RecordedRequest) => {
        if (!predicate(r)) return;
        clearTimeout(timer);
        this.off('request', listener);
        resolve(r);
      };
      this.on('request', listener);
    });
  }

  /** Whether a request asked for an ephemeral message. */
  static isEphemeral(r: RecordedRequest): boolean {
    const data = (r.body?.data ?? r.body) as { flags?: number } | undefined;
    return ((data?.flags ?? 0) & EPHEMERAL) !== 0;
  }

  #safePath(file: string): string {
    const path = normalize(join(this.#dataDir, file));
    if (!path.startsWith(normalize(this.#dataDir))) throw new Error(`outside the data dir: ${file}`);
    return path;
  }

  #send(payload: Record<string, unknown>): void {
    this.#socket?.send(JSON.stringify(payload));
  }

  #dispatch(t: string, d: unknown): void {
    if (!this.connected) throw new Error(`cannot dispatch ${t}: the bot is not connected`);
    this.#send({ op: 0, t, s: ++this.#seq, d });
  }

  #onGateway(ws: WebSocket): void {
    this.connections++;
    // Events go to the shard that owns the guild; until one identifies, to the newest connection.
    if (!this.connected) {
      this.#socket = ws;
      this.#seq = 0;
    }
    const send = (payload: Record<string, unknown>) => ws.send(JSON.stringify(payload));
    // A short interval makes the client heartbeat (and us acknowledge) several times during a test.
    send({ op: 10, d: { heartbeat_interval: 1_500 }, s: null, t: null });
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { op: number; d: Record<string, unknown> };
      if (msg.op === 1) {
        this.heartbeats++;
        send({ op: 11, d: null, s: null, t: null });
      } else if (msg.op === 2) {
        this.identifies.push(msg.d);
        const shard = (msg.d.shard as [number, number] | undefined) ?? [0, 1];
        // Discord's rule: a guild lives on shard (guild_id >> 22) % shard_count.
        const owner = Number((BigInt(this.guildId) >> 22n) % BigInt(shard[1]));
        const ready = {
          v: 10,
          user: { ...userPayload(this.botUser, true), verified: true, mfa_enabled: false },
          guilds: owner === shard[0] ? [{ id: this.guildId, unavailable: true }] : [],
          session_id: randomBytes(8).toString('hex'),
          resume_gateway_url: `${this.#base.replace('http', 'ws')}/gateway`,
          shard,
          application: { id: this.appId, flags: this.#appFlags },
        };
        if (owner !== shard[0]) {
          send({ op: 0, t: 'READY', s: 1, d: ready });
          return;
        }
        this.#socket = ws;
        this.#seq = 0;
        this.#dispatch('READY', ready);
        this.#dispatch('GUILD_CREATE', guildPayload(this.guildId, [this.channelId, this.watchedChannelId]));
      } else if (msg.op === 6) {
        send({ op: 9, d: false, s: null, t: null });
      }
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#base);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);

    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const file = decodeURIComponent(url.pathname.slice('/files/'.length));
      this.downloads.push(file);
      try {
        const data = this.#files.get(file) ?? (await readFile(this.#safePath(file)));
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': data.byteLength }).end(data);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    // The CDN's user avatars (/avatars/<user>/<hash>.png) and server avatars (/guilds/…/avatars/<hash>.png).
    const avatar = /^\/cdn(?:\/guilds\/\d+\/users\/\d+)?\/avatars\/(?:\d+\/)?([0-9a-f]+)\.png$/.exec(
      url.pathname,
    );
    if (req.method === 'GET' && avatar) {
      const file = this.#avatars.get(avatar[1]!);
      this.downloads.push(`avatar:${file ?? avatar[1]}`);
      if (!file) return json(res, 404, { message: 'Not Found', code: 0 });
      const data = await readFile(this.#safePath(file));
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': data.byteLength }).end(data);
      return;
    }
    if (!url.pathname.startsWith(VERSION_PREFIX)) {
      json(res, 404, { message: 'Not Found', code: 0 });
      return;
    }

    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      // discord.js percent-encodes `@original`.
      path: decodeURIComponent(url.pathname.slice(VERSION_PREFIX.length)),
      query: url.searchParams,
      body: undefined,
      files: [],
      at: performance.now(),
    };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const entries: [string, FormDataEntryValue][] = [];
      form.forEach((value, key) => {
        entries.push([key, value]);
      });
      for (const [key, value] of entries) {
        if (key === 'payload_json') recorded.body = JSON.parse(String(value)) as Record<string, unknown>;
        else if (typeof value !== 'string') {
          recorded.files.push({ name: value.name, data: Buffer.from(await value.arrayBuffer()) });
        }
      }
    } else if (raw.byteLength > 0) {
      recorded.body = JSON.parse(raw.toString()) as Record<string, unknown>;
    }
    // Answered first, so that a test woken by the request can already use the message it created.
    this.#respond(recorded, res);
    this.requests.push(recorded);
    this.emit('request', recorded);
  }

  #respond(r: RecordedRequest, res: ServerResponse): void {
    const { method, path } = r;
    const webhook = /^\/webhooks\/\d+\/[^/]+(\/messages\/@original)?$/.test(path);
    const channel = /^\/channels\/(\d+)\/messages$/.exec(path);
    const edit = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (method === 'GET' && path === '/gateway/bot') {
      json(res, 200, {
        url: `${this.#base.replace('http', 'ws')}/gateway`,
        shards: this.#recommendedShards,
        // Buckets of 16 identify at once (as large bots may), so multi-shard tests need not wait 5 s a shard.
        session_start_limit: { total: 1000, remaining: 999, reset_after: 60_000, max_concurrency: 16 },
      });
    } else if (method === 'GET' && path === '/applications/@me') {
      json(res, 200, { id: this.appId, name: 'Lookalike', flags: this.#appFlags, bot_public: false });
    } else if (
      (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) ||
      (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) ||
      (method === 'DELETE' && webhook && path.endsWith('/@original'))
    ) {
      res.writeHead(204).end();
    } else if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const list = (Array.isArray(r.body) ? r.body : []) as Record<string, unknown>[];
      json(
        res,
        200,
        list.map((c) => ({ ...c, id: snowflake(), application_id: this.appId, version: '1' })),
      );
    } else if (webhook && (method === 'PATCH' || method === 'POST')) {
      json(res, 200, this.#message(r, this.channelId));
    } else if (channel && method === 'POST') {
      json(res, 200, this.#remember(r, this.#message(r, channel[1]!)));
    } else if (edit && method === 'PATCH' && this.#messages.has(edit[2]!)) {
      json(res, 200, this.#remember(r, { ...this.#message(r, edit[1]!), id: edit[2]! }));
    } else {
      json(res, 404, { message: `Unknown route ${method} ${path}`, code: 0 });
    }
  }

  #remember(r: RecordedRequest, message: Record<string, unknown>): Record<string, unknown> {
    this.#messages.set(String(message.id), message);
    r.response = message;
    return message;
  }

  #message(r: RecordedRequest, channelId: string): Record<string, unknown> {
    const body = r.body ?? {};
    return {
      id: snowflake(),
      channel_id: channelId,
      author: userPayload(this.botUser, true),
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      attachments: r.files.map((f) => ({
        id: snowflake(),
        filename: f.name,
        size: f.data.byteLength,
        url: '',
      })),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      type: 0,
      flags: typeof body.flags === 'number' ? body.flags : 0,
      components: Array.isArray(body.components) ? body.components : [],
      application_id: this.appId,
      webhook_id: r.path.startsWith('/webhooks') ? this.appId : undefined,
    };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.byteLength }).end(data);
}
