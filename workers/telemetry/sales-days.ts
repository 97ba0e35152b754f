import { dayRange } from "../../shared/days";
import type { MetricRow } from "./facts";
import {
  milestoneDays,
  type OutcomeRow,
  type SalesDayInput,
  STALE_OLDEST,
  salesDayFacts,
  salesWindow,
  staleByDay,
} from "./sales-half";
import { insertMetrics, selectIn, sourceList } from "./store";

// D1 access for the report's sales half. Every query goes through an index on a time or on the
// day: a night reads the days sales changed and a bounded window of aggregates, never all leads
// or all sales_outcomes (migrations/0010 and 0012 hold the indexes; a test reads the plans).

const MILESTONES = ["touched_at", "accepted_at", "rejected_at", "opportunity_at", "won_at"];

/** Rows with a milestone in [?1, ?2), with their lead's handoff. */
export const OUTCOMES_OF_DAY_SQL = `SELECT so.contact_id, so.stage, so.feedback, so.touched_at, so.accepted_at, so.rejected_at, so.opportunity_at, so.won_at, l.handed_off_at, l.source
  FROM sales_outcomes so LEFT JOIN leads l ON l.contact_id = so.contact_id
  WHERE so.contact_id IN (${MILESTONES.map((m) => `SELECT contact_id FROM sales_outcomes WHERE ${m} >= ?1 AND ${m} < ?2`).join(" UNION ")})`;

/** The day's handoffs counted by source: a day of 100,000 is a few rows. */
export const HANDOFFS_OF_DAY_SQL =
  "SELECT source, count(*) AS n FROM leads WHERE handed_off_at >= ? AND handed_off_at < ? GROUP BY source";

/** Rows whose stage moved since ?: the outcome sync sets a milestone only with a stage change. */
export const CHANGED_SINCE_SQL =
  "SELECT touched_at, accepted_at, rejected_at, opportunity_at, won_at FROM sales_outcomes WHERE stage_changed_at >= ?";

/** Leads handed off in [?1, ?2), not converted, untouched by sales before ?3; oldest first. */
export const UNTOUCHED_SQL = `SELECT l.contact_id, l.handed_off_at FROM leads l
  WHERE l.handed_off_at >= ?1 AND l.handed_off_at < ?2 AND l.converted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM sales_outcomes so WHERE so.contact_id = l.contact_id AND so.touched_at < ?3)
  ORDER BY l.handed_off_at LIMIT ?4`;

const SALES_METRICS = [
  "sales.handed_off",
  "sales.handed_off_by_source",
  "sales.touched",
  "sales.accepted",
  "sales.opportunity",
  "sales.won",
  "sales.rejected",
  "sales.rejected_reason",
  "sales.touch_count",
  "sales.touch_p50_ms",
  "sales.touch_p95_ms",
];

export const WINDOW_ROWS_SQL = `SELECT day, metric, dim, value FROM telemetry_daily
  WHERE metric IN (${SALES_METRICS.map(() => "?").join(", ")}) AND day >= ? AND day <= ?`;

export async function readSalesDay(db: D1Database, day: string): Promise<SalesDayInput> {
  const { start, end } = dayRange(day);
  const [outcomes, handoffs] = await db.batch([
    db.prepare(OUTCOMES_OF_DAY_SQL).bind(start, end),
    db.prepare(HANDOFFS_OF_DAY_SQL).bind(start, end),
  ]);
  return {
    day,
    outcomes: outcomes!.results as OutcomeRow[],
    handoffSources: sourceList(handoffs!.results as { source: string | null; n: number }[]),
  };
}

async function replaceSalesDay(db: D1Database, day: string, rows: MetricRow[]): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM telemetry_daily WHERE day = ? AND metric LIKE 'sales.%'").bind(day),
    ...insertMetrics(db, rows),
  ]);
}

/**
 * Rebuilds the `sales.*` aggregates the report on `date` reads and sales changed: the report day,
 * the window's days never built, and the milestone days (in the window) of every row whose stage
 * moved since the report day began. Returns the days rebuilt.
 */
export async function refreshSalesDays(
  db: D1Database,
  date: string,
  staleAfterDays: number,
): Promise<string[]> {
  const window = salesWindow(date, staleAfterDays);
  const inWindow = new Set(window);
  const [built, changed] = await Promise.all([
    selectIn<{ day: string }>(
      db,
      (p) =>
        `SELECT day FROM telemetry_daily WHERE metric = 'sales.handed_off' AND dim = '' AND day IN (${p})`,
      window,
    ),
    db
      .prepare(CHANGED_SINCE_SQL)
      .bind(dayRange(date).start)
      .all<Parameters<typeof milestoneDays>[0]>(),
  ]);
  const done = new Set(built.map((r) => r.day));
  const dirty = new Set([
    date,
    ...window.filter((d) => !done.has(d)),
    ...changed.results.flatMap(milestoneDays).filter((d) => inWindow.has(d)),
  ]);
  const days = [...dirty].sort();
  for (const day of days)
    await replaceSalesDay(db, day, salesDayFacts(await readSalesDay(db, day)));
  return days;
}

/** The window's aggregates and the oldest stale MQLs, found a handoff day at a time. */
export async function readSalesInputs(db: D1Database, date: string, staleAfterDays: number) {
  const window = salesWindow(date, staleAfterDays);
  const { results: rows } = await db
    .prepare(WINDOW_ROWS_SQL)
    .bind(...SALES_METRICS, window[0], date)
    .all<MetricRow>();
  const oldest: { contact_id: string; handed_off_at: number }[] = [];
  const asOf = dayRange(date).end;
  for (const { day } of staleByDay(rows, date, staleAfterDays)) {
    if (oldest.length >= STALE_OLDEST) break;
    const { start, end } = dayRange(day);
    const { results } = await db
      .prepare(UNTOUCHED_SQL)
      .bind(start, end, asOf, STALE_OLDEST - oldest.length)
      .all<{ contact_id: string; handed_off_at: number }>();
    oldest.push(...results);
  }
  return { date, staleAfterDays, rows, oldest };
}
