/** Runs `task` over `items` with at most `concurrency` in flight; returns each item's latency in ms. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        const started = performance.now();
        await task(items[index]!, index);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}
