import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { createClients } from "../../shared/clients";
import { addDays, dayRange, utcDay } from "../../shared/days";
import { loadConfig } from "../../shared/env";
import { createLogger } from "../../shared/log";
import { runOutcomeSync } from "../../workers/outcomes/run";
import { runTelemetry } from "../../workers/telemetry/run";
import { DAY_PAGE_ROWS, readLeadDay } from "../../workers/telemetry/store";
import {
  countingD1,
  countingKV,
  emptyCounts,
  type InvocationCounts,
  sandboxRequests,
  subrequests,
} from "./invocation-budget";
import { salesforceUrl } from "./sandboxes";

// Issue 15, "Scale that breaks limits": the nightly run over a day of 100,000 judged contacts, and
// a pull of 50,000 changed Salesforce records, each inside one invocation's limits. Counted at that
// size around the real bindings and sandboxes (invocation-budget.ts), against the budget in
// docs/report.md: D1 allows 1,000 queries per invocation on Workers Paid (every statement of a
// batch counted here); subrequests are 10,000 by default on Workers Paid, held here to the 1,000
// of earlier versions; and no single D1 result over 2 MB, a sliver of the Worker's 128 MB.

const QUERY_BUDGET = 1_000;
const SUBREQUEST_BUDGET = 1_000;
const RESULT_BUDGET_BYTES = 2_000_000;

const CONTACTS = 100_000;
const PULLED_LEADS = 50_000;

const config = loadConfig(env);
const log = createLogger({ test: "scale-limits" }, "error");

function expectWithinBudget(counts: InvocationCounts, http: number) {
  expect(counts.d1Statements).toBeLessThan(QUERY_BUDGET);
  expect(subrequests(counts, http)).toBeLessThan(SUBREQUEST_BUDGET);
  expect(counts.largestResultBytes).toBeLessThan(RESULT_BUDGET_BYTES);
}

/** What `runs` spent, printed for the report (the test passes silently otherwise). */
function report(what: string, counts: InvocationCounts, http: number, ms: number) {
  console.log(
    JSON.stringify({ what, ...counts, http, subrequests: subrequests(counts, http), ms }),
  );
}

/**
 * A day of handoffs as the handoff consumer writes it, in bulk: per contact a lead row, its audit
 * lines (received, enriched, pushed for a handoff, the verdict, feedback written), the event key it
 * handled, and the day's webhook counter. Three in four are handed off by webhook, one in four
 * refused; six sources.
 */
async function seedJudgedDay(day: string, contacts: number) {
  const { start } = dayRange(day);
  // Spread over the day, the last handoff (2 s after its contact's first event) still in it.
  const spacing = Math.floor((86_400_000 - 10_000) / contacts);
  const db = env.DB;
  const series = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${contacts - 1})`;
  const at = `(${start} + i * ${spacing})`;
  const contact = "CAST(3000000 + i AS TEXT)";
  const refused = "i % 4 = 0";
  await db.batch([
    db.prepare(
      `${series} INSERT INTO leads (contact_id, portal_id, lead_id, status, source, email_domain, reasons, rules_version,
         engagement_score, salesforce_lead_id, first_event_at, last_event_at, judged_at, handed_off_at, updated_at,
         criteria, handoff_origin)
       SELECT ${contact}, '62515', '62515-' || ${contact},
         CASE WHEN ${refused} THEN 'rejected' ELSE 'handed_off' END,
         CASE i % 6 WHEN 0 THEN 'ORGANIC_SEARCH' WHEN 1 THEN 'PAID_SEARCH' WHEN 2 THEN 'EMAIL_MARKETING'
           WHEN 3 THEN 'SOCIAL_MEDIA' WHEN 4 THEN 'REFERRALS' ELSE 'DIRECT_TRAFFIC' END,
         'example' || (i % 500) || '.com',
         CASE WHEN ${refused} THEN '["not_business_email"]' ELSE '[]' END, 1, 60 + i % 40,
         CASE WHEN ${refused} THEN NULL ELSE '00Q' || printf('%012d', i) END,
         ${at}, ${at}, ${at} + 400, CASE WHEN ${refused} THEN NULL ELSE ${at} + 500 + i % 1500 END, ${at} + 600,
         '["visited_pricing_page"]', CASE WHEN ${refused} THEN NULL ELSE 'webhook' END
       FROM n`,
    ),
    db.prepare(
      `${series}, steps(k, step) AS (VALUES (0, 'received'), (1, 'enriched'), (2, 'pushed'), (3, 'verdict'), (4, 'feedback_written'))
       INSERT INTO audit (contact_id, at, step, detail, batch_id)
       SELECT ${contact}, ${at} + k * 100,
         CASE WHEN step = 'verdict' THEN CASE WHEN ${refused} THEN 'refused' ELSE 'qualified' END ELSE step END,
         CASE step
           WHEN 'verdict' THEN CASE WHEN ${refused} THEN '{"rulesVersion":1,"reasons":["not_business_email"]}'
                                ELSE '{"rulesVersion":1,"reasons":[]}' END
           WHEN 'pushed' THEN '{"salesforceId":"00Q' || printf('%012d', i) || '","created":true}'
           WHEN 'feedback_written' THEN '{"status":"' || CASE WHEN ${refused} THEN 'rejected' ELSE 'handed_off' END || '","note":true}'
           ELSE '{}' END,
         'batch-' || (i / 100)
       FROM n, steps WHERE NOT (step = 'pushed' AND ${refused})
       ORDER BY i, k`,
    ),
    db.prepare(
      `${series} INSERT INTO seen_events (event_key, contact_id, seen_at)
       SELECT 'contact.creation:' || ${contact}, ${contact}, ${at} FROM n`,
    ),
    db
      .prepare(
        "INSERT INTO daily_counters (day, name, value) VALUES (?, 'webhook_events', ?) ON CONFLICT (day, name) DO UPDATE SET value = excluded.value",
      )
      .bind(day, contacts),
    // Each handed-off lead given one of 50 reps by a pool and first touched a minute later (the
    // last ones on the next day): the routing section's rows.
    db.prepare(
      `${series} INSERT INTO assignments (contact_id, owner_id, routing_version, pool, reason, day, assigned_at, first_touch_at)
       SELECT ${contact}, '005' || printf('%012d', i % 50), 1, 'inbound', 'pool', '${day}', ${at} + 500, ${at} + 60500
       FROM n WHERE NOT (${refused})`,
    ),
  ]);
}

async function control(path: string, body: unknown) {
  const res = await fetch(`${salesforceUrl()}/__sandbox/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} → ${res.status} ${await res.text()}`);
}

/**
 * Leads Leadbridge handed off, changed over the last hours, written into the sandbox org through its
 * dated history (one control request per 10,000).
 */
async function seedChangedLeads(n: number) {
  const from = Date.now() - 3 * 3_600_000;
  for (let i = 0; i < n; i += 10_000) {
    const ops = Array.from({ length: Math.min(10_000, n - i) }, (_, j) => {
      const k = i + j;
      return {
        op: "create",
        type: "Lead",
        at: from + k * 100,
        fields: {
          FirstName: "Scale",
          LastName: `Lead ${k}`,
          Company: `Scale Co ${k % 997}`,
          Email: `scale.${k}@scale${k % 997}.example.com`,
          LeadSource: "HubSpot: organic_search",
          HubSpot_Contact_Id__c: String(5_000_000 + k),
          Status: k % 3 === 0 ? "Working - Contacted" : "Open - Not Contacted",
        },
      };
    });
    await control("history", { ops });
  }
}

afterAll(async () => {
  // The sandbox org is shared by every test file: the 50,000 Leads go again.
  await control("reset", {});
});

describe("one invocation's limits at scale", () => {
  it("the nightly run over a day of 100,000 judged contacts stays inside them", async () => {
    const date = addDays(utcDay(Date.now()), -1);
    await seedJudgedDay(date, CONTACTS);

    const counts = emptyCounts();
    const http = await sandboxRequests();
    const started = Date.now();
    const run = await runTelemetry(date, {
      db: countingD1(env.DB, counts),
      kv: countingKV(env.KV, counts),
      clients: createClients(config, env),
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
      log,
    });
    const ms = Date.now() - started;
    const requests = await http();
    report("nightly", counts, requests, ms);

    // The report is right at this size, not only cheap.
    expect(run.report.funnel).toMatchObject({
      webhookEvents: CONTACTS,
      contactsJudged: CONTACTS,
      qualified: CONTACTS * 0.75,
      rejected: CONTACTS * 0.25,
      handedOff: CONTACTS * 0.75,
    });
    expect(run.report.speedToLead.count).toBe(CONTACTS * 0.75);
    expect(run.report.rejectionReasons).toEqual([
      { code: "not_business_email", count: CONTACTS * 0.25 },
    ]);
    expect(run.report.rejectionRateBySource).toHaveLength(6);
    expect(run.report.routing?.assignments.total).toBe(CONTACTS * 0.75);
    expect(run.report.routing?.assignments.byRep).toHaveLength(50);
    expect(run.report.routing?.firstTouch.p95Ms).toBe(60_000);
    expectWithinBudget(counts, requests);
  }, 180_000);

  it("reads a day page by page without losing or repeating rows that share a time", async () => {
    // A handoff batch writes its lines at one time: pages must break inside such a run.
    const day = addDays(utcDay(Date.now()), -40);
    const { start } = dayRange(day);
    const n = DAY_PAGE_ROWS * 2 + 345;
    await env.DB.batch([
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})
         INSERT INTO audit (contact_id, at, step, detail) SELECT CAST(9000000 + i AS TEXT), ?, 'qualified', '{}' FROM n`,
      ).bind(start + 1_000),
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})
         INSERT INTO leads (contact_id, portal_id, lead_id, status, first_event_at, handed_off_at, updated_at)
         SELECT CAST(9000000 + i AS TEXT), '62515', 'x' || i, 'handed_off', ?1, ?1 + 500, ?1 FROM n`,
      ).bind(start + 1_000),
    ]);
    const input = await readLeadDay(env.DB, day);
    expect(new Set(input.judgements.map((j) => j.contact_id)).size).toBe(n);
    expect(input.judgements).toHaveLength(n);
    expect(input.handoffs).toHaveLength(n);
    expect(input.newLeadSources).toHaveLength(n);
  });

  it("the outcome sync pulling 50,000 changed Leads stays inside them", async () => {
    // An org whose only changes are these 50,000, pulled from the start: other test files' Leads
    // and the cursors their pulls left (stamped after the dated history) are not in the count.
    await control("reset", {});
    await env.DB.prepare("DELETE FROM sf_cursors WHERE object IN ('Lead', 'Opportunity')").run();
    await seedChangedLeads(PULLED_LEADS);

    const counts = emptyCounts();
    const http = await sandboxRequests();
    const started = Date.now();
    const run = await runOutcomeSync({
      db: countingD1(env.DB, counts),
      kv: countingKV(env.KV, counts),
      clients: createClients(config, env),
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
      log,
    });
    const ms = Date.now() - started;
    const requests = await http();
    report("outcome sync pull", counts, requests, ms);

    expect(run).toMatchObject({ pulled: { Lead: PULLED_LEADS } });
    const mirrored = await env.DB.prepare(
      "SELECT count(*) AS n FROM sf_leads WHERE hubspot_contact_id >= '5000000'",
    ).first<{ n: number }>();
    expect(mirrored?.n).toBe(PULLED_LEADS);
    expectWithinBudget(counts, requests);
  }, 300_000);
});
