import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../shared/clients";
import { RulesPreviewSchema } from "../../shared/contracts/admin";
import { DEFAULT_RULES, type Rules } from "../../shared/contracts/rules";
import { upsertSnapshots } from "../../shared/db/snapshots";
import { loadConfig } from "../../shared/env";
import { PREVIEW_PAGE_ROWS, previewRules } from "../../workers/admin/rules-preview";
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES } from "../../workers/handoff/mql";
import { admin } from "./admin-client";
import { countingDb, deliver, leadEvent } from "./queue-harness";
import { dach } from "./sample-criteria";
import {
  createCompany,
  createContact,
  hubspotCounts,
  qualifyingContact,
  salesforceCounts,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

// POST /admin/rules/preview through the admin API, over contacts judged by the real handoff (queue
// handler, both sandboxes): what a rules change would flip, by reason and by source, reading what
// the handoff kept of each judgement and HubSpot only for what it lacks; and nothing written.

let run = 0;
const unique = () => `rp${Date.now().toString(36)}${++run}`;
const DAY = 86_400_000;

const withDach: Rules = { ...DEFAULT_RULES, criteria: [...DEFAULT_RULES.criteria, dach] };

const preview = (rules: unknown, days?: number) =>
  admin("POST", "/admin/rules/preview", days === undefined ? { rules } : { rules, days });

beforeAll(async () => {
  // Rules are shared by every file: judge under the defaults.
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "rules-preview: defaults" });
});

afterAll(async () => {
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "rules-preview: defaults" });
});

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
  // Other files' judgements are in the window too: each test previews its own contacts only.
  await env.DB.prepare("DELETE FROM judged_snapshots").run();
});

/**
 * Four contacts judged under the defaults (minimum engagement 60): a qualified one from organic
 * search in Germany (score 75), a qualified paid-social one in Canada (65), a refused one below the
 * threshold (40, Germany) and a refused one with webmail (paid social, Germany).
 */
async function judgedFour() {
  const n = unique();
  const company = (name: string, country: string) =>
    createCompany({ name, country, industry: "Software", numberofemployees: "120" });
  const strong = await createContact(
    qualifyingContact(`${n}a`),
    await company(`A ${n}`, "Germany"),
  );
  const paid = await createContact(
    qualifyingContact(`${n}b`, { hubspotscore: "65", hs_analytics_source: "PAID_SOCIAL" }),
    await company(`B ${n}`, "Canada"),
  );
  const weak = await createContact(
    qualifyingContact(`${n}c`, { hubspotscore: "40" }),
    await company(`C ${n}`, "Germany"),
  );
  const webmail = await createContact(
    qualifyingContact(`${n}d`, { email: `d${n}@gmail.com`, hs_analytics_source: "PAID_SOCIAL" }),
    await company(`D ${n}`, "Germany"),
  );
  const ids = [strong, paid, weak, webmail];
  const result = await deliver(ids.map((id) => leadEvent(id)));
  expect(result.explicitAcks).toEqual(result.ids);
  return { strong, paid, weak, webmail };
}

/** Everything a preview must leave as it was: D1's rules, leads and snapshots, sandbox writes. */
async function state() {
  const all = async (sql: string) => (await env.DB.prepare(sql).all()).results;
  const hubspotWrites = Object.entries((await hubspotCounts()).byEndpoint).filter(
    ([endpoint]) =>
      !endpoint.startsWith("GET ") &&
      !endpoint.endsWith("/batch/read") &&
      !endpoint.endsWith("/search"),
  );
  return {
    rules: await all("SELECT version FROM rules ORDER BY version"),
    leads: await all("SELECT * FROM leads ORDER BY contact_id"),
    snapshots: await all("SELECT * FROM judged_snapshots ORDER BY contact_id"),
    audit: await all("SELECT count(*) AS n FROM audit"),
    hubspotWrites,
    salesforce: (await salesforceCounts()).total,
  };
}

describe("judged snapshots", () => {
  it("keep every property the judgement read, null when HubSpot had none, leadbridge_* left out", async () => {
    const { strong } = await judgedFour();
    const row = await env.DB.prepare("SELECT * FROM judged_snapshots WHERE contact_id = ?")
      .bind(strong)
      .first<{ rules_version: number; contact: string; company: string; judged_at: number }>();
    const current = await admin("GET", "/admin/rules");
    expect(row!.rules_version).toBe(current.body.version);
    const contact = JSON.parse(row!.contact);
    expect(Object.keys(contact).sort()).toEqual(
      CONTACT_PROPERTIES.filter((p) => !p.startsWith("leadbridge_")).sort(),
    );
    expect(contact).toMatchObject({
      hubspotscore: "75",
      company: null,
      num_conversion_events: null,
    });
    const company = JSON.parse(row!.company);
    expect(Object.keys(company).sort()).toEqual([...COMPANY_PROPERTIES, "hs_object_id"].sort());
    expect(company.industry).toBe("Software");
  });
});

describe("POST /admin/rules/preview", () => {
  it("counts the flips each way, by reason and by source, with examples, and writes nothing", async () => {
    const { strong, paid, weak, webmail } = await judgedFour();
    const before = await state();
    const current = (await admin("GET", "/admin/rules")).body.version;

    const raised = await preview({ ...DEFAULT_RULES, minEngagementScore: 70 });
    expect(raised.status).toBe(200);
    RulesPreviewSchema.parse(raised.body);
    expect(raised.body).toEqual({
      days: 30,
      judged: 4,
      current: { version: current },
      toQualified: 0,
      toRefused: 1,
      unchanged: 3,
      byReason: {
        before: { engagement_below_threshold: 1, free_email_domain: 1 },
        after: { engagement_below_threshold: 2, free_email_domain: 1 },
      },
      bySource: {
        before: {
          organic_search: { qualified: 1, refused: 1 },
          paid_social: { qualified: 1, refused: 1 },
        },
        after: {
          organic_search: { qualified: 1, refused: 1 },
          paid_social: { qualified: 0, refused: 2 },
        },
      },
      examples: { toQualified: [], toRefused: [paid] },
      missingProperties: { names: [], readFromHubSpot: 0, unread: 0 },
    });

    const lowered = await preview({ ...DEFAULT_RULES, minEngagementScore: 30 });
    expect(lowered.body).toMatchObject({
      toQualified: 1,
      toRefused: 0,
      unchanged: 3,
      examples: { toQualified: [weak], toRefused: [] },
      byReason: { after: { free_email_domain: 1 } },
    });
    expect(lowered.body.byReason.after.engagement_below_threshold).toBeUndefined();

    // Webmail allowed and a lower threshold: both refused contacts would go to sales.
    const open = await preview({
      ...DEFAULT_RULES,
      minEngagementScore: 30,
      businessEmailOnly: false,
    });
    expect(open.body).toMatchObject({ toQualified: 2, toRefused: 0 });
    expect(open.body.byReason.after).toEqual({});
    expect(open.body.examples.toQualified.sort()).toEqual([weak, webmail].sort());
    expect(open.body.examples.toRefused).not.toContain(strong);

    expect(await state()).toEqual(before);
  });

  it("reads from HubSpot a property the snapshots lack (a new required criterion), and counts it", async () => {
    const { strong, paid } = await judgedFour();
    const before = await state();
    const reads = (await hubspotCounts()).byEndpoint["POST /crm/v3/objects/companies/batch/read"];

    const res = await preview(withDach);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      judged: 4,
      toQualified: 0,
      toRefused: 1,
      unchanged: 3,
      examples: { toRefused: [paid] },
      missingProperties: { names: ["company.country"], readFromHubSpot: 4, unread: 0 },
    });
    expect(res.body.byReason.after["criterion_not_met:in_dach"]).toBe(1);
    expect(res.body.examples.toRefused).not.toContain(strong);
    // One batch read for the four companies.
    expect((await hubspotCounts()).byEndpoint["POST /crm/v3/objects/companies/batch/read"]).toBe(
      (reads ?? 0) + 1,
    );
    expect(await state()).toEqual(before);
  });

  it("past its HubSpot budget, judges without the missing properties and counts them unread", async () => {
    await judgedFour();
    const config = loadConfig(env);
    const deps = {
      db: env.DB,
      hubspot: createClients(config, env).hubspot,
      portalId: config.HUBSPOT_PORTAL_ID,
    };
    const none = await previewRules({ ...deps, hubspotCalls: 0 }, withDach, 30, Date.now());
    expect(none.missingProperties).toEqual({
      names: ["company.country"],
      readFromHubSpot: 0,
      unread: 4,
    });
    // Without the country no contact is in DACH: the two qualified ones flip.
    expect(none.toRefused).toBe(2);
    const one = await previewRules({ ...deps, hubspotCalls: 1 }, withDach, 30, Date.now());
    expect(one.missingProperties).toMatchObject({ readFromHubSpot: 4, unread: 0 });
    expect(one.toRefused).toBe(1);
  });

  it("answers when HubSpot fails the reads, counting those contacts unread", async () => {
    await judgedFour();
    await setHubSpotFaults([
      { kind: "status", status: 503, path: "/crm/v3/objects/companies/batch/read" },
    ]);
    const res = await preview(withDach);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      judged: 4,
      toRefused: 2,
      missingProperties: { names: ["company.country"], readFromHubSpot: 0, unread: 4 },
    });
  });

  it("judges only the contacts judged within the days asked", async () => {
    const { strong, paid } = await judgedFour();
    // The qualified paid-social contact was last judged ten days ago.
    await env.DB.prepare("UPDATE judged_snapshots SET judged_at = ? WHERE contact_id = ?")
      .bind(Date.now() - 10 * DAY, paid)
      .run();
    const raise = { ...DEFAULT_RULES, minEngagementScore: 70 };
    const week = await preview(raise, 7);
    expect(week.body).toMatchObject({ days: 7, judged: 3, toRefused: 0 });
    const month = await preview(raise);
    expect(month.body).toMatchObject({ days: 30, judged: 4, toRefused: 1 });
    expect(month.body.examples.toRefused).toEqual([paid]);
    expect(month.body.examples.toRefused).not.toContain(strong);
  });

  it("reads the snapshots in pages of 1,000, however many there are", async () => {
    const now = Date.now();
    const n = PREVIEW_PAGE_ROWS * 2 + 500;
    const contact = Object.fromEntries(
      CONTACT_PROPERTIES.filter((p) => !p.startsWith("leadbridge_")).map((p) => [p, null]),
    );
    const snapshots = Array.from({ length: n }, (_, i) => ({
      contactId: String(900_000_000 + i),
      judgedAt: now - DAY,
      rulesVersion: 1,
      contact: {
        ...contact,
        email: `p${i}@acme-robotics.com`,
        lastname: "P",
        hubspotscore: String(i % 100),
      },
      company: null,
    }));
    await env.DB.batch(upsertSnapshots(env.DB, snapshots));
    const config = loadConfig(env);
    const counting = countingDb();
    const result = await previewRules(
      { db: counting.db, hubspot: createClients(config, env).hubspot, portalId: "62515" },
      { ...DEFAULT_RULES, requiredFields: ["email"] },
      30,
      now,
    );
    expect(result.judged).toBe(n);
    // The rules in force, then three pages.
    expect(counting.queries()).toBe(1 + 3);
  });

  it("refuses a bad document with a 400 naming the field, and writes nothing", async () => {
    await judgedFour();
    const before = await state();
    const bad = await preview({ ...DEFAULT_RULES, minEngagementScore: 101 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("body.rules.minEngagementScore");
    const criterion = await preview({
      ...DEFAULT_RULES,
      criteria: [...DEFAULT_RULES.criteria, { ...dach, conditions: [{ property: "country" }] }],
    });
    expect(criterion.status).toBe(400);
    expect(criterion.body.error.message).toContain("body.rules.criteria[3]");
    const days = await preview(DEFAULT_RULES, 0);
    expect(days.status).toBe(400);
    expect(days.body.error.message).toContain("body.days");
    const extra = await admin("POST", "/admin/rules/preview", { rules: DEFAULT_RULES, note: "x" });
    expect(extra.status).toBe(400);
    const neither = await admin("POST", "/admin/rules/preview", { days: 30 });
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toContain("give a rules document, a mapping or both");
    expect(await state()).toEqual(before);
  });
});
