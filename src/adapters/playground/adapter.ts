import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Adapter } from '../../chat/adapter.ts';
import type { Bot } from '../../chat/bot.ts';
import type { Logger } from '../../chat/logger.ts';
import type { MessageRef, Reply } from '../../chat/types.ts';
import { ConfigError } from '../../errors.ts';
import { EventHub } from './events.ts';
import { createPlaygroundApp } from './server.ts';
import { ImageStore, toWire } from './wire.ts';

/** Options for `new PlaygroundAdapter`. */
export interface PlaygroundAdapterOptions {
  /** Interface to bind (config HOST, default 127.0.0.1). */
  host: string;
  /** Port (config PORT, default 3000); 0 picks a free one, see `url`. */
  port: number;
  logger: Logger;
  /** Largest accepted upload per file (default 10 MB). */
  maxFileBytes?: number;
  /** Largest accepted ZIP for `/gallery import` (default 100 MB). */
  maxArchiveBytes?: number;
  /** How long `stop()` lets running commands finish before cutting connections (default 10 s). */
  drainMs?: number;
  /** The face engine still warming up: the page says so until it resolves (default: ready). */
  engineReady?: Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Host names a loopback-bound server answers to; a rebinding attacker's name is not among them. */
export function allowedHostsFor(host: string): string[] | undefined {
  return LOOPBACK.test(host) ? ['localhost', '127.0.0.1', '[::1]', host] : undefined;
}

/**
 * Lookalike in a local web page: one channel with the bot in it, where the person at the keyboard is
 * the admin. Commands arrive over HTTP and are answered in the response; `post`/`edit` reach open pages
 * through Server-Sent Events.
 */
export class PlaygroundAdapter implements Adapter {
  readonly platform = 'playground' as const;
  readonly #options: PlaygroundAdapterOptions;
  readonly #images = new ImageStore();
  #hub = new EventHub();
  #server: Server | undefined;
  #url: string | undefined;

  #warming: boolean;

  constructor(options: PlaygroundAdapterOptions) {
    this.#options = options;
    this.#warming = options.engineReady !== undefined;
    // A failed start is the app's to log; the page stops saying "warming up" either way.
    options.engineReady?.then(
      () => {
        this.#warming = false;
      },
      () => {
        this.#warming = false;
      },
    );
  }

  /** The page's address once started, e.g. `http://127.0.0.1:3000/`. */
  get url(): string {
    if (!this.#url) throw new Error('PlaygroundAdapter not started');
    return this.#url;
  }

  /** How many pages are connected for pushed messages (for tests and diagnostics). */
  get connectedPages(): number {
    return this.#hub.size;
  }

  async start(bot: Bot): Promise<void> {
    if (this.#server) throw new Error('PlaygroundAdapter already started');
    const { host, port, logger } = this.#options;
    if (this.#hub.closed) this.#hub = new EventHub();
    const app = createPlaygroundApp({
      bot,
      logger,
      hub: this.#hub,
      warming: () => this.#warming,
      images: this.#images,
      maxFileBytes: this.#options.maxFileBytes,
      maxArchiveBytes: this.#options.maxArchiveBytes,
      allowedHosts: allowedHostsFor(host),
    });
    // createAdaptorServer makes a plain node:http server unless told otherwise.
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new ConfigError(`Port ${port} on ${host} is already in use: set PORT to a free one.`)
            : err,
        );
      });
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const bound = (server.address() as AddressInfo).port;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    this.#url = `http://${shown}:${bound}/`;
    logger.info(`Playground: open ${this.#url} in a browser`);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // Open event streams never end by themselves; closing them lets `close` finish.
    this.#hub.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Ended streams leave keep-alive connections that would hold `close` for seconds; sweep them as they
    // free up, and cut whatever still runs (a long command) once the drain time is over.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), this.#options.drainMs ?? 10_000);
    server.closeIdleConnections();
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);
    this.#options.logger.info('Playground stopped');
  }

  async post(channelId: string, reply: Reply): Promise<MessageRef> {
    const message = toWire(reply, channelId, this.#images);
    this.#hub.broadcast({ type: 'post', message });
    return { platform: 'playground', channelId, id: message.id };
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    this.#hub.broadcast({ type: 'edit', message: toWire(reply, ref.channelId, this.#images, ref.id) });
  }
}
