// Per-endpoint request counts, keyed "METHOD /route/pattern", read by tests and benchmarks.
export class RequestCounter {
  private counts = new Map<string, number>();

  hit(method: string, route: string): void {
    const key = `${method.toUpperCase()} ${route}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): { total: number; byEndpoint: Record<string, number> } {
    const byEndpoint = Object.fromEntries([...this.counts.entries()].sort());
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return { total, byEndpoint };
  }

  reset(): void {
    this.counts.clear();
  }
}
