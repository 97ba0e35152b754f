import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { MetricRow } from "../../workers/telemetry/facts";
import { pageChanges } from "../../workers/telemetry/mirror-changes";
import { insertMetrics } from "../../workers/telemetry/store";
import { CUMULATIVE, cumulativeTo, readCumulative } from "../../workers/telemetry/totals";

// What keeps a night's work to the day's changes: running totals for the "to date" counts,
// and a pull that only marks days whose counts a pulled row really changes.

const db = env.DB;
const row = (day: string, metric: string, dim: string, value: number): MetricRow => ({
  day,
  metric,
  dim,
  value,
});

/** The sum the report used to take over every day up to `date`. */
async function summedTo(date: string): Promise<MetricRow[]> {
  const list = CUMULATIVE.map(() => "?").join(",");
  const { results } = await db
    .prepare(
      `SELECT '' AS day, metric, dim, SUM(value) AS value FROM telemetry_daily WHERE day <= ? AND metric IN (${list}) GROUP BY metric, dim`,
    )
    .bind(date, ...CUMULATIVE)
    .all<MetricRow>();
  return results;
}

const sorted = (rows: MetricRow[]) =>
  [...rows].sort((a, b) => a.metric.localeCompare(b.metric) || a.dim.localeCompare(b.dim));

async function totals() {
  const { results } = await db
    .prepare("SELECT metric, dim, value FROM telemetry_totals ORDER BY metric, dim")
    .all<Omit<MetricRow, "day">>();
  return results;
}

async function wholeSums() {
  const { results } = await db
    .prepare(
      `SELECT metric, dim, SUM(value) AS value FROM telemetry_daily WHERE metric IN (${CUMULATIVE.map(() => "?").join(",")}) GROUP BY metric, dim ORDER BY metric, dim`,
    )
    .bind(...CUMULATIVE)
    .all<Omit<MetricRow, "day">>();
  return results;
}

beforeEach(async () => {
  await db.batch([
    db.prepare("DELETE FROM telemetry_daily"),
    db.prepare("DELETE FROM sf_opportunities"),
    db.prepare("DELETE FROM sf_opportunity_history"),
    db.prepare("DELETE FROM sf_lead_conversions"),
  ]);
});

describe("running totals of the to-date counts", () => {
  it("subtracts the days after the report day and leaves out what only they have", () => {
    const totalsRows = [
      { metric: "sf.stage_reached", dim: "Qualification", value: 7 },
      { metric: "sf.stage_reached", dim: "Proposal/Price Quote", value: 2 },
      { metric: "sf.lost_at", dim: "Prospecting", value: 1 },
    ];
    const later = [
      { metric: "sf.stage_reached", dim: "Qualification", value: 3 },
      { metric: "sf.stage_reached", dim: "Proposal/Price Quote", value: 2 },
    ];
    expect(cumulativeTo(totalsRows, later)).toEqual([
      row("", "sf.stage_reached", "Qualification", 4),
      row("", "sf.lost_at", "Prospecting", 1),
    ]);
  });

  it("follow every insert, rewrite and delete of the daily rows, for exactly the cumulative metrics", async () => {
    await db.batch(
      insertMetrics(db, [
        ...CUMULATIVE.map((metric, i) => row("2026-03-01", metric, `d${i % 3}`, i + 1)),
        row("2026-03-02", "sf.stage_reached", "Qualification", 4),
        row("2026-03-02", "sf.won_amount", "005A", 30_000),
        row("2026-03-02", "lead.judged", "", 12),
      ]),
    );
    expect(new Set((await totals()).map((t) => t.metric))).toEqual(new Set(CUMULATIVE));
    expect(await totals()).toEqual(await wholeSums());

    // A day rebuilt the way the nightly job does it: its rows deleted, then written again (one of
    // them twice).
    await db.batch([
      db.prepare("DELETE FROM telemetry_daily WHERE day = '2026-03-01' AND metric LIKE 'sf.%'"),
      ...insertMetrics(db, [
        row("2026-03-01", "sf.stage_reached", "d0", 9),
        row("2026-03-01", "sf.lost_at", "Qualification", 2),
      ]),
      ...insertMetrics(db, [row("2026-03-01", "sf.lost_at", "Qualification", 3)]),
    ]);
    expect(await totals()).toEqual(await wholeSums());
    expect((await totals()).find((t) => t.metric === "sf.stage_closed")).toBeUndefined();

    await db.prepare("DELETE FROM telemetry_daily").run();
    expect(await totals()).toEqual([]);
  });

  it("give the report the same sums as adding up every day to the report day", async () => {
    const rows: MetricRow[] = [];
    for (let d = 1; d <= 9; d++) {
      const day = `2026-04-0${d}`;
      rows.push(
        row(day, "sf.stage_reached", "Qualification", d),
        row(day, "lead.new_by_source", d % 2 ? "organic_search" : "paid_search", 2),
      );
      if (d > 6) rows.push(row(day, "sf.opps_won", "web", 1));
    }
    await db.batch(insertMetrics(db, rows));
    for (const date of [
      "2026-03-31",
      "2026-04-01",
      "2026-04-05",
      "2026-04-06",
      "2026-04-07",
      "2026-04-09",
      "2026-05-01",
    ]) {
      expect(sorted(await readCumulative(db, date)), date).toEqual(sorted(await summedTo(date)));
    }
  });
});

describe("what a pulled page changes", () => {
  const opp = (id: string, extra: Record<string, unknown> = {}) => ({
    Id: id,
    OwnerId: null,
    StageName: "Qualification",
    Amount: 1000,
    LeadSource: "Web",
    IsClosed: false,
    IsWon: false,
    CreatedDate: "2026-03-01T10:00:00.000+0000",
    SystemModstamp: "2026-03-05T10:00:00.000+0000",
    ...extra,
  });

  beforeEach(async () => {
    const insert = (id: string, source: string) =>
      db
        .prepare(
          "INSERT INTO sf_opportunities (id, owner_id, stage_name, amount, lead_source, is_closed, is_won, created_day, modstamp) VALUES (?, NULL, 'Qualification', 1000, ?, 0, 0, '2026-03-01', '2026-03-05T10:00:00.000+0000')",
        )
        .bind(id, source);
    await db.batch([
      insert("006000000000001AAA", "Web"),
      insert("006000000000002AAA", "Web"),
      insert("006000000000003AAA", "Web"),
      db.prepare(
        "INSERT INTO sf_opportunity_history (id, opportunity_id, stage_name, created_at, day) VALUES ('008000000000001AAA', '006000000000001AAA', 'Qualification', 0, '1970-01-01')",
      ),
      db.prepare(
        "INSERT INTO sf_lead_conversions (lead_id, opportunity_id, lead_source, converted_day) VALUES ('00Q000000000001AAA', '006000000000001AAA', 'Web', '2026-03-01')",
      ),
    ]);
  });

  it("rebuilds a deal's creation day only when it is new or its lead source changed, and skips rows it already holds", async () => {
    const page = [
      opp("006000000000001AAA"), // re-read at the cursor's second: nothing new
      opp("006000000000002AAA", {
        StageName: "Needs Analysis",
        SystemModstamp: "2026-03-09T10:00:00.000+0000",
      }), // a stage move
      opp("006000000000003AAA", {
        LeadSource: "Partner Referral",
        SystemModstamp: "2026-03-09T10:00:00.000+0000",
      }),
      opp("006000000000004AAA"), // new to the mirror
    ];
    const changes = await pageChanges(db, "Opportunity", page);
    expect(changes.changed.map((r) => r.Id)).toEqual([
      "006000000000002AAA",
      "006000000000003AAA",
      "006000000000004AAA",
    ]);
    expect([...changes.recounted].sort()).toEqual(["006000000000003AAA", "006000000000004AAA"]);
  });

  it("treats known history rows and unchanged conversions as nothing new", async () => {
    const history = await pageChanges(db, "OpportunityHistory", [
      {
        Id: "008000000000001AAA",
        OpportunityId: "006000000000001AAA",
        StageName: "Qualification",
        CreatedDate: "1970-01-01T00:00:00.000+0000",
      },
      {
        Id: "008000000000002AAA",
        OpportunityId: "006000000000001AAA",
        StageName: "Needs Analysis",
        CreatedDate: "2026-03-09T00:00:00.000+0000",
      },
    ]);
    expect(history.changed.map((r) => r.Id)).toEqual(["008000000000002AAA"]);
    const lead = (id: string, day: string) => ({
      Id: id,
      ConvertedOpportunityId: "006000000000001AAA",
      ConvertedDate: day,
      LeadSource: "Web",
      SystemModstamp: `${day}T09:00:00.000+0000`,
    });
    const leads = await pageChanges(db, "Lead", [
      lead("00Q000000000001AAA", "2026-03-01"),
      lead("00Q000000000002AAA", "2026-03-09"),
    ]);
    expect(leads.changed.map((r) => r.Id)).toEqual(["00Q000000000002AAA"]);
  });
});
