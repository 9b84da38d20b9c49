/**
 * The work a component started and has not finished (commands being answered, game events), so that
 * `stop()` can wait for it instead of cutting answers off halfway.
 */
export class RunningWork {
  readonly #pending = new Set<Promise<unknown>>();

  /** How many tracked promises are still running. */
  get size(): number {
    return this.#pending.size;
  }

  /** Counts `work` as running until it settles; returns it unchanged (its failure is the caller's). */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = () => this.#pending.delete(work);
    void work.then(done, done);
    return work;
  }

  /**
   * Resolves once nothing tracked is running, including work started while waiting; with `timeoutMs`,
   * after that long at the latest (a hung platform call must not block shutdown forever).
   */
  async drain(timeoutMs?: number): Promise<void> {
    const settled = (async () => {
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    })();
    if (timeoutMs === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([settled, limit]);
    clearTimeout(timer);
  }
}
