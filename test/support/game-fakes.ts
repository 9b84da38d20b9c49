// Fakes for testing games without timers, platforms or the face engine (adapter owners may use them too).
import type { MessageRef, Platform, Poster, Reply } from '../../src/chat/types.ts';
import type { Candidate } from '../../src/domain/types.ts';
import { UserError } from '../../src/errors.ts';
import type { Clock } from '../../src/games/clock.ts';
import type { GameFaces } from '../../src/games/faces.ts';

/** A clock that only moves when told to; timers fire in deadline order during `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #next = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2025, 0, 1, 12)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(fn: () => void, ms: number): number {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due by then at its own time (`advance(0)` fires due ones). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = target;
  }
}

/** A posted or edited message. */
export interface PosterCall {
  ref: MessageRef;
  reply: Reply;
}

/** A Poster that records what games post and edit; every platform is supported unless listed. */
export class RecordingPoster implements Poster {
  readonly posts: PosterCall[] = [];
  readonly edits: PosterCall[] = [];
  readonly unsupported = new Set<Platform>();
  #next = 0;

  supports(platform: Platform): boolean {
    return !this.unsupported.has(platform);
  }

  async post(platform: Platform, channelId: string, reply: Reply): Promise<MessageRef> {
    const ref = { platform, channelId, id: `msg-${++this.#next}` };
    this.posts.push({ ref, reply });
    return ref;
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    this.edits.push({ ref, reply });
  }

  /** The latest content of message `id` (its last edit, else as posted). */
  latest(id: string): Reply | undefined {
    const edited = this.edits.filter((e) => e.ref.id === id).at(-1);
    return (edited ?? this.posts.find((p) => p.ref.id === id))?.reply;
  }
}

/** A face for `fakeFaces`: the embedding (any length, normalised by the caller) and a PNG thumbnail. */
export interface FakeFace {
  embedding: number[];
  thumbnail: Uint8Array;
}

/**
 * GameFaces over a table: an image whose bytes are the UTF-8 text `key` has `faces[key]`, other images
 * have no face. A celebrity similarity is the embedding's first value; every lookalike is `lookalike`.
 */
export function fakeFaces(
  faces: Record<string, FakeFace>,
  lookalike: Candidate | null = { name: 'Brad Pitt', slug: 'brad-pitt', confidence: 0.7, similarity: 0.6 },
): GameFaces & { reads: number } {
  const fake = {
    reads: 0,
    async read(image: Uint8Array) {
      fake.reads++;
      const face = faces[new TextDecoder().decode(image)];
      if (!face) throw new UserError('no_face');
      return { embedding: Float32Array.from(face.embedding), thumbnail: face.thumbnail };
    },
    async lookalike() {
      return lookalike;
    },
    async similarityTo(_gallery: string, _slug: string, embedding: Float32Array) {
      return Math.min(1, Math.max(0, embedding[0] ?? 0));
    },
  };
  return fake;
}
