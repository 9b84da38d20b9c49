/**
 * Maps over items with at most `limit` calls in flight, keeping results in input order.
 * Batch callers (CLI enrolment, the benchmark) use it so that they feed the inference
 * pool steadily instead of overflowing its bounded queue.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
  return results;
}

/**
 * Maps an (async) stream of items with at most `limit` calls in flight and yields each result as soon as
 * it and every one before it are done, in input order. Unlike mapLimit nothing is gathered, so memory
 * stays bounded by `limit` whatever the count (the CLI streams a 10,000-photo folder through it).
 */
export async function* mapOrdered<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  for await (const item of items) {
    const started = fn(item);
    // Awaited in order below; a rejection waiting behind the head must not count as unhandled meanwhile.
    started.catch(() => {});
    window.push(started);
    if (window.length >= Math.max(1, limit)) yield await (window.shift() as Promise<R>);
  }
  while (window.length > 0) yield await (window.shift() as Promise<R>);
}
