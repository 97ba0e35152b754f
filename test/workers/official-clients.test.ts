import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../shared/env";
import { createHubSpotClient } from "../../shared/hubspot/client";
import { connectSalesforce } from "../../shared/salesforce/client";

// The design relies on both official clients working inside workerd with nodejs_compat.
describe("official clients inside workerd", () => {
  const hubspotUrl = inject("hubspotUrl");
  let contactIds: string[] = [];

  beforeAll(async () => {
    await fetch(`${hubspotUrl}/__sandbox/reset`, { method: "POST" });
    contactIds = [];
    for (const [i, email] of ["ada@analytical.io", "grace@cobol.dev"].entries()) {
      const res = await fetch(`${hubspotUrl}/crm/v3/objects/contacts`, {
        method: "POST",
        headers: {
          authorization: "Bearer sandbox-hubspot-token",
          "content-type": "application/json",
        },
        body: JSON.stringify({ properties: { email, lastname: `Person${i}` } }),
      });
      contactIds.push(((await res.json()) as { id: string }).id);
    }
  });

  it("@hubspot/api-client batch-reads contacts over real HTTP", async () => {
    const hubspot = createHubSpotClient(loadConfig(env));
    const page = await hubspot.crm.contacts.batchApi.read({
      inputs: contactIds.map((id) => ({ id })),
      properties: ["email", "lastname"],
      propertiesWithHistory: [],
    });
    expect(page.results.map((r) => r.properties.email).sort()).toEqual([
      "ada@analytical.io",
      "grace@cobol.dev",
    ]);
  });

  it("jsforce upserts one Lead and then an array by external id", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const one = await conn
      .sobject("Lead")
      .upsert(
        { HubSpot_Contact_Id__c: "wd-1", LastName: "Lovelace", Company: "Analytical" },
        "HubSpot_Contact_Id__c",
      );
    expect(one).toMatchObject({ success: true, created: true });
    const again = await conn
      .sobject("Lead")
      .upsert(
        { HubSpot_Contact_Id__c: "wd-1", LastName: "Lovelace", Company: "Analytical Engines" },
        "HubSpot_Contact_Id__c",
      );
    expect(again).toMatchObject({ success: true, created: false });
    const many = await conn.sobject("Lead").upsert(
      [
        { HubSpot_Contact_Id__c: "wd-1", LastName: "Lovelace", Company: "Analytical" },
        { HubSpot_Contact_Id__c: "wd-2", LastName: "Hopper", Company: "Navy" },
      ],
      "HubSpot_Contact_Id__c",
    );
    expect(many.map((r) => [r.success, r.created])).toEqual([
      [true, false],
      [true, true],
    ]);
    const found = await conn.query<{ Company: string }>(
      "SELECT Company FROM Lead WHERE HubSpot_Contact_Id__c IN ('wd-1','wd-2') ORDER BY HubSpot_Contact_Id__c",
    );
    expect(found.records.map((r) => r.Company)).toEqual(["Analytical", "Navy"]);
  });
});
