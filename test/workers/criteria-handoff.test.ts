import { env } from "cloudflare:workers";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import { admin } from "./admin-client";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import { dach, midMarket } from "./sample-criteria";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

// Issue 16's "done when", through the admin API, the queue handler and both sandboxes: an admin
// adds a criterion ("employees at least 50 and industry in [Software, Fintech]") and one on a
// property the handoff did not read before (the company's country); the next leads are judged and
// pushed by them, with the version on every lead.

let run = 0;
const unique = () => `cr${Date.now().toString(36)}${++run}`;

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

afterAll(async () => {
  await admin("PUT", "/admin/rules", {
    rules: DEFAULT_RULES,
    note: "criteria-handoff: back to the defaults",
  });
});

describe("criteria an admin adds", () => {
  it("judge and push the next leads, read the properties they name, and are on every lead", async () => {
    const saved = await admin("PUT", "/admin/rules", {
      rules: { ...DEFAULT_RULES, criteria: [...DEFAULT_RULES.criteria, midMarket, dach] },
      note: "mid-market software in DACH only",
    });
    expect(saved.status).toBe(201);
    expect(saved.body.rules.criteria.slice(3)).toEqual([midMarket, dach]);

    const n = unique();
    const fits = await createContact(
      qualifyingContact(n),
      await createCompany({
        name: `Fits ${n}`,
        numberofemployees: "120",
        industry: "Software",
        country: "Germany",
      }),
    );
    const small = await createContact(
      qualifyingContact(`${n}s`),
      await createCompany({
        name: `Small ${n}`,
        numberofemployees: "12",
        industry: "Fintech",
        country: "Austria",
      }),
    );
    const result = await deliver([leadEvent(fits), leadEvent(small)]);
    expect(result.explicitAcks).toEqual(result.ids);

    // Handed off only if the company's country was read: no built-in reads it.
    expect(await leadRow(fits)).toMatchObject({
      status: "handed_off",
      rules_version: saved.body.version,
      criteria: JSON.stringify([
        "visited_pricing_page",
        "is_developer_title",
        "software_mid_market",
        "in_dach",
      ]),
    });
    const [lead] = (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === fits);
    expect(lead!.Qualification_Criteria__c).toBe(
      "visited_pricing_page;is_developer_title;software_mid_market;in_dach",
    );

    expect(await leadRow(small)).toMatchObject({
      status: "rejected",
      rules_version: saved.body.version,
      reasons: JSON.stringify(["criterion_not_met:software_mid_market"]),
    });
    const refused = await rawContact(small);
    expect(refused.properties.leadbridge_status).toBe("rejected");
    expect(refused.properties.leadbridge_rejection_reasons).toBe(
      "criterion_not_met:software_mid_market",
    );
    expect(refused.notes).toHaveLength(1);
    expect(JSON.stringify(refused.notes[0])).toContain(
      "a software or fintech company of 50 people or more",
    );

    // Outside DACH: refused by the criterion on the property no built-in reads.
    const far = await createContact(
      qualifyingContact(`${n}f`),
      await createCompany({
        name: `Far ${n}`,
        numberofemployees: "900",
        industry: "Software",
        country: "Canada",
      }),
    );
    await deliver([leadEvent(far)]);
    expect(await leadRow(far)).toMatchObject({
      status: "rejected",
      reasons: JSON.stringify(["criterion_not_met:in_dach"]),
    });
  });

  it("a stored version 1 judges as it always did", async () => {
    const v1 = await admin("GET", "/admin/rules?version=1");
    expect(v1.body.rules).toEqual(DEFAULT_RULES);
    const restored = await admin("PUT", "/admin/rules", {
      rules: v1.body.rules,
      note: "back to v1",
    });
    const id = await createContact(
      qualifyingContact(unique()),
      await createCompany({ name: "Any size" }),
    );
    await deliver([leadEvent(id)]);
    expect(await leadRow(id)).toMatchObject({
      status: "handed_off",
      rules_version: restored.body.version,
      criteria: JSON.stringify(["visited_pricing_page", "is_developer_title"]),
    });
  });
});
