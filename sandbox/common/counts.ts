// Per-endpoint request counts, keyed "METHOD /route/pattern", read by tests and benchmarks.
export class RequestCounter {
  private counts = new Map<string, number>();
  private rateLimited = new Map<string, number>();

  /** Counts one request; `rateLimited`: it was answered 429 (a rate limit's refusal). */
  hit(method: string, route: string, rateLimited = false): void {
    const key = `${method.toUpperCase()} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (rateLimited) this.rateLimited.set(key, (this.rateLimited.get(key) ?? 0) + 1);
  }

  /**
   * Every request by endpoint, and of those the ones answered 429 (they count in `total` and
   * `byEndpoint` too): a rate limit's window holds only the others.
   */
  snapshot(): {
    total: number;
    byEndpoint: Record<string, number>;
    rateLimitedByEndpoint: Record<string, number>;
  } {
    const byEndpoint = Object.fromEntries([...this.counts.entries()].sort());
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const rateLimitedByEndpoint = Object.fromEntries([...this.rateLimited.entries()].sort());
    return { total, byEndpoint, rateLimitedByEndpoint };
  }

  reset(): void {
    this.counts.clear();
    this.rateLimited.clear();
  }
}
