// How games reach channels outside a command's reply: posting round messages and editing them.
import type { Adapter } from '../chat/adapter.ts';
import type { Logger } from '../chat/logger.ts';
import type { MessageRef, Platform, Poster, Reply } from '../chat/types.ts';

/** A Poster over the running adapters, one per platform. */
export class AdapterPoster implements Poster {
  readonly #adapters = new Map<Platform, Adapter>();

  /** Routes `adapter.platform`'s messages to this adapter. */
  add(adapter: Adapter): void {
    this.#adapters.set(adapter.platform, adapter);
  }

  supports(platform: Platform): boolean {
    const adapter = this.#adapters.get(platform);
    return adapter?.post !== undefined && adapter.edit !== undefined;
  }

  async post(platform: Platform, channelId: string, reply: Reply): Promise<MessageRef> {
    const adapter = this.#adapters.get(platform);
    if (!adapter?.post) throw new Error(`the ${platform} adapter cannot post messages`);
    return adapter.post(channelId, reply);
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const adapter = this.#adapters.get(ref.platform);
    if (!adapter?.edit) throw new Error(`the ${ref.platform} adapter cannot edit messages`);
    await adapter.edit(ref, reply);
  }
}

/**
 * Sends edits one at a time per message, keeping only the latest pending content. A burst of answers
 * then costs one or two edits instead of one each, which keeps under the platforms' edit rate limits,
 * and scoring never waits for an edit.
 */
export class EditQueue<V> {
  readonly #pending = new Map<string, { ref: MessageRef; view: V }>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #send: (ref: MessageRef, view: V) => Promise<void>;
  readonly #log: Logger;

  /** `send` renders and edits one message; its failures are logged, not thrown. */
  constructor(send: (ref: MessageRef, view: V) => Promise<void>, log: Logger) {
    this.#send = send;
    this.#log = log;
  }

  /** Queues `view` as the next content of `ref`, replacing any content not sent yet. */
  push(ref: MessageRef, view: V): void {
    const key = `${ref.platform}:${ref.channelId}:${ref.id}`;
    this.#pending.set(key, { ref, view });
    if (!this.#running.has(key)) this.#running.set(key, this.#drain(key));
  }

  /** Resolves once every queued edit was sent (or failed). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  async #drain(key: string): Promise<void> {
    // Yield first, so that the caller's `running.set` happens before this can finish.
    await Promise.resolve();
    for (let job = this.#pending.get(key); job; job = this.#pending.get(key)) {
      this.#pending.delete(key);
      try {
        await this.#send(job.ref, job.view);
      } catch (err) {
        this.#log.warn('could not edit a game message', { channelId: job.ref.channelId, error: err });
      }
    }
    this.#running.delete(key);
  }
}
