// A local stand-in for Slack: the Web API under /api/ (what SLACK_API_URL points the real app at), file
// downloads that demand the bot token, the external upload URL, response_urls, and a Socket Mode
// WebSocket handed out by apps.connections.open. Tests drive it and read what the bot sent.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';

/** A call the bot made: a Web API method, an upload, a download or a response_url POST. */
export interface RecordedCall {
  /** `chat.postMessage`…, or `upload`, `download`, `response_url`. */
  method: string;
  /** Arguments, JSON-valued ones (blocks, files) parsed. */
  args: Record<string, unknown>;
  /** The Bearer token sent, if any. */
  token?: string;
  /** Raw bytes of an upload. */
  data?: Buffer;
  at: number;
}

/** A member as users.info describes them. */
export interface StandinMember {
  id: string;
  name: string;
  admin?: boolean;
  owner?: boolean;
  /** A photo under the data dir served as their profile picture; none means Slack's initials avatar. */
  avatar?: string;
}

/** A Socket Mode envelope acknowledgement. */
export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
  /** `performance.now()` when it arrived (set by the stand-in). */
  at?: number;
}

let counter = 0;
/** A fresh message timestamp, as Slack formats them. */
export function newTs(): string {
  counter += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(counter).padStart(6, '0')}`;
}

/** Fake Slack Web API, files, uploads and Socket Mode. */
export class SlackStandin extends EventEmitter {
  readonly teamId = 'T0STANDIN';
  readonly botUserId = 'U0LOOKALIKE';
  readonly botId = 'B0LOOKALIKE';
  readonly calls: RecordedCall[] = [];
  readonly acks: SocketAck[] = [];
  readonly #dataDir: string;
  readonly #botToken: string;
  readonly #appToken: string | undefined;
  readonly #members = new Map<string, StandinMember>();
  readonly #files = new Map<string, { path: string; bytes?: Buffer }>();
  readonly #uploads = new Map<
    string,
    { name: string; data?: Buffer; shares: Record<string, { ts: string }[]> }
  >();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #wss = new WebSocketServer({ noServer: true });
  #socket: WebSocket | undefined;
  #base = '';
  socketConnections = 0;

  /** `dataDir` holds the photos served as shared files; only `botToken` may download them. */
  constructor(options: { dataDir: string; botToken: string; appToken?: string }) {
    super();
    this.#dataDir = options.dataDir;
    this.#botToken = options.botToken;
    this.#appToken = options.appToken;
    this.#server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket')) return socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws));
    });
  }

  /** What SLACK_API_URL should be. */
  get apiUrl(): string {
    return `${this.#base}/api/`;
  }

  /** Whether a Socket Mode client is connected. */
  get socketOpen(): boolean {
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

  /** Cuts the Socket Mode connection as a network failure would (no close handshake). */
  dropSocket(): void {
    this.#socket?.terminate();
  }

  /** Asks the client to reconnect, as Slack does before recycling a connection (`disconnect` message). */
  sendDisconnect(reason = 'refresh_requested'): void {
    this.#socket?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'standin' } }));
  }

  /** Adds a member users.info knows. */
  addMember(member: StandinMember): void {
    this.#members.set(member.id, member);
  }

  /** A Slack file object for a photo under the data dir (or raw `bytes`), as message events carry it. */
  file(path: string, bytes?: Buffer, mimetype?: string): Record<string, unknown> {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    this.#files.set(id, { path, bytes });
    const name = path.split('/').pop() ?? path;
    const url = `${this.#base}/files-pri/${this.teamId}-${id}/${encodeURIComponent(name)}`;
    return {
      id,
      name,
      title: name,
      mimetype: mimetype ?? (name.endsWith('.jpg') ? 'image/jpeg' : 'image/png'),
      filetype: name.split('.').pop(),
      url_private: url,
      url_private_download: `${url}?download=1`,
    };
  }

  /** A response_url that records what is POSTed to it. */
  responseUrl(): string {
    return `${this.#base}/respond/${randomBytes(6).toString('hex')}`;
  }

  /** Bytes uploaded for a file id. */
  uploaded(fileId: string): Buffer | undefined {
    return this.#uploads.get(fileId)?.data;
  }

  /** Sends a Socket Mode envelope (`events_api`, `slash_commands`, `interactive`); returns its envelope_id. */
  sendEnvelope(type: string, payload: unknown): string {
    if (!this.socketOpen) throw new Error('no Socket Mode client is connected');
    const envelopeId = randomBytes(8).toString('hex');
    this.#socket?.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
      }),
    );
    return envelopeId;
  }

  /** The acknowledgement of an envelope, waiting up to `timeoutMs`. */
  waitForAck(envelopeId: string, timeoutMs = 5_000): Promise<SocketAck> {
    return this.#wait(() => this.acks.find((a) => a.envelope_id === envelopeId), 'ack', timeoutMs);
  }

  /** The first call (from index `from`) matching `predicate`, waiting up to `timeoutMs`. */
  waitFor(
    predicate: (c: RecordedCall) => boolean,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<RecordedCall> {
    return this.#wait(
      () => this.calls.slice(options.from ?? 0).find(predicate),
      'call',
      options.timeoutMs ?? 30_000,
    );
  }

  #wait<T>(find: () => T | undefined, event: string, timeoutMs: number): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`timed out waiting for a ${event} from the bot`));
      }, timeoutMs);
      const listener = () => {
        const hit = find();
        if (hit === undefined) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve(hit);
      };
      this.on(event, listener);
    });
  }

  #record(call: Omit<RecordedCall, 'at'>): void {
    this.calls.push({ ...call, at: performance.now() });
    this.emit('call');
  }

  #onSocket(ws: WebSocket): void {
    this.socketConnections++;
    this.#socket = ws;
    ws.on('message', (raw) => {
      this.acks.push({ ...(JSON.parse(raw.toString()) as SocketAck), at: performance.now() });
      this.emit('ack');
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0STANDIN' } }));
  }

  #safePath(file: string): string {
    const path = normalize(join(this.#dataDir, file));
    if (!path.startsWith(normalize(this.#dataDir))) throw new Error(`outside the data dir: ${file}`);
    return path;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#base);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const path = url.pathname;

    if (path.startsWith('/files-pri/')) {
      const id = /-(F[0-9A-F]+)\//.exec(path)?.[1] ?? '';
      const file = this.#files.get(id);
      this.#record({ method: 'download', args: { file: id }, token });
      // Like Slack: without the bot token, url_private answers with the sign-in page.
      if (token !== this.#botToken) return send(res, 200, 'text/html', Buffer.from('<html>Sign in</html>'));
      if (!file) return send(res, 404, 'text/plain', Buffer.from('no such file'));
      return send(res, 200, 'image/png', file.bytes ?? (await readFile(this.#safePath(file.path))));
    }
    if (path.startsWith('/avatars/')) {
      const data = await readFile(this.#safePath(decodeURIComponent(path.slice('/avatars/'.length))));
      return send(res, 200, 'image/png', data);
    }
    if (path.startsWith('/upload/')) {
      const id = path.slice('/upload/'.length);
      const upload = this.#uploads.get(id);
      if (upload) upload.data = raw;
      this.#record({ method: 'upload', args: { file: id }, token, data: raw });
      return send(res, upload ? 200 : 404, 'text/plain', Buffer.from(`OK - ${raw.byteLength}`));
    }
    if (path.startsWith('/respond/')) {
      this.#record({ method: 'response_url', args: JSON.parse(raw.toString() || '{}'), token });
      return send(res, 200, 'text/plain', Buffer.from('ok'));
    }
    if (!path.startsWith('/api/')) return send(res, 404, 'text/plain', Buffer.from('not found'));

    const method = path.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    this.#record({ method, args, token });
    json(res, this.#answer(method, args, token));
  }

  #answer(method: string, args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    const isApp = token?.startsWith('xapp-');
    if (method === 'apps.connections.open') {
      if (!isApp) return { ok: false, error: 'not_allowed_token_type' };
      if (this.#appToken !== undefined && token !== this.#appToken)
        return { ok: false, error: 'invalid_auth' };
      return {
        ok: true,
        url: `${this.#base.replace('http', 'ws')}/socket?ticket=${randomBytes(4).toString('hex')}`,
      };
    }
    if (token !== this.#botToken) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://standin.slack.com/',
          team: 'Stand-in',
          user: 'lookalike',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
        };
      case 'users.info': {
        const m = this.#members.get(String(args.user));
        if (!m) return { ok: false, error: 'user_not_found' };
        const image = m.avatar ? `${this.#base}/avatars/${m.avatar}` : `${this.#base}/avatars/none.png`;
        return {
          ok: true,
          user: {
            id: m.id,
            name: m.name,
            is_admin: m.admin ?? false,
            is_owner: m.owner ?? false,
            profile: {
              display_name: m.name,
              real_name: m.name,
              image_512: image,
              is_custom_image: !!m.avatar,
            },
          },
        };
      }
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: newTs(), message: { text: args.text } };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: newTs() };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'files.getUploadURLExternal': {
        const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
        this.#uploads.set(id, { name: String(args.filename), shares: {} });
        return { ok: true, file_id: id, upload_url: `${this.#base}/upload/${id}` };
      }
      case 'files.completeUploadExternal': {
        const files = (args.files ?? []) as { id: string; title?: string }[];
        for (const f of files) {
          const upload = this.#uploads.get(f.id);
          if (!upload?.data) return { ok: false, error: 'file_not_found' };
          // Shared asynchronously on real Slack: the completion never names the message, files.info does.
          if (typeof args.channel_id === 'string') {
            upload.shares[args.channel_id] = [{ ts: newTs() }];
          }
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
      }
      case 'files.info': {
        const upload = this.#uploads.get(String(args.file));
        if (!upload) return { ok: false, error: 'file_not_found' };
        return { ok: true, file: { id: args.file, name: upload.name, shares: { public: upload.shares } } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: Buffer, type: string): Record<string, unknown> {
  if (raw.byteLength === 0) return {};
  if (type.startsWith('application/json')) return JSON.parse(raw.toString()) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString())) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': body.byteLength }).end(body);
}

function json(res: ServerResponse, body: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}
