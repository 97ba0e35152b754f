/** One per-day aggregate: `lead.*` from D1 leads and audit, `sf.*` from the Salesforce mirror. */
export interface MetricRow {
  day: string;
  metric: string;
  dim: string;
  value: number;
}

/**
 * One spelling for a lead source on both sides: HubSpot's hs_analytics_source ("ORGANIC_SEARCH"),
 * what the handoff writes to Salesforce ("HubSpot: organic_search") and picklist values
 * ("Partner Referral").
 */
export function normalizeSource(source: string | null | undefined): string {
  const bare = (source ?? "")
    .replace(/^hubspot:\s*/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return bare || "unknown";
}

/** Adds `value` to the row for (day, metric, dim), creating it. */
export class MetricBag {
  private rows = new Map<string, MetricRow>();

  add(day: string, metric: string, dim: string, value = 1): void {
    const key = `${day}\u0000${metric}\u0000${dim}`;
    const row = this.rows.get(key);
    if (row) row.value += value;
    else this.rows.set(key, { day, metric, dim, value });
  }

  /** Sets rather than adds: for values that are not sums (percentiles). */
  set(day: string, metric: string, dim: string, value: number): void {
    this.rows.set(`${day}\u0000${metric}\u0000${dim}`, { day, metric, dim, value });
  }

  list(): MetricRow[] {
    return [...this.rows.values()].sort((a, b) =>
      a.day === b.day
        ? a.metric === b.metric
          ? a.dim.localeCompare(b.dim)
          : a.metric.localeCompare(b.metric)
        : a.day.localeCompare(b.day),
    );
  }
}

/**
 * Nearest-rank percentile of an ascending list: the smallest value with at least q of the values at
 * or below it.
 */
export function percentile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}
