import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNNEL_LATEST_KEY, type FunnelReport, ReportSchema } from "../../shared/contracts/report";
import { DEFAULT_STAGE_MAP } from "../../shared/sales-process";
import worker from "../../workers/index";
import { MAX_PAGES_PER_OBJECT } from "../../workers/telemetry/pull";
import { NIGHTLY_CRON } from "../../workers/telemetry/schedule";
import { deliver, leadEvent } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  salesforceUrl,
  setSalesforceLimits,
} from "./sandboxes";

const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const tag = Date.now().toString(36);
const AUTH = { authorization: "Bearer sandbox-admin-token" };

let sf: { token: string; base: string };
async function salesforce<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sf.base}/services/data/v62.0${path}`, {
    method,
    headers: { authorization: `Bearer ${sf.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
const create = async (type: string, fields: Record<string, unknown>) =>
  (await salesforce<{ id: string }>("POST", `/sobjects/${type}`, fields)).id;
const patch = (type: string, id: string, fields: Record<string, unknown>) =>
  salesforce("PATCH", `/sobjects/${type}/${id}`, fields);
const admin = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(
    new Request(`https://leadbridge.test${path}`, {
      ...init,
      headers: { ...AUTH, ...init.headers },
    }),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rowsFor(day: string) {
  const daily = await env.DB.prepare(
    "SELECT day, metric, dim, value FROM telemetry_daily WHERE day = ? ORDER BY metric, dim",
  )
    .bind(day)
    .all();
  const findings = await env.DB.prepare(
    "SELECT * FROM stage_jump_findings WHERE day = ? ORDER BY opportunity_id, at",
  )
    .bind(day)
    .all();
  const report = await env.DB.prepare("SELECT report FROM funnel_reports WHERE day = ?")
    .bind(day)
    .first<{ report: string }>();
  const { generatedAt: _, ...rest } = JSON.parse(report!.report) as FunnelReport;
  return { daily: daily.results, findings: findings.results, report: rest };
}

let repId: string;
let skipperId: string;
let convertedOppId: string;

beforeAll(async () => {
  const token = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  }).then((r) => r.json<{ access_token: string; instance_url: string }>());
  sf = { token: token.access_token, base: token.instance_url };

  // A rep who started 10 days ago with a 50,000 monthly quota, and two deals of theirs today.
  const username = `rep-${tag}@telemetry.test`;
  repId = await create("User", {
    Username: username,
    LastName: `Rep${tag}`,
    Email: username,
    IsActive: true,
    Start_Date__c: daysAgo(10),
  });
  await env.DB.prepare("INSERT INTO quotas (owner, month, amount) VALUES (?, '*', 50000)")
    .bind(username)
    .run();
  // An admin's collateral for the Web source the deals come from (migrations ship none).
  await env.DB.prepare(
    "INSERT OR IGNORE INTO collateral_versions (asset_id, version, type, title, status, target_audience, url, lead_source, created_at, created_by, published_at) VALUES ('asset-web-guide', '1.0.0', 'guide', 'Buyer Guide', 'published', 'buyers', 'https://example.com/guide', 'web', 0, 'test', 0)",
  ).run();
  const won = await create("Opportunity", {
    Name: `Won ${tag}`,
    OwnerId: repId,
    StageName: "Prospecting",
    CloseDate: today,
    Amount: 40_000,
    LeadSource: "Web",
  });
  for (const stage of [
    "Qualification",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
  ])
    await patch("Opportunity", won, { StageName: stage });
  skipperId = await create("Opportunity", {
    Name: `Skip ${tag}`,
    OwnerId: repId,
    StageName: "Prospecting",
    CloseDate: today,
    Amount: 9_000,
    LeadSource: "Web",
  });
  await patch("Opportunity", skipperId, { StageName: "Proposal/Price Quote" });
  await patch("Opportunity", skipperId, { StageName: "Closed Lost" });

  // Later than the deals by more than the cursor's one-second rounding: the conversion alone is new
  // at the boundary.
  await sleep(1100);
  const leadId = await create("Lead", {
    LastName: `Converted${tag}`,
    Company: "Telemetry Test Co",
    LeadSource: "Web",
  });
  const converted = await fetch(`${salesforceUrl()}/__sandbox/leads/${leadId}/convert`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  }).then((r) => r.json<{ opportunityId: string }>());
  convertedOppId = converted.opportunityId;

  // The marketing side: one contact handed off, one refused.
  const company = await createCompany({ name: "Acme Robotics" });
  const good = await createContact(qualifyingContact(`tel${tag}`), company);
  const bad = await createContact(qualifyingContact(`tel${tag}b`, { hubspotscore: "5" }), company);
  await deliver([
    leadEvent(good, "contact.creation", { occurredAt: Date.now() - 5000 }),
    leadEvent(bad),
  ]);
});

describe("the nightly cron", () => {
  it("reports on the previous UTC day into D1 history and the KV latest key", async () => {
    const scheduledTime = Date.now() + DAY;
    // Handled keys and delivery counts past their keeping time go; recent ones stay.
    const old = scheduledTime - 31 * DAY;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO seen_events (event_key, contact_id, seen_at) VALUES ('prune:old', '1', ?), ('prune:new', '1', ?)",
      ).bind(old, scheduledTime - DAY),
      env.DB.prepare(
        "INSERT INTO webhook_deliveries (id, day, events, ignored, received_at) VALUES ('prune-old', '2000-01-01', 0, 0, ?), ('prune-new', '2000-01-02', 0, 0, ?)",
      ).bind(old, scheduledTime - DAY),
    ]);
    const controller = createScheduledController({ cron: NIGHTLY_CRON, scheduledTime });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const latest = ReportSchema.parse(await env.KV.get(FUNNEL_LATEST_KEY, "json"));
    expect(latest.date).toBe(today);
    expect(latest.funnel.won).toBeGreaterThanOrEqual(1);
    expect(latest.funnel.lost).toBeGreaterThanOrEqual(1);
    expect(latest.funnel.convertedToOpportunity).toBeGreaterThanOrEqual(1);
    expect(latest.funnel.contactsJudged).toBeGreaterThanOrEqual(2);
    expect(latest.funnel.handedOff).toBeGreaterThanOrEqual(1);
    expect(latest.rejectionReasons.map((r) => r.code)).toContain("engagement_below_threshold");
    expect(latest.speedToLead.count).toBeGreaterThanOrEqual(1);
    // Every verdict carries the rules version that made it, the qualified ones too.
    const byVersion = latest.acceptanceByRulesVersion ?? [];
    expect(byVersion.reduce((n, v) => n + v.judged, 0)).toBe(latest.funnel.contactsJudged);
    expect(byVersion.reduce((n, v) => n + v.qualified, 0)).toBe(latest.funnel.qualified);
    expect(latest.funnel.qualified).toBeGreaterThanOrEqual(1);
    expect(latest.speedToLead.maxMs).toBeGreaterThanOrEqual(5000);

    // 40,000 of a 50,000 quota is exactly the 0.8 ramp share: ramped today, 10 days after starting.
    expect(latest.quotaAttainment.find((q) => q.ownerId === repId)).toMatchObject({
      quota: 50_000,
      closedWonAmount: 40_000,
      attainment: 0.8,
    });
    expect(latest.timeToRamp.find((r) => r.ownerId === repId)).toMatchObject({
      rampedOn: today,
      daysToRamp: 10,
    });
    expect(latest.dataQuality.findings).toContainEqual(
      expect.objectContaining({
        opportunityId: skipperId,
        from: "Prospecting",
        to: "Proposal/Price Quote",
        reason: "skipped_states",
      }),
    );
    expect(
      latest.lostAtStage.find((s) => s.stage === "Proposal/Price Quote")?.lost,
    ).toBeGreaterThanOrEqual(1);
    expect(latest.winRateByStage.find((s) => s.stage === "Value Proposition")).toMatchObject({
      state: "TechnicalDemo",
    });
    expect(
      latest.contentUsage.find((a) => a.leadSource === "web")?.opportunities,
    ).toBeGreaterThanOrEqual(3);

    const keys = await env.DB.prepare(
      "SELECT event_key FROM seen_events WHERE event_key LIKE 'prune:%'",
    ).all<{ event_key: string }>();
    expect(keys.results.map((r) => r.event_key)).toEqual(["prune:new"]);
    const deliveries = await env.DB.prepare(
      "SELECT id FROM webhook_deliveries WHERE id LIKE 'prune-%'",
    ).all<{ id: string }>();
    expect(deliveries.results.map((r) => r.id)).toEqual(["prune-new"]);
  });

  it("pulls only what changed since the cursor, and re-running a date gives identical rows", async () => {
    const first = await admin(`/admin/telemetry/run?date=${today}`, { method: "POST" });
    expect(first.status).toBe(200);
    const before = await rowsFor(today);
    const second = await admin(`/admin/telemetry/run?date=${today}`, { method: "POST" });
    const run = await second.json<{ salesforce: { pulled: Record<string, number> } }>();
    const mirrored = await env.DB.prepare("SELECT count(*) AS n FROM sf_opportunities").first<{
      n: number;
    }>();
    // Only rows at the cursor's second come back: the converted opportunity, not the earlier deals.
    expect(run.salesforce.pulled.Opportunity).toBeLessThan(mirrored!.n);
    expect(
      await env.DB.prepare("SELECT 1 FROM sf_opportunities WHERE id = ?")
        .bind(convertedOppId)
        .first(),
    ).not.toBeNull();
    expect(await rowsFor(today)).toEqual(before);
    expect(before.daily.length).toBeGreaterThan(10);
  });
});

describe("configuration", () => {
  it("maps stages and sets the ramp share from telemetry_config, and a re-run after a change replaces the day", async () => {
    const stageMap = { ...DEFAULT_STAGE_MAP, "Value Proposition": "Proposal" };
    await env.DB.batch([
      env.DB.prepare(
        "INSERT OR REPLACE INTO telemetry_config (key, value) VALUES ('stage_map', ?)",
      ).bind(JSON.stringify(stageMap)),
      env.DB.prepare(
        "INSERT OR REPLACE INTO telemetry_config (key, value) VALUES ('ramp_quota_share', '0.5')",
      ),
    ]);
    try {
      const run = await (
        await admin(`/admin/telemetry/run?date=${today}`, { method: "POST" })
      ).json<{ report: FunnelReport }>();
      expect(run.report.winRateByStage.find((s) => s.stage === "Value Proposition")?.state).toBe(
        "Proposal",
      );
      expect(run.report.timeToRamp.every((r) => r.threshold === 0.5)).toBe(true);
    } finally {
      await env.DB.prepare(
        "DELETE FROM telemetry_config WHERE key IN ('stage_map', 'ramp_quota_share')",
      ).run();
    }
    await admin(`/admin/telemetry/run?date=${today}`, { method: "POST" });
    const stored = await (await admin(`/admin/reports/funnel?date=${today}`)).json<FunnelReport>();
    expect(stored.winRateByStage.find((s) => s.stage === "Value Proposition")?.state).toBe(
      "TechnicalDemo",
    );
    expect(stored.timeToRamp.every((r) => r.threshold === 0.8)).toBe(true);
  });
});

describe("the Salesforce pull", () => {
  it("pages with query-more, stops a night after its page cap, and carries on from the cursor the next night", async () => {
    // Six deals moving through five stages over the past week: thirty history rows.
    const start = Date.now() - 7 * DAY;
    const stages = [
      "Prospecting",
      "Qualification",
      "Needs Analysis",
      "Value Proposition",
      "Id. Decision Makers",
    ];
    const ops = Array.from({ length: 6 }, (_, i) => [
      {
        op: "create",
        type: "Opportunity",
        as: `paged-${i}-${start}`,
        at: start + i * 60_000,
        fields: {
          Name: `Paged deal ${i}`,
          StageName: stages[0],
          CloseDate: "2031-01-31",
          Amount: 1000,
        },
      },
      ...stages.slice(1).map((stage, k) => ({
        op: "update",
        type: "Opportunity",
        id: { ref: `paged-${i}-${start}` },
        at: start + (k + 1) * DAY + i * 60_000,
        fields: { StageName: stage },
      })),
    ]).flat();
    const seeded = await fetch(`${salesforceUrl()}/__sandbox/history`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ops }),
    });
    expect(seeded.status).toBe(200);
    const records = async (type: string) =>
      (
        (await (await fetch(`${salesforceUrl()}/__sandbox/records/${type}`)).json()) as {
          records: unknown[];
        }
      ).records.length;
    const [opportunities, history] = [
      await records("Opportunity"),
      await records("OpportunityHistory"),
    ];
    // One row a page: 25 pages hold fewer rows than the history has.
    expect(history).toBeGreaterThan(MAX_PAGES_PER_OBJECT);
    await env.DB.batch([
      // The cursors of the tables emptied here: the Lead pull (every handed-off Lead, as many as
      // the other test files made) keeps its own.
      env.DB.prepare(
        "DELETE FROM sf_cursors WHERE object IN ('Opportunity', 'OpportunityHistory')",
      ),
      env.DB.prepare("DELETE FROM sf_opportunity_history"),
      env.DB.prepare("DELETE FROM sf_opportunities"),
    ]);
    await setSalesforceLimits({ batchSize: 1 });
    try {
      const nights: { pulled: Record<string, number>; complete: boolean }[] = [];
      for (let night = 0; night < 10 && !nights.at(-1)?.complete; night++) {
        const run = await (
          await admin(`/admin/telemetry/run?date=${today}`, { method: "POST" })
        ).json<{ salesforce: { pulled: Record<string, number>; complete: boolean } }>();
        nights.push(run.salesforce);
      }
      expect(nights[0]).toMatchObject({
        complete: false,
        pulled: { OpportunityHistory: MAX_PAGES_PER_OBJECT },
      });
      expect(nights.at(-1)!.complete).toBe(true);
      const mirrored = async (table: string) =>
        (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
      expect(await mirrored("sf_opportunity_history")).toBe(history);
      expect(await mirrored("sf_opportunities")).toBe(opportunities);
    } finally {
      await setSalesforceLimits({ batchSize: 2000 });
    }
  });
});

describe("admin telemetry routes", () => {
  it("refuses without the bearer token", async () => {
    const res = await exports.default.fetch(
      new Request(`https://leadbridge.test/admin/reports/funnel/latest`),
    );
    expect(res.status).toBe(401);
    const run = await exports.default.fetch(
      new Request(`https://leadbridge.test/admin/telemetry/run?date=${today}`, {
        method: "POST",
        headers: { authorization: "Bearer wrong-token-wrong-token" },
      }),
    );
    expect(run.status).toBe(401);
  });

  it.each(["", "?date=2026-02-30", "?date=yesterday", "?date=2026-1-01"])(
    "answers 400 JSON for run%s",
    async (query) => {
      const res = await admin(`/admin/telemetry/run${query}`, { method: "POST" });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: "bad_request", message: expect.stringContaining("query.date") },
      });
    },
  );

  it("serves a day's report and the latest, and 404 for a day never run", async () => {
    const day = await admin(`/admin/reports/funnel?date=${today}`);
    expect(day.status).toBe(200);
    expect(ReportSchema.parse(await day.json()).date).toBe(today);
    const latest = await admin("/admin/reports/funnel/latest");
    expect(ReportSchema.parse(await latest.json()).date).toBe(today);
    const none = await admin("/admin/reports/funnel?date=1999-01-01");
    expect(none.status).toBe(404);
    expect((await admin("/admin/reports/funnel?date=1999-13-01")).status).toBe(400);
  });

  it("keeps the latest key on the newest day when an older day is run", async () => {
    expect(
      (await admin(`/admin/telemetry/run?date=${daysAgo(3)}`, { method: "POST" })).status,
    ).toBe(200);
    expect(
      (await admin("/admin/reports/funnel/latest").then((r) => r.json<FunnelReport>())).date,
    ).toBe(today);
    expect(
      (await admin(`/admin/reports/funnel?date=${daysAgo(3)}`).then((r) => r.json<FunnelReport>()))
        .date,
    ).toBe(daysAgo(3));
  });
});
