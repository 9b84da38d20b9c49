import type { Responder } from '../../chat/routes.ts';
import type { Reply } from '../../chat/types.ts';
import type { WireMessage } from './wire.ts';

/** What the server pushes to open pages over Server-Sent Events. */
export type PageEvent = { type: 'post' | 'edit'; message: WireMessage };

/** A connected page. */
export interface PageClient {
  send(event: PageEvent): void;
  close(): void;
}

/** The open pages, so `post`/`edit` reach every tab showing the playground channel. */
export class EventHub {
  readonly #clients = new Set<PageClient>();
  #closed = false;

  /** Adds a page; returns a function that removes it. */
  add(client: PageClient): () => void {
    if (this.#closed) {
      client.close();
      return () => {};
    }
    this.#clients.add(client);
    return () => this.#clients.delete(client);
  }

  /** Sends an event to every open page; a page whose connection broke is dropped. */
  broadcast(event: PageEvent): void {
    for (const client of this.#clients) {
      try {
        client.send(event);
      } catch {
        this.#clients.delete(client);
      }
    }
  }

  /** How many pages are connected. */
  get size(): number {
    return this.#clients.size;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends every stream, so the HTTP server can close without waiting for pages to leave. */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients) client.close();
    this.#clients.clear();
  }
}

/** Collects the Bot's answers to one page request, which returns them as its HTTP response. */
export class CollectingResponder implements Responder {
  readonly replies: Reply[] = [];
  #deferred = false;

  get deferred(): boolean {
    return this.#deferred;
  }

  // The page shows its own progress indicator for as long as the request runs.
  async defer(): Promise<void> {
    this.#deferred = true;
  }

  async send(reply: Reply): Promise<void> {
    this.replies.push(reply);
  }
}
