import { env } from "cloudflare:workers";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_MAPPING, type Mapping } from "../../shared/contracts/mapping";
import { DEFAULT_RULES, type Rules } from "../../shared/contracts/rules";
import { admin } from "./admin-client";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import { midMarket } from "./sample-criteria";
import {
  createCompany,
  createContact,
  qualifyingContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

// Issue 16's "done when", end to end through the admin API, the queue handler and both sandboxes:
// an admin adds a criterion ("employees at least 50 and industry in [Software, Fintech]") and maps
// a HubSpot property to a custom Salesforce field (the company's country → Region__c, a restricted
// picklist), previews both, saves them, and the next leads are judged and pushed accordingly with
// both versions on every lead; a mapping to a field Salesforce does not have is refused by name.

let run = 0;
const unique = () => `cs${Date.now().toString(36)}${++run}`;

const rules: Rules = { ...DEFAULT_RULES, criteria: [...DEFAULT_RULES.criteria, midMarket] };
const mapping: Mapping = {
  fields: [
    ...DEFAULT_MAPPING.fields,
    {
      field: "Region__c",
      from: { property: "company.country" },
      transforms: [
        {
          kind: "map",
          values: { Germany: "EMEA", Austria: "EMEA", Canada: "AMER" },
          default: null,
        },
      ],
      policy: "always",
    },
  ],
};

const leadOf = async (contactId: string) =>
  (await salesforceLeads()).find((l) => l.HubSpot_Contact_Id__c === contactId);

async function contactAt(n: string, employees: string, country: string) {
  const company = await createCompany({
    name: `Co ${n}`,
    numberofemployees: employees,
    industry: "Software",
    country,
  });
  return createContact(qualifyingContact(n), company);
}

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

afterAll(async () => {
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "contract-shaped: defaults" });
  await admin("PUT", "/admin/mapping", { mapping: DEFAULT_MAPPING, note: "contract-shaped: v1" });
});

describe("an admin shapes the contract", () => {
  it("previews a criterion and a mapping to a custom field, saves them, and the next leads follow", async () => {
    const n = unique();
    // Judged under the defaults: both handed off, neither has a region.
    const big = await contactAt(`${n}b`, "300", "Germany");
    const small = await contactAt(`${n}s`, "8", "Canada");
    await deliver([leadEvent(big), leadEvent(small)]);
    expect((await leadRow(big))!.status).toBe("handed_off");
    expect((await leadRow(small))!.status).toBe("handed_off");
    const before = {
      rules: (await admin("GET", "/admin/rules")).body.version as number,
      mapping: (await admin("GET", "/admin/mapping")).body.version as number,
    };

    // A mapping to a field Salesforce's Lead does not have: refused by name, nothing saved.
    const wrong = await admin("PUT", "/admin/mapping", {
      mapping: {
        fields: [...mapping.fields, { field: "Regoin__c", from: { property: "company.country" } }],
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual([
      expect.objectContaining({
        field: "Regoin__c",
        problem: expect.stringContaining("Regoin__c"),
      }),
    ]);
    expect(wrong.body.error.message).toContain("Regoin__c");
    expect((await admin("GET", "/admin/mapping")).body.version).toBe(before.mapping);

    // The preview: the small company's contact would be refused, the big one's Lead gets EMEA.
    const preview = await admin("POST", "/admin/rules/preview", { rules, mapping, days: 1 });
    expect(preview.status).toBe(200);
    expect(preview.body.toRefused).toBeGreaterThanOrEqual(1);
    expect(preview.body.examples.toRefused).toContain(small);
    expect(preview.body.examples.toRefused).not.toContain(big);
    expect(preview.body.byReason.after["criterion_not_met:software_mid_market"]).toBeGreaterThan(0);
    expect(preview.body.mapping.fieldsChanged).toEqual(
      expect.arrayContaining([{ field: "Region__c", contacts: expect.any(Number) }]),
    );
    // Nothing was saved by the preview.
    expect((await admin("GET", "/admin/rules")).body.version).toBe(before.rules);
    expect((await admin("GET", "/admin/mapping")).body.version).toBe(before.mapping);
    expect((await leadOf(big))!.Region__c ?? null).toBeNull();

    // Saved: the next leads are judged by the criterion and pushed with the region.
    const savedRules = await admin("PUT", "/admin/rules", { rules, note: "mid-market only" });
    const savedMapping = await admin("PUT", "/admin/mapping", { mapping, note: "region" });
    expect([savedRules.status, savedMapping.status]).toEqual([201, 201]);
    const fits = await contactAt(`${n}f`, "120", "Austria");
    const tiny = await contactAt(`${n}t`, "5", "Germany");
    await deliver([leadEvent(fits), leadEvent(tiny)]);
    expect(await leadRow(fits)).toMatchObject({
      status: "handed_off",
      rules_version: savedRules.body.version,
      mapping_version: savedMapping.body.version,
    });
    expect(await leadOf(fits)).toMatchObject({ Region__c: "EMEA" });
    expect(await leadRow(tiny)).toMatchObject({
      status: "rejected",
      rules_version: savedRules.body.version,
      reasons: JSON.stringify(["criterion_not_met:software_mid_market"]),
    });
    expect(await leadOf(tiny)).toBeUndefined();
  });
});
