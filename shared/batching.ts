/** Runs the calls at most `limit` at a time; the first failure is thrown once all have settled. */
export async function runLimited(calls: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++]!;
      await call().catch((err) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, calls.length) }, worker));
  if (errors.length) throw errors[0];
}

/** `items` in slices of at most `size`, in order. */
export function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}
