import { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

// HubSpot does not move lifecyclestage backwards through the API unless it is cleared first.
const TOKEN = "sandbox-hubspot-token";
let sandbox: HubSpotSandbox;
let hubspot: Client;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  hubspot = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" });
});

let n = 0;
async function contactAt(lifecyclestage: string): Promise<string> {
  const created = await hubspot.crm.contacts.basicApi.create({
    properties: { email: `stage${n++}@acme.example`, lifecyclestage },
    associations: [],
  });
  return created.id;
}

async function stageOf(id: string): Promise<string | null | undefined> {
  const contact = await hubspot.crm.contacts.basicApi.getById(id, ["lifecyclestage"]);
  return contact.properties.lifecyclestage;
}

describe("lifecyclestage moves forward only through the API", () => {
  it("keeps the stage on a backward PATCH, answers 200 with it, and applies the other properties", async () => {
    const id = await contactAt("opportunity");
    const answer = await hubspot.crm.contacts.basicApi.update(id, {
      properties: { lifecyclestage: "lead", jobtitle: "CTO" },
    });
    expect(answer.properties).toMatchObject({ lifecyclestage: "opportunity", jobtitle: "CTO" });
    expect(await stageOf(id)).toBe("opportunity");
  });

  it("moves forward", async () => {
    const id = await contactAt("marketingqualifiedlead");
    await hubspot.crm.contacts.basicApi.update(id, {
      properties: { lifecyclestage: "salesqualifiedlead" },
    });
    expect(await stageOf(id)).toBe("salesqualifiedlead");
    await hubspot.crm.contacts.basicApi.update(id, { properties: { lifecyclestage: "customer" } });
    expect(await stageOf(id)).toBe("customer");
  });

  it("sets an earlier stage once the value is cleared", async () => {
    const id = await contactAt("customer");
    await hubspot.crm.contacts.basicApi.update(id, { properties: { lifecyclestage: "" } });
    expect(await stageOf(id)).toBeNull();
    await hubspot.crm.contacts.basicApi.update(id, { properties: { lifecyclestage: "lead" } });
    expect(await stageOf(id)).toBe("lead");
  });

  it("applies a batch update's forward moves and keeps its backward ones", async () => {
    const back = await contactAt("customer");
    const ahead = await contactAt("lead");
    const answer = await hubspot.crm.contacts.batchApi.update({
      inputs: [
        { id: back, properties: { lifecyclestage: "salesqualifiedlead", jobtitle: "VP" } },
        { id: ahead, properties: { lifecyclestage: "opportunity" } },
      ],
    });
    expect(answer.status).toBe("COMPLETE");
    const byId = new Map(answer.results.map((r) => [r.id, r.properties]));
    expect(byId.get(back)).toMatchObject({ lifecyclestage: "customer", jobtitle: "VP" });
    expect(byId.get(ahead)).toMatchObject({ lifecyclestage: "opportunity" });
    expect(await stageOf(back)).toBe("customer");
    expect(await stageOf(ahead)).toBe("opportunity");
  });

  // The SDK names the answer's `new` field `_new`.
  it("keeps the stage on a backward batch upsert by email, and creates a new contact at any stage", async () => {
    const id = await contactAt("salesqualifiedlead");
    const { email } = (await hubspot.crm.contacts.basicApi.getById(id)).properties;
    const answer = await hubspot.crm.contacts.batchApi.upsert({
      inputs: [
        {
          idProperty: "email",
          id: email!,
          properties: { lifecyclestage: "lead", jobtitle: "CTO" },
        },
        { idProperty: "email", id: "fresh@acme.example", properties: { lifecyclestage: "lead" } },
      ],
    });
    expect(answer.results.find((r) => r.id === id)).toMatchObject({
      _new: false,
      properties: { lifecyclestage: "salesqualifiedlead", jobtitle: "CTO" },
    });
    expect(await stageOf(id)).toBe("salesqualifiedlead");
    const fresh = answer.results.find((r) => r.id !== id);
    expect(fresh).toMatchObject({ _new: true, properties: { lifecyclestage: "lead" } });
    expect(answer.results).toHaveLength(2);
  });

  it("records no change in the history for an ignored backward write", async () => {
    const id = await contactAt("opportunity");
    await hubspot.crm.contacts.basicApi.update(id, { properties: { lifecyclestage: "lead" } });
    const contact = await hubspot.crm.contacts.basicApi.getById(id, undefined, ["lifecyclestage"]);
    expect(contact.propertiesWithHistory?.lifecyclestage?.map((h) => h.value)).toEqual([
      "opportunity",
    ]);
  });

  it("lets a person in HubSpot's UI move the stage back", async () => {
    const id = await contactAt("opportunity");
    const res = await fetch(`${sandbox.url}/__sandbox/objects/contacts/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ properties: { lifecyclestage: "lead" } }),
    });
    expect(res.status).toBe(200);
    expect(await stageOf(id)).toBe("lead");
  });
});
