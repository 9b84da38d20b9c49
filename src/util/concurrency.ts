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
