import type { MetricRow } from "./facts";

// The report's "to date" counts: telemetry_totals (every day, kept by triggers; see
// migrations/0005) less the days after the report day. A night's report reads the totals and
// the days after it, usually none, instead of summing every day since the first.

/**
 * Metrics summed over every day up to the report day; the triggers in migrations/0005 list the
 * same.
 */
export const CUMULATIVE = [
  "sf.stage_reached",
  "sf.stage_closed",
  "sf.stage_won",
  "sf.lost_at",
  "sf.opps_created",
  "sf.opps_closed",
  "sf.opps_won",
  "lead.new_by_source",
] as const;

/**
 * Totals less the later days' sums, per (metric, dim). These metrics are counts (every daily
 * row is at least 1), so a difference of zero means no day up to the report day has the row,
 * and it is left out, as a sum over those days would leave it out.
 */
export function cumulativeTo(
  totals: Omit<MetricRow, "day">[],
  later: Omit<MetricRow, "day">[],
): MetricRow[] {
  const key = (r: Omit<MetricRow, "day">) => `${r.metric}\u0000${r.dim}`;
  const after = new Map(later.map((r) => [key(r), r.value]));
  return totals
    .map((r) => ({
      day: "",
      metric: r.metric,
      dim: r.dim,
      value: r.value - (after.get(key(r)) ?? 0),
    }))
    .filter((r) => r.value !== 0);
}

export async function readCumulative(db: D1Database, date: string): Promise<MetricRow[]> {
  const list = CUMULATIVE.map(() => "?").join(",");
  const [totals, later] = await Promise.all([
    db.prepare("SELECT metric, dim, value FROM telemetry_totals").all<Omit<MetricRow, "day">>(),
    db
      .prepare(
        `SELECT metric, dim, SUM(value) AS value FROM telemetry_daily WHERE day > ? AND metric IN (${list}) GROUP BY metric, dim`,
      )
      .bind(date, ...CUMULATIVE)
      .all<Omit<MetricRow, "day">>(),
  ]);
  return cumulativeTo(totals.results, later.results);
}
