/** Time and timers for the games; tests pass a fake one (test/fixtures/game-fakes.ts). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for `clear`. */
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a pending round must not keep a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** At most one timer per key (a channel's game has one next deadline). */
export class Timers {
  readonly #clock: Clock;
  readonly #handles = new Map<string, unknown>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `fn` at time `at` (at once when it is past), replacing the key's timer; null only cancels. */
  schedule(key: string, at: number | null, fn: () => void): void {
    this.cancel(key);
    if (at === null) return;
    const handle = this.#clock.set(
      () => {
        if (this.#handles.get(key) === handle) this.#handles.delete(key);
        fn();
      },
      Math.max(0, at - this.#clock.now()),
    );
    this.#handles.set(key, handle);
  }

  cancel(key: string): void {
    const handle = this.#handles.get(key);
    if (handle !== undefined) this.#clock.clear(handle);
    this.#handles.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.#handles.keys()]) this.cancel(key);
  }
}
