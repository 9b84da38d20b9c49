import type { SlackFile } from './payloads.ts';

/** One message with images, as remembered for later slash commands. */
export interface RecentShare {
  ts: string;
  /** When it was recorded, in ms since the epoch. */
  at: number;
  files: SlackFile[];
}

/** Options for `new RecentImages`. */
export interface RecentImagesOptions {
  /** How long a shared photo counts as "just shared" (default 5 minutes). */
  ttlMs?: number;
  /** How many (workspace, channel, member) triples are remembered at most (default 1000). */
  maxKeys?: number;
  /** How many messages per triple are remembered (default 5). */
  perKey?: number;
  now?: () => number;
}

/** How `pick` chooses images for a command's attachment options. */
export interface PickOptions {
  /** Images the command needs; older messages are used until there are this many. */
  required: number;
  /** Attachment options the command has; extra images of the latest message are ignored. */
  max: number;
  /** Which remembered files count (default: all); messages with none of them are passed over. */
  accept?: (file: SlackFile) => boolean;
}

/**
 * Which images (and ZIPs) each member shared recently in each channel. Slack slash commands carry no
 * files, so `/lookalike`, `/enroll` and `/compare` use the photos the caller posted just before, and
 * `/gallery import` the ZIP. Only file
 * metadata is kept (never bytes), for a few minutes, in a bounded map: the oldest triple is evicted first.
 */
export class RecentImages {
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #perKey: number;
  readonly #now: () => number;
  readonly #shares = new Map<string, RecentShare[]>();
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(options: RecentImagesOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxKeys = options.maxKeys ?? 1000;
    this.#perKey = options.perKey ?? 5;
    this.#now = options.now ?? Date.now;
  }

  /** The window in which a shared photo is used by a later command, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** How many triples are remembered now (for tests and diagnostics). */
  get size(): number {
    return this.#shares.size;
  }

  /** Remembers that `userId` posted `files` (photos, and ZIPs for `/gallery import`) in a channel. */
  record(teamId: string, channelId: string, userId: string, ts: string, files: SlackFile[]): void {
    if (files.length === 0) return;
    const key = keyOf(teamId, channelId, userId);
    const now = this.#now();
    const kept = this.#fresh(this.#shares.get(key) ?? [], now).filter((s) => s.ts !== ts);
    kept.unshift({ ts, at: now, files });
    // Re-inserting moves the key to the end, so the Map's order is least recently used first.
    this.#shares.delete(key);
    this.#shares.set(key, kept.slice(0, this.#perKey));
    while (this.#shares.size > this.#maxKeys) {
      const oldest = this.#shares.keys().next().value;
      if (oldest === undefined) break;
      this.#shares.delete(oldest);
    }
    for (const wake of this.#waiters.get(key) ?? []) wake();
  }

  /**
   * Resolves true when the member shares images in this channel within `timeoutMs`, else false. Slack
   * may deliver a photo's `file_share` event after a slash command typed right after posting it.
   */
  whenShared(teamId: string, channelId: string, userId: string, timeoutMs: number): Promise<boolean> {
    const key = keyOf(teamId, channelId, userId);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(key) ?? new Set<() => void>();
      this.#waiters.set(key, waiters);
      const done = (shared: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve(shared);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(wake);
    });
  }

  /** The member's messages with images in this channel within the window, newest first. */
  recent(teamId: string, channelId: string, userId: string): RecentShare[] {
    const key = keyOf(teamId, channelId, userId);
    const shares = this.#shares.get(key);
    if (!shares) return [];
    const fresh = this.#fresh(shares, this.#now());
    if (fresh.length === 0) this.#shares.delete(key);
    else if (fresh.length !== shares.length) this.#shares.set(key, fresh);
    return fresh;
  }

  /**
   * Images for a command: those of the member's latest message (in posting order, at most `max`), and
   * when that is fewer than `required`, images of earlier messages before them. So `/enroll` gets the
   * photos of one message, and `/compare` the last two photos whether posted together or apart.
   */
  pick(teamId: string, channelId: string, userId: string, options: PickOptions): SlackFile[] {
    const { accept } = options;
    const shares = this.recent(teamId, channelId, userId)
      .map((share) => (accept ? { ...share, files: share.files.filter(accept) } : share))
      .filter((share) => share.files.length > 0);
    const [latest, ...older] = shares;
    if (!latest || options.max <= 0) return [];
    const picked = latest.files.slice(0, options.max);
    for (const share of older) {
      if (picked.length >= Math.min(options.required, options.max)) break;
      const need = Math.min(options.required, options.max) - picked.length;
      picked.unshift(...share.files.slice(-need));
    }
    return picked;
  }

  /** Forgets every photo the member shared in any channel of the team (`/forget`); returns how many messages. */
  forget(teamId: string, userId: string): number {
    let messages = 0;
    for (const [key, shares] of this.#shares) {
      const [team, , user] = key.split('/');
      if (team !== teamId || user !== userId) continue;
      messages += shares.length;
      this.#shares.delete(key);
    }
    return messages;
  }

  #fresh(shares: RecentShare[], now: number): RecentShare[] {
    return shares.filter((s) => now - s.at <= this.#ttlMs);
  }
}

function keyOf(teamId: string, channelId: string, userId: string): string {
  return `${teamId}/${channelId}/${userId}`;
}
