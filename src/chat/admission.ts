import type { LookalikeService } from '../domain/types.ts';
import { UserError } from '../errors.ts';
import { textOf } from '../user-texts.ts';

/** Expected wait from which a member is told their place in the queue (default 3 s). */
export const DEFAULT_QUEUE_NOTE_MS = 3_000;

/** A photo job taken: the note to show while it waits, if any, and how to give its place back. */
export interface Admitted {
  note?: string;
  release(): void;
}

/**
 * Decides whether photo work is taken before the platform is answered, so that a refusal is one reply
 * (no deferral, edit and follow-up) and costs no download. Jobs it let in that the engine has not seen
 * yet (their photo is still downloading) are counted as queued: a burst checked all at once would
 * otherwise be let in whole and refused one by one after deferring.
 */
export class Admission {
  readonly #service: Pick<LookalikeService, 'load'>;
  readonly #noteMs: number;
  #taken = 0;

  constructor(service: Pick<LookalikeService, 'load'>, noteMs = DEFAULT_QUEUE_NOTE_MS) {
    this.#service = service;
    this.#noteMs = noteMs;
  }

  /** Photo jobs let in and not yet released. */
  get taken(): number {
    return this.#taken;
  }

  /** Takes one photo job, or throws `busy` when the engine would refuse it; release it when done. */
  admit(): Admitted {
    const now = this.#service.load?.();
    let note: string | undefined;
    if (now) {
      // `ahead` already holds the jobs the engine has; the rest of ours are still on their way to it.
      const extra = Math.max(0, this.#taken - now.ahead);
      const load = extra > 0 ? (this.#service.load?.(extra) ?? now) : now;
      if (!load.accepting) throw new UserError('busy');
      if (load.expectedWaitMs >= this.#noteMs) {
        note = textOf('queued', { ahead: load.ahead, seconds: load.expectedWaitMs / 1000 });
      }
    }
    this.#taken++;
    let released = false;
    return {
      note,
      release: () => {
        if (released) return;
        released = true;
        this.#taken--;
      },
    };
  }
}
