import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNNEL_LATEST_KEY, type FunnelReport, ReportSchema } from "../../shared/contracts/report";
import { type Routing, RoutingSchema } from "../../shared/contracts/routing";
import {
  ASSIGNED_OF_DAY_SQL,
  FIRST_TOUCHES_PAGE_SQL,
  SLA_OF_DAY_SQL,
} from "../../workers/telemetry/routing-day";
import { dailyCaps, routingSection } from "../../workers/telemetry/routing-section";
import { admin } from "./admin-client";

// The report's routing section: pure (caps, names, an empty day), then from assignments and
// sla_events rows as the handoff and the SLA consumer leave them, through the nightly run.

const db = env.DB;
const DATE = "2026-05-20";
const S = Date.parse(`${DATE}T00:00:00Z`);
const END = S + 86_400_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

const A = "005000000000AAA";
const B = "005000000000BBB";
const C = "005000000000CCC";
const D = "005000000000DDD";

const routing = (pools: unknown[]): Routing => RoutingSchema.parse({ pools });

describe("the routing section, pure", () => {
  it("gives each member the most a day its pools allow: the largest cap, none if any is uncapped", () => {
    const caps = dailyCaps(
      routing([
        {
          name: "inbound",
          members: [
            { userId: A, dailyCap: 3 },
            { userId: B, dailyCap: 5 },
          ],
        },
        { name: "enterprise", members: [{ userId: `${A}QAA`, dailyCap: 10 }, { userId: B }] },
      ]),
    );
    expect([...caps]).toEqual([
      [A, 10],
      [B, null],
    ]);
    expect(dailyCaps(null).size).toBe(0);
  });

  it("is all zeros and empty lists on a day with no routing and nothing assigned", () => {
    expect(routingSection({ routing: null, touches: [], assigned: [], sla: [] }, [])).toEqual({
      routingVersion: null,
      firstTouch: { p50Ms: null, p95Ms: null, count: 0, byRep: [], byPool: [] },
      assignments: { total: 0, byRep: [], byPool: [], byReason: [] },
      sla: {
        firstBreaches: 0,
        secondBreaches: 0,
        reassigned: 0,
        reassignFailed: 0,
        alertsSent: 0,
        alertsGivenUp: 0,
        alertsPending: 0,
        byPool: [],
      },
    });
  });

  it("names reps by their 15- or 18-character Id, and lists members who got nothing", () => {
    const section = routingSection(
      {
        routing: {
          version: 4,
          routing: routing([{ name: "inbound", members: [{ userId: A }, { userId: B }] }]),
        },
        touches: [
          { owner_id: `${A}QAA`, pool: "inbound", assigned_at: 0, first_touch_at: 5 * MIN },
          { owner_id: A, pool: "inbound", assigned_at: 10, first_touch_at: 5 },
        ],
        assigned: [{ owner_id: `${A}QAA`, pool: "inbound", reason: "pool", n: 2 }],
        sla: [],
      },
      [{ id: `${A}QAA`, name: "Ada Rep" }],
    );
    // One rep whichever length its Id was written in; a touch logged before the assignment is 0.
    expect(section.firstTouch.byRep).toEqual([
      { ownerId: `${A}QAA`, ownerName: "Ada Rep", p50Ms: 0, p95Ms: 5 * MIN, count: 2 },
    ]);
    expect(section.assignments.byRep).toEqual([
      { ownerId: `${A}QAA`, ownerName: "Ada Rep", assigned: 2, dailyCap: null },
      { ownerId: B, ownerName: null, assigned: 0, dailyCap: null },
    ]);
  });

  it("gives a rep one Id in both lists, the 18-character form when any row holds it", () => {
    const section = routingSection(
      {
        routing: { version: 4, routing: routing([{ name: "inbound", members: [{ userId: A }] }]) },
        touches: [{ owner_id: A, pool: "inbound", assigned_at: 0, first_touch_at: MIN }],
        assigned: [{ owner_id: `${A}QAA`, pool: "inbound", reason: "pool", n: 1 }],
        sla: [],
      },
      [],
    );
    expect(section.firstTouch.byRep.map((r) => r.ownerId)).toEqual([`${A}QAA`]);
    expect(section.assignments.byRep.map((r) => r.ownerId)).toEqual([`${A}QAA`]);
  });
});

async function insertRouting(version: number, createdAt: number, r: Routing) {
  await db
    .prepare(
      "INSERT INTO routings (version, routing, created_at, created_by, note) VALUES (?, ?, ?, 'test', NULL)",
    )
    .bind(version, JSON.stringify(r), createdAt)
    .run();
}

async function assign(
  contactId: string,
  owner: string | null,
  pool: string | null,
  reason: string,
  assignedAt: number,
  firstTouchAt: number | null = null,
) {
  await db
    .prepare(
      `INSERT INTO assignments (contact_id, owner_id, routing_version, pool, reason, day, assigned_at, lead_id, first_touch_at)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      contactId,
      owner,
      pool,
      reason,
      new Date(assignedAt).toISOString().slice(0, 10),
      assignedAt,
      `00Q${contactId}`,
      firstTouchAt,
    )
    .run();
}

interface Breach {
  pool: string;
  at: number;
  reassignedAt?: number;
  reassignError?: string;
  alert: boolean;
  alertedAt?: number;
  alertError?: string;
}

async function breach(contactId: string, n: 1 | 2, b: Breach) {
  await db
    .prepare(
      `INSERT INTO sla_events (contact_id, breach, lead_id, pool, routing_version, at, due_at, from_owner, to_owner,
         reassigned_at, reassign_error, alert, alerted_at, alert_error)
       VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      contactId,
      n,
      `00Q${contactId}`,
      b.pool,
      b.at,
      b.at - MIN,
      A,
      b.reassignedAt ? B : null,
      b.reassignedAt ?? null,
      b.reassignError ?? null,
      b.alert ? 1 : 0,
      b.alertedAt ?? null,
      b.alertError ?? null,
    )
    .run();
}

describe("the routing section of a nightly run, from D1 rows", () => {
  let report: FunnelReport;

  beforeAll(async () => {
    await insertRouting(
      1,
      S - 10 * 86_400_000,
      routing([
        {
          name: "inbound",
          members: [
            { userId: A, dailyCap: 3 },
            { userId: B, dailyCap: 5 },
          ],
        },
        { name: "enterprise", members: [{ userId: A, dailyCap: 10 }, { userId: C }] },
      ]),
    );
    // Saved after the day ended: not the routing in force for it.
    await insertRouting(
      2,
      END,
      routing([{ name: "inbound", members: [{ userId: A, dailyCap: 1 }] }]),
    );
    await db
      .prepare(
        "INSERT INTO sf_users (id, username, name, start_date, is_active) VALUES (?, 'ada@example.com', 'Ada Rep', NULL, 1), (?, 'bo@example.com', 'Bo Rep', NULL, 1)",
      )
      .bind(`${A}QAA`, `${B}QAA`)
      .run();

    await assign("r1", A, "inbound", "pool", S + HOUR, S + HOUR + 10 * MIN);
    await assign("r2", A, "inbound", "pool", S + 2 * HOUR, S + 2 * HOUR + 20 * MIN);
    await assign("r3", B, "inbound", "pool", S + 3 * HOUR, S + 3 * HOUR + 5 * MIN);
    await assign("r4", D, null, "account_owner", S + 4 * HOUR);
    await assign("r5", null, null, "assignment_rules", S + 5 * HOUR);
    // Assigned the day before, first touched this day: in speed to first touch, not in assignments.
    await assign("r6", B, "inbound", "pool", S - 2 * HOUR, S + 30 * MIN);
    // Assigned this day, touched the next: in assignments only.
    await assign("r7", A, "inbound", "pool", S + 23 * HOUR, S + 25 * HOUR);
    // Touched as the day began, counted; touched and assigned as the next began, not.
    await assign("r8", C, "enterprise", "pool", S - HOUR, S);
    await assign("r9", B, "inbound", "pool", S - 3 * HOUR, END);
    await assign("r10", B, "inbound", "pool", END);

    await breach("r1", 1, {
      pool: "inbound",
      at: S + HOUR + 31 * MIN,
      reassignedAt: S + HOUR + 31 * MIN,
      alert: true,
      alertedAt: S + HOUR + 31 * MIN,
    });
    await breach("r1", 2, {
      pool: "inbound",
      at: S + 2 * HOUR,
      reassignError: "CANNOT_UPDATE_CONVERTED_LEAD",
      alert: true,
      alertError: "no alert URL",
    });
    await breach("r3", 1, { pool: "inbound", at: S + 4 * HOUR, alert: true });
    await breach("r8", 1, {
      pool: "enterprise",
      at: S + 6 * HOUR,
      reassignedAt: S + 6 * HOUR,
      alert: false,
    });
    await breach("r9", 1, { pool: "inbound", at: S - MIN, alert: true, alertedAt: S - MIN });
    // No latest report yet: this run's is the latest, so the KV copy can be checked.
    await env.KV.delete(FUNNEL_LATEST_KEY);

    const ran = await admin<{ report: FunnelReport }>("POST", `/admin/telemetry/run?date=${DATE}`);
    expect(ran.status, ran.text).toBe(200);
    report = ran.body.report;
  });

  it("measures speed to first touch by rep and pool over the leads first touched that day", () => {
    const routing = report.routing!;
    expect(routing.routingVersion).toBe(1);
    const { byRep, byPool, ...all } = routing.firstTouch;
    // 5, 10, 20, 60 and 150 minutes: nearest rank.
    expect(all).toEqual({ p50Ms: 20 * MIN, p95Ms: 150 * MIN, count: 5 });
    expect(byRep).toEqual([
      { ownerId: A, ownerName: "Ada Rep", p50Ms: 10 * MIN, p95Ms: 20 * MIN, count: 2 },
      { ownerId: B, ownerName: "Bo Rep", p50Ms: 5 * MIN, p95Ms: 150 * MIN, count: 2 },
      { ownerId: C, ownerName: null, p50Ms: 60 * MIN, p95Ms: 60 * MIN, count: 1 },
    ]);
    expect(byPool).toEqual([
      { pool: "enterprise", p50Ms: 60 * MIN, p95Ms: 60 * MIN, count: 1 },
      { pool: "inbound", p50Ms: 10 * MIN, p95Ms: 150 * MIN, count: 4 },
    ]);
  });

  it("counts the day's assignments per rep against the cap in force at its end, by pool and reason", () => {
    const { assignments } = report.routing!;
    expect(assignments.total).toBe(6);
    expect(assignments.byRep).toEqual([
      { ownerId: A, ownerName: "Ada Rep", assigned: 3, dailyCap: 10 },
      { ownerId: B, ownerName: "Bo Rep", assigned: 1, dailyCap: 5 },
      { ownerId: D, ownerName: null, assigned: 1, dailyCap: null },
      { ownerId: null, ownerName: null, assigned: 1, dailyCap: null },
      { ownerId: C, ownerName: null, assigned: 0, dailyCap: null },
    ]);
    expect(assignments.byPool).toEqual([
      { pool: "inbound", assigned: 4 },
      { pool: null, assigned: 2 },
    ]);
    expect(assignments.byReason).toEqual([
      { reason: "account_owner", count: 1 },
      { reason: "pool", count: 4 },
      { reason: "assignment_rules", count: 1 },
    ]);
  });

  it("counts the day's SLA breaches, escalations and alerts by pool", () => {
    const { byPool, ...all } = report.routing!.sla;
    expect(byPool).toEqual([
      {
        pool: "enterprise",
        firstBreaches: 1,
        secondBreaches: 0,
        reassigned: 1,
        reassignFailed: 0,
        alertsSent: 0,
        alertsGivenUp: 0,
        alertsPending: 0,
      },
      {
        pool: "inbound",
        firstBreaches: 2,
        secondBreaches: 1,
        reassigned: 1,
        reassignFailed: 1,
        alertsSent: 1,
        alertsGivenUp: 1,
        alertsPending: 1,
      },
    ]);
    expect(all).toEqual({
      firstBreaches: 3,
      secondBreaches: 1,
      reassigned: 2,
      reassignFailed: 1,
      alertsSent: 1,
      alertsGivenUp: 1,
      alertsPending: 1,
    });
  });

  it("is stored with the report in D1 and KV, and survives a round trip through its schema", async () => {
    const row = await db
      .prepare("SELECT report FROM funnel_reports WHERE day = ?")
      .bind(DATE)
      .first<{ report: string }>();
    const stored = ReportSchema.parse(JSON.parse(row!.report));
    expect(stored.routing).toEqual(report.routing);
    expect(ReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    const latest = await env.KV.get<FunnelReport>(FUNNEL_LATEST_KEY, "json");
    expect(latest?.date).toBe(DATE);
    expect(latest!.routing).toEqual(report.routing);
    // A report written before the section existed stays valid, with no routing: unknown, not zero.
    const { routing: _, ...before } = report;
    expect(ReportSchema.parse(before).routing).toBeUndefined();
  });

  it("reads assignments and sla_events through their time indexes only", async () => {
    const scans = async (sql: string, params: unknown[]) => {
      const { results } = await db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      expect(results.length, sql).toBeGreaterThan(0);
      // SQLite says SCAN for a read of a whole table (or a whole index), SEARCH for a range.
      return results.map((r) => r.detail).filter((d) => /^SCAN (assignments|sla_events)\b/.test(d));
    };
    expect(await scans("SELECT pool FROM sla_events WHERE lead_id = ?", ["x"])).toEqual([
      "SCAN sla_events",
    ]);
    for (const [sql, params] of [
      [FIRST_TOUCHES_PAGE_SQL, [1, 2, 3, 4]],
      [ASSIGNED_OF_DAY_SQL, [1, 2]],
      [SLA_OF_DAY_SQL, [1, 2]],
    ] as const)
      expect(await scans(sql, [...params]), sql).toEqual([]);
  });
});
