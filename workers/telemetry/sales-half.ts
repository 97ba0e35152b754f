import type { SalesHalf } from "../../shared/contracts/report";
import { addDays, dayRange, utcDay } from "../../shared/days";
import { MetricBag, type MetricRow, normalizeSource, percentile } from "./facts";

// The report's sales half, pure: a day's `sales.*` aggregates from the sales_outcomes rows whose
// milestones fall on it, and the report section from the aggregates of a bounded window of days.
// Cohort metrics carry the lead's handoff day in their dim, so a window sums only its own leads.

/** Cohort figures cover the leads handed off in this many days, ending on the report day. */
export const SALES_WINDOW_DAYS = 30;
export const DEFAULT_STALE_AFTER_DAYS = 5;
export const STALE_OLDEST = 10;

/** A sales_outcomes row with its lead's handoff (null when no leads row or no handoff). */
export interface OutcomeRow {
  contact_id: string;
  stage: string;
  feedback: string;
  touched_at: number | null;
  accepted_at: number | null;
  rejected_at: number | null;
  opportunity_at: number | null;
  won_at: number | null;
  handed_off_at: number | null;
  source: string | null;
}

export interface SalesDayInput {
  day: string;
  /** Every row with at least one milestone on the day. */
  outcomes: OutcomeRow[];
  /** Sources of the leads first handed off that day. */
  handoffSources: (string | null)[];
}

/**
 * When sales took the lead on: its acceptance, conversion with an opportunity or won deal,
 * whichever came first; a lead converted or further on without those milestones, from its first
 * touch. A refused lead never accepted is not accepted.
 */
export function acceptedAt(row: OutcomeRow): number | null {
  const marks = [row.accepted_at, row.opportunity_at, row.won_at].filter(
    (t): t is number => t !== null,
  );
  if (marks.length) return Math.min(...marks);
  return row.stage === "sales_rejected" || row.stage === "accepted" ? null : row.touched_at;
}

const cohortDim = (handoffDay: string, source: string) => `${handoffDay}|${source}`;

/**
 * A day of sales' side. `sales.handed_off` ('' and by source) is the day's handoffs, written even
 * when zero: its row marks the day as built. Cohort counts (touched, accepted, opportunity, won)
 * are keyed by the lead's handoff day; refusals by sales' reason.
 */
export function salesDayFacts(input: SalesDayInput): MetricRow[] {
  const { day } = input;
  const { start, end } = dayRange(day);
  const on = (t: number | null): t is number => t !== null && t >= start && t < end;
  const bag = new MetricBag();

  bag.add(day, "sales.handed_off", "", input.handoffSources.length);
  for (const source of input.handoffSources)
    bag.add(day, "sales.handed_off_by_source", normalizeSource(source));

  const latencies: number[] = [];
  for (const row of input.outcomes) {
    if (on(row.rejected_at)) {
      bag.add(day, "sales.rejected", "");
      bag.add(day, "sales.rejected_reason", row.feedback);
    }
    if (row.handed_off_at === null) continue;
    const handoffDay = utcDay(row.handed_off_at);
    const source = normalizeSource(row.source);
    if (on(row.touched_at)) {
      bag.add(day, "sales.touched", handoffDay);
      latencies.push(Math.max(0, row.touched_at - row.handed_off_at));
    }
    if (on(acceptedAt(row))) bag.add(day, "sales.accepted", handoffDay);
    if (on(row.opportunity_at)) bag.add(day, "sales.opportunity", cohortDim(handoffDay, source));
    if (on(row.won_at)) bag.add(day, "sales.won", cohortDim(handoffDay, source));
  }
  latencies.sort((a, b) => a - b);
  bag.set(day, "sales.touch_count", "", latencies.length);
  if (latencies.length) {
    bag.set(day, "sales.touch_p50_ms", "", percentile(latencies, 0.5)!);
    bag.set(day, "sales.touch_p95_ms", "", percentile(latencies, 0.95)!);
  }
  return bag.list();
}

/** Milestone days of a changed row: the days whose aggregates it may change. */
export function milestoneDays(row: Omit<OutcomeRow, "handed_off_at" | "source">): string[] {
  return [row.touched_at, row.accepted_at, row.rejected_at, row.opportunity_at, row.won_at]
    .filter((t): t is number => t !== null)
    .map(utcDay);
}

/** The days the report reads: the stale MQLs' handoff days up to the report day. */
export function salesWindow(date: string, staleAfterDays: number): string[] {
  const first = addDays(date, -(staleAfterDays + SALES_WINDOW_DAYS - 1));
  const days: string[] = [];
  for (let d = first; d <= date; d = addDays(d, 1)) days.push(d);
  return days;
}

export function staleSpan(date: string, staleAfterDays: number) {
  const to = addDays(date, -staleAfterDays);
  return { from: addDays(to, -(SALES_WINDOW_DAYS - 1)), to };
}

function sumBy(rows: MetricRow[], metric: string, key: (r: MetricRow) => string | null) {
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.metric !== metric) continue;
    const k = key(r);
    if (k !== null) out.set(k, (out.get(k) ?? 0) + r.value);
  }
  return out;
}

/**
 * Per handoff day of the stale span: handed off less touched by the end of the report day
 * (ascending days, only those with a stale lead). `rows` are the window's aggregates.
 */
export function staleByDay(rows: MetricRow[], date: string, staleAfterDays: number) {
  const { from, to } = staleSpan(date, staleAfterDays);
  const inSpan = (d: string) => d >= from && d <= to;
  const handed = sumBy(rows, "sales.handed_off", (r) => (r.dim === "" ? r.day : null));
  const touched = sumBy(rows, "sales.touched", (r) => (r.day <= date ? r.dim : null));
  return [...handed]
    .filter(([day]) => inSpan(day))
    .map(([day, n]) => ({ day, stale: Math.max(0, n - (touched.get(day) ?? 0)) }))
    .filter((d) => d.stale > 0)
    .sort((a, b) => a.day.localeCompare(b.day));
}

/**
 * A lead's source or handoff can be corrected after its day was counted; a share never goes
 * above 1 for it.
 */
const share = (part: number, whole: number) => (whole > 0 ? Math.min(1, part / whole) : null);

export interface SalesHalfInput {
  date: string;
  staleAfterDays: number;
  /** The `sales.*` rows of salesWindow(date, staleAfterDays). */
  rows: MetricRow[];
  oldest: { contact_id: string; handed_off_at: number }[];
}

export function salesHalf(input: SalesHalfInput): SalesHalf {
  const { date, staleAfterDays } = input;
  const from = addDays(date, -(SALES_WINDOW_DAYS - 1));
  const rows = input.rows.filter((r) => r.day <= date);
  const inCohort = (handoffDay: string) => handoffDay >= from && handoffDay <= date;
  const windowRows = rows.filter((r) => r.day >= from);
  const cohortSource = (r: MetricRow) => {
    const [handoffDay, source] = r.dim.split("|");
    return handoffDay && source !== undefined && inCohort(handoffDay) ? source : null;
  };

  const handedOff = sumBy(windowRows, "sales.handed_off", (r) => (r.dim === "" ? "" : null));
  const accepted = sumBy(windowRows, "sales.accepted", (r) => (inCohort(r.dim) ? "" : null));
  const bySourceHanded = sumBy(windowRows, "sales.handed_off_by_source", (r) => r.dim);
  const opportunities = sumBy(windowRows, "sales.opportunity", cohortSource);
  const won = sumBy(windowRows, "sales.won", cohortSource);
  const reasons = sumBy(windowRows, "sales.rejected_reason", (r) => r.dim);
  const today = (metric: string) =>
    rows.find((r) => r.day === date && r.metric === metric && r.dim === "")?.value ?? null;

  const handed = handedOff.get("") ?? 0;
  const acceptedCount = accepted.get("") ?? 0;
  const sources = [
    ...new Set([...bySourceHanded.keys(), ...opportunities.keys(), ...won.keys()]),
  ].sort();
  const span = staleSpan(date, staleAfterDays);
  return {
    from,
    windowDays: SALES_WINDOW_DAYS,
    handedOff: handed,
    accepted: acceptedCount,
    acceptanceRate: share(acceptedCount, handed),
    rejected: sumBy(windowRows, "sales.rejected", () => "").get("") ?? 0,
    rejectionReasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    bySource: sources.map((source) => {
      const n = bySourceHanded.get(source) ?? 0;
      const opps = opportunities.get(source) ?? 0;
      const wins = won.get(source) ?? 0;
      return {
        source,
        handedOff: n,
        opportunities: opps,
        won: wins,
        opportunityRate: share(opps, n),
        wonRate: share(wins, n),
      };
    }),
    timeToFirstTouch: {
      p50Ms: today("sales.touch_p50_ms"),
      p95Ms: today("sales.touch_p95_ms"),
      count: today("sales.touch_count") ?? 0,
    },
    staleMqls: {
      afterDays: staleAfterDays,
      from: span.from,
      to: span.to,
      count: staleByDay(rows, date, staleAfterDays).reduce((n, d) => n + d.stale, 0),
      oldest: input.oldest.map((o) => ({
        contactId: o.contact_id,
        handedOffAt: new Date(o.handed_off_at).toISOString(),
      })),
    },
  };
}
