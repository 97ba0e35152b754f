import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNNEL_LATEST_KEY, type FunnelReport } from "../../shared/contracts/report";
import {
  CHANGED_SINCE_SQL,
  HANDOFFS_OF_DAY_SQL,
  OUTCOMES_OF_DAY_SQL,
  refreshSalesDays,
  UNTOUCHED_SQL,
  WINDOW_ROWS_SQL,
} from "../../workers/telemetry/sales-days";
import { admin } from "./admin-client";

// The report's sales half from sales_outcomes and leads rows as the outcome sync leaves them:
// every figure exact for one report day, the stale boundary to the millisecond, and a night that
// rebuilds only the days whose milestones moved.

const db = env.DB;
const DATE = "2026-06-30";
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);

interface Outcome {
  stage: string;
  feedback?: string;
  touched?: string;
  accepted?: string;
  rejected?: string;
  opportunity?: string;
  won?: string;
  /** When the outcome sync derived the stage: the last milestone unless given. */
  changed?: string;
}

async function lead(contactId: string, handedOff: string, source: string, outcome?: Outcome) {
  await db
    .prepare(
      "INSERT INTO leads (contact_id, portal_id, lead_id, status, source, handed_off_at, updated_at) VALUES (?, '1', ?, 'handed_off', ?, ?, ?)",
    )
    .bind(contactId, `lead-${contactId}`, source, at(handedOff), at(handedOff))
    .run();
  if (!outcome) return;
  const ms = (t?: string) => (t ? at(t) : null);
  const milestones = [outcome.touched, outcome.accepted, outcome.rejected, outcome.opportunity];
  const last = [...milestones, outcome.won].filter(Boolean).sort().pop()!;
  await db
    .prepare(
      `INSERT INTO sales_outcomes (contact_id, lead_id, stage, feedback, source, touched_at, accepted_at, rejected_at, opportunity_at, won_at, stage_changed_at)
       VALUES (?, ?, ?, ?, lower(?), ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      contactId,
      `00Q-${contactId}`,
      outcome.stage,
      outcome.feedback ?? "",
      source,
      ms(outcome.touched),
      ms(outcome.accepted),
      ms(outcome.rejected),
      ms(outcome.opportunity),
      ms(outcome.won),
      at(outcome.changed ?? last),
    )
    .run();
}

async function salesRow(day: string, metric: string, dim = "") {
  const row = await db
    .prepare("SELECT value FROM telemetry_daily WHERE day = ? AND metric = ? AND dim = ?")
    .bind(day, metric, dim)
    .first<{ value: number }>();
  return row?.value ?? null;
}

let report: FunnelReport;

beforeAll(async () => {
  await db
    .prepare(
      "INSERT OR REPLACE INTO telemetry_config (key, value) VALUES ('stale_after_days', '4')",
    )
    .run();
  // The 30-day cohort is handed off 2026-06-01 … 06-30; the stale span is 05-28 … 06-26.
  await lead("a1", "2026-06-10T10:00:00", "ORGANIC_SEARCH", {
    stage: "accepted",
    touched: "2026-06-11T10:00:00",
    accepted: "2026-06-11T10:00:00",
  });
  await lead("w1", "2026-06-05T09:00:00", "ORGANIC_SEARCH", {
    stage: "ClosedWon",
    touched: "2026-06-06T09:00:00",
    accepted: "2026-06-06T09:00:00",
    opportunity: "2026-06-08T09:00:00",
    won: "2026-06-20T09:00:00",
  });
  await lead("o1", "2026-06-05T11:00:00", "PAID_SEARCH", {
    stage: "Discovery",
    touched: "2026-06-07T11:00:00",
    accepted: "2026-06-07T11:00:00",
    opportunity: "2026-06-07T11:00:00",
  });
  await lead("r1", "2026-06-12T08:00:00", "ORGANIC_SEARCH", {
    stage: "sales_rejected",
    feedback: "Budget",
    touched: "2026-06-13T08:00:00",
    rejected: "2026-06-13T08:00:00",
  });
  await lead("r2", "2026-06-12T09:00:00", "ORGANIC_SEARCH", {
    stage: "sales_rejected",
    touched: "2026-06-14T09:00:00",
    rejected: "2026-06-14T09:00:00",
  });
  await lead("r3", "2026-06-15T09:00:00", "PAID_SEARCH", {
    stage: "sales_rejected",
    feedback: "Budget",
    touched: "2026-06-16T09:00:00",
    rejected: "2026-06-16T09:00:00",
  });
  // Handed off before the window: its acceptance is not the cohort's, its refusal is the window's.
  await lead("x1", "2026-05-20T09:00:00", "ORGANIC_SEARCH", {
    stage: "sales_rejected",
    feedback: "Wrong region",
    touched: "2026-06-02T09:00:00",
    accepted: "2026-06-02T09:00:00",
    rejected: "2026-06-03T09:00:00",
  });
  // First touched on the report day: 25 h, 2 h and 48 h after their handoffs.
  await lead("t1", "2026-06-29T00:00:00", "REFERRALS", {
    stage: "accepted",
    touched: "2026-06-30T01:00:00",
    accepted: "2026-06-30T01:00:00",
  });
  await lead("t2", "2026-06-30T00:00:00", "REFERRALS", {
    stage: "accepted",
    touched: "2026-06-30T02:00:00",
    accepted: "2026-06-30T02:00:00",
  });
  await lead("t3", "2026-06-28T00:00:00", "REFERRALS", {
    stage: "accepted",
    touched: "2026-06-30T00:00:00",
    accepted: "2026-06-30T00:00:00",
  });
  // Untouched: s0 before the stale span, s1 on its first day, s2 a millisecond over 4 days at the
  // end of the report day, s3 exactly 4 days (not yet stale), s5 touched only after the report day.
  await lead("s0", "2026-05-27T23:59:59.999", "ORGANIC_SEARCH");
  await lead("s1", "2026-05-28T00:00:00", "ORGANIC_SEARCH");
  await lead("s2", "2026-06-26T23:59:59.999", "ORGANIC_SEARCH");
  await lead("s3", "2026-06-27T00:00:00", "ORGANIC_SEARCH");
  await lead("s5", "2026-06-20T00:00:00", "ORGANIC_SEARCH", {
    stage: "accepted",
    touched: "2026-07-02T10:00:00",
    accepted: "2026-07-02T10:00:00",
  });

  const ran = await admin<{ report: FunnelReport }>("POST", `/admin/telemetry/run?date=${DATE}`);
  expect(ran.status).toBe(200);
  report = ran.body.report;
});

describe("the sales half of the nightly report", () => {
  it("gives the cohort's acceptance rate: handed off in the 30 days, accepted or further on", () => {
    const sales = report.sales!;
    expect(sales.from).toBe("2026-06-01");
    expect(sales.windowDays).toBe(30);
    // a1 w1 o1 r1 r2 r3 t1 t2 t3 s2 s3 s5; accepted: a1 w1 o1 t1 t2 t3 (x1 is not the cohort's).
    expect(sales.handedOff).toBe(12);
    expect(sales.accepted).toBe(6);
    expect(sales.acceptanceRate).toBe(0.5);
  });

  it("counts sales' refusal reasons in the window, a blank reason as its own", () => {
    expect(report.sales!.rejected).toBe(4);
    expect(report.sales!.rejectionReasons).toEqual([
      { reason: "Budget", count: 2 },
      { reason: "", count: 1 },
      { reason: "Wrong region", count: 1 },
    ]);
  });

  it("follows the cohort by source from handoff to opportunity to won", () => {
    expect(report.sales!.bySource).toEqual([
      {
        source: "organic_search",
        handedOff: 7,
        opportunities: 1,
        won: 1,
        opportunityRate: 1 / 7,
        wonRate: 1 / 7,
      },
      {
        source: "paid_search",
        handedOff: 2,
        opportunities: 1,
        won: 0,
        opportunityRate: 0.5,
        wonRate: 0,
      },
      {
        source: "referrals",
        handedOff: 3,
        opportunities: 0,
        won: 0,
        opportunityRate: 0,
        wonRate: 0,
      },
    ]);
  });

  it("measures handoff to first touch over the leads first touched on the report day", () => {
    // 2 h, 25 h, 48 h: nearest rank p50 is the 2nd, p95 the 3rd.
    expect(report.sales!.timeToFirstTouch).toEqual({
      p50Ms: 25 * HOUR,
      p95Ms: 48 * HOUR,
      count: 3,
    });
  });

  it("counts stale MQLs past stale_after_days, exactly at the boundary, oldest first", () => {
    expect(report.sales!.staleMqls).toEqual({
      afterDays: 4,
      from: "2026-05-28",
      to: "2026-06-26",
      count: 3,
      oldest: [
        { contactId: "s1", handedOffAt: "2026-05-28T00:00:00.000Z" },
        { contactId: "s5", handedOffAt: "2026-06-20T00:00:00.000Z" },
        { contactId: "s2", handedOffAt: "2026-06-26T23:59:59.999Z" },
      ],
    });
  });

  it("is stored with the report and served by GET /admin/reports/funnel", async () => {
    const stored = await admin<FunnelReport>("GET", `/admin/reports/funnel?date=${DATE}`);
    expect(stored.status).toBe(200);
    expect(stored.body.sales).toEqual(report.sales);
  });
});

describe("the night's work on the sales half", () => {
  it("rebuilds only the report day when sales changed nothing, then the days a change falls on", async () => {
    // A figure of an untouched day, marked: a rebuild would put it back.
    await db
      .prepare(
        "UPDATE telemetry_daily SET value = 99 WHERE day = '2026-06-10' AND metric = 'sales.handed_off' AND dim = ''",
      )
      .run();
    // s5's touch (07-02) moved after 07-01 began, but falls outside the window: nothing to redo.
    expect(await refreshSalesDays(db, "2026-07-01", 4)).toEqual(["2026-07-01"]);
    expect(await salesRow("2026-06-10", "sales.handed_off")).toBe(99);

    // The outcome sync derives on 07-01 a touch whose Salesforce time is 06-12 (a late pull).
    await lead("y1", "2026-06-12T10:00:00", "ORGANIC_SEARCH", {
      stage: "accepted",
      touched: "2026-06-12T11:00:00",
      accepted: "2026-06-12T11:00:00",
      changed: "2026-07-01T00:05:00",
    });
    expect(await salesRow("2026-06-12", "sales.touched", "2026-06-12")).toBeNull();
    expect(await refreshSalesDays(db, "2026-07-01", 4)).toEqual(["2026-06-12", "2026-07-01"]);
    expect(await salesRow("2026-06-12", "sales.touched", "2026-06-12")).toBe(1);
    expect(await salesRow("2026-06-12", "sales.accepted", "2026-06-12")).toBe(1);
    expect(await salesRow("2026-06-10", "sales.handed_off")).toBe(99);
  });

  it("reads sales_outcomes and leads through indexes only", async () => {
    const scans = async (sql: string, params: unknown[]) => {
      const { results } = await db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = results.map((r) => r.detail);
      expect(details.length, sql).toBeGreaterThan(0);
      // SQLite says SCAN for a read of a whole table (or a whole index) and SEARCH for a range.
      return details.filter((d) => /^SCAN (so|l|leads|sales_outcomes|telemetry_daily)\b/.test(d));
    };
    // The check sees a scan when there is one.
    expect(await scans("SELECT contact_id FROM sales_outcomes WHERE feedback = ?", ["x"])).toEqual([
      "SCAN sales_outcomes",
    ]);
    const plans: [string, unknown[]][] = [
      [OUTCOMES_OF_DAY_SQL, [1, 2]],
      [HANDOFFS_OF_DAY_SQL, [1, 2]],
      [CHANGED_SINCE_SQL, [1]],
      [UNTOUCHED_SQL, [1, 2, 3, 4]],
      [WINDOW_ROWS_SQL, [...Array(11).fill("sales.x"), "2026-01-01", "2026-01-31"]],
    ];
    for (const [sql, params] of plans) expect(await scans(sql, params), sql).toEqual([]);
  });
});

describe("a report saved before the sales half existed", () => {
  it("is still served by GET /admin/reports/funnel and /latest, without a sales section", async () => {
    const { sales: _, ...old } = report;
    const oldDay = { ...old, date: "2026-05-15" };
    await db
      .prepare("INSERT INTO funnel_reports (day, generated_at, report) VALUES (?, ?, ?)")
      .bind(oldDay.date, oldDay.generatedAt, JSON.stringify(oldDay))
      .run();
    const day = await admin<FunnelReport>("GET", "/admin/reports/funnel?date=2026-05-15");
    expect(day.status).toBe(200);
    expect(day.body.date).toBe("2026-05-15");
    expect(day.body.sales).toBeUndefined();
    expect(day.body.funnel).toEqual(report.funnel);

    await env.KV.put(FUNNEL_LATEST_KEY, JSON.stringify({ ...old, date: "2026-07-05" }));
    const latest = await admin<FunnelReport>("GET", "/admin/reports/funnel/latest");
    expect(latest.status).toBe(200);
    expect(latest.body.date).toBe("2026-07-05");
    expect(latest.body.sales).toBeUndefined();
  });
});
