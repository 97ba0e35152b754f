/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const round = (n: number, digits = 1) =>
  Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n;

/** Sum of the deltas between two count snapshots for endpoints matching `keep`. */
export function countDelta(
  before: Record<string, number>,
  after: Record<string, number>,
  keep: (endpoint: string) => boolean = () => true,
): number {
  let total = 0;
  for (const [endpoint, n] of Object.entries(after))
    if (keep(endpoint)) total += n - (before[endpoint] ?? 0);
  return total;
}
