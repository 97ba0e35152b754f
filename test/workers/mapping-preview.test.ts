import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RulesPreviewSchema } from "../../shared/contracts/admin";
import { DEFAULT_MAPPING, type FieldMapping } from "../../shared/contracts/mapping";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import { admin } from "./admin-client";
import { deliver, leadEvent } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotCounts,
  qualifyingContact,
  salesforceCounts,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

// Issue 16: POST /admin/rules/preview with a mapping answers the Salesforce Lead fields it would
// change, over contacts judged by the real handoff, checked against the sandbox org's describe
// first, and writes nothing anywhere.

let run = 0;
const unique = () => `mp${Date.now().toString(36)}${++run}`;

const field = (f: Partial<FieldMapping> & Pick<FieldMapping, "field" | "from">): FieldMapping => ({
  transforms: [],
  policy: "always",
  ...f,
});

beforeAll(async () => {
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "mapping-preview: defaults" });
});
afterAll(async () => {
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "mapping-preview: defaults" });
});
beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.DB.prepare("DELETE FROM judged_snapshots").run();
});

/** A qualified contact at a German company and a refused one (score 40) at a Canadian one. */
async function judgedTwo() {
  const n = unique();
  const company = (name: string, country: string, city: string) =>
    createCompany({ name, country, city, industry: "Software" });
  const berlin = await createContact(
    qualifyingContact(`${n}a`),
    await company(`A ${n}`, "Germany", "Berlin"),
  );
  const toronto = await createContact(
    qualifyingContact(`${n}b`, { hubspotscore: "40" }),
    await company(`B ${n}`, "Canada", "Toronto"),
  );
  const result = await deliver([leadEvent(berlin), leadEvent(toronto)]);
  expect(result.explicitAcks).toEqual(result.ids);
  return { berlin, toronto };
}

/** What a preview must leave as it was: D1's versions, leads and snapshots; both sandboxes' writes. */
async function state() {
  const all = async (sql: string) => (await env.DB.prepare(sql).all()).results;
  const writes = (byEndpoint: Record<string, number>) =>
    Object.entries(byEndpoint).filter(
      ([endpoint]) =>
        !endpoint.startsWith("GET ") &&
        !endpoint.endsWith("/batch/read") &&
        !endpoint.includes("oauth2/token"),
    );
  return {
    rules: await all("SELECT version FROM rules ORDER BY version"),
    mappings: await all("SELECT version FROM mappings ORDER BY version"),
    leads: await all("SELECT * FROM leads ORDER BY contact_id"),
    snapshots: await all("SELECT * FROM judged_snapshots ORDER BY contact_id"),
    hubspotWrites: writes((await hubspotCounts()).byEndpoint),
    salesforceWrites: writes((await salesforceCounts()).byEndpoint),
  };
}

const proposal = {
  fields: [
    ...DEFAULT_MAPPING.fields.map((f) =>
      f.field === "Title"
        ? { ...f, transforms: [{ kind: "case" as const, to: "upper" as const }] }
        : f,
    ),
    field({ field: "Country", from: { property: "company.country" } }),
    field({
      field: "Region__c",
      from: { property: "company.country" },
      transforms: [{ kind: "map", values: { Germany: "EMEA", Canada: "AMER" }, default: null }],
    }),
  ],
};

describe("POST /admin/rules/preview with a mapping", () => {
  it("answers the Lead fields that would change, reading what snapshots lack, and writes nothing", async () => {
    const { berlin, toronto } = await judgedTwo();
    const before = await state();
    const res = await admin("POST", "/admin/rules/preview", { mapping: proposal });
    expect(res.status).toBe(200);
    const body = RulesPreviewSchema.parse(res.body);
    // No rules in the body: both sides are judged under the rules in force.
    expect(body).toMatchObject({ judged: 2, toQualified: 0, toRefused: 0, unchanged: 2 });
    expect(body.missingProperties).toEqual({
      names: ["company.country"],
      readFromHubSpot: 2,
      unread: 0,
    });
    expect(body.mapping!.contactsChanged).toBe(2);
    expect(body.mapping!.fieldsChanged).toEqual([
      { field: "Country", contacts: 2 },
      { field: "Region__c", contacts: 2 },
      { field: "Title", contacts: 2 },
    ]);
    expect(body.mapping!.examples).toEqual(
      expect.arrayContaining([
        {
          contactId: berlin,
          field: "Title",
          before: "Senior Software Engineer",
          after: "SENIOR SOFTWARE ENGINEER",
        },
        { contactId: berlin, field: "Country", before: null, after: "Germany" },
        { contactId: berlin, field: "Region__c", before: null, after: "EMEA" },
        { contactId: toronto, field: "Region__c", before: null, after: "AMER" },
      ]),
    );
    expect(body.mapping!.examples).toHaveLength(6);
    expect(await state()).toEqual(before);
  });

  it("previews the mapping in force as changing nothing, next to a rules change", async () => {
    await judgedTwo();
    const res = await admin("POST", "/admin/rules/preview", {
      rules: { ...DEFAULT_RULES, minEngagementScore: 30 },
      mapping: DEFAULT_MAPPING,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ toQualified: 1, toRefused: 0 });
    // The refused contact now qualifies, but its Lead payload is built the same way.
    expect(res.body.mapping).toMatchObject({ contactsChanged: 0, fieldsChanged: [], examples: [] });
  });

  it("refuses a mapping Salesforce would refuse with a 400 naming each field, and writes nothing", async () => {
    await judgedTwo();
    const before = await state();
    const res = await admin("POST", "/admin/rules/preview", {
      mapping: {
        fields: [
          ...proposal.fields.filter((f) => f.field !== "Company"),
          field({ field: "Territory__c", from: { constant: "North" } }),
          field({ field: "Rating", from: { constant: "Lukewarm" } }),
          field({ field: "Region__c", from: { constant: "LATAM" } }),
        ].filter((f, i, all) => all.findIndex((g) => g.field === f.field) === i),
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation");
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([
        {
          index: expect.any(Number),
          field: "Territory__c",
          problem: "Salesforce's Lead has no field Territory__c",
        },
        {
          index: null,
          field: "Company",
          problem: "Company is required by Salesforce and nothing fills it",
        },
      ]),
    );
    const message: string = res.body.error.message;
    expect(message).toContain("Salesforce's Lead has no field Territory__c");
    expect(message).toContain(
      "body.mapping: Company is required by Salesforce and nothing fills it",
    );
    // Rating is an unrestricted picklist: any value is saved.
    expect(message).not.toContain("Rating");
    expect(await state()).toEqual(before);
  });
});
