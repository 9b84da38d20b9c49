/**
 * Runs async critical sections one at a time per key, in call order. It only orders callers inside this
 * process; separate processes writing the same key are not coordinated (last writer wins).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` with the same key has finished (or failed). */
  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // Forget idle keys so that the map does not grow with every scope ever touched.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
