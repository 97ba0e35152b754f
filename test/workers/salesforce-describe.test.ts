import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../shared/env";
import { readUsage } from "../../shared/salesforce/budget";
import { connectSalesforce } from "../../shared/salesforce/client";
import { DESCRIBE_KEY, leadDescribe } from "../../shared/salesforce/describe";
import { salesforceUrl } from "./sandboxes";

// Issue 16: the Lead describe a mapping is checked against, read through jsforce from the sandbox
// org, trimmed, cached in KV for an hour and counted under the Salesforce budget.

const DESCRIBE_PATH = "/services/data/v62.0/sobjects/Lead/describe";

async function describeCalls(): Promise<number> {
  const { requests } = (await fetch(`${salesforceUrl()}/__sandbox/requests`).then((r) =>
    r.json(),
  )) as { requests: { method: string; path: string }[] };
  return requests.filter((r) => r.method === "GET" && r.path === DESCRIBE_PATH).length;
}

beforeEach(async () => {
  await env.KV.delete(DESCRIBE_KEY);
  await env.KV.delete("salesforce:usage");
  await fetch(`${salesforceUrl()}/__sandbox/requests`, { method: "DELETE" });
});

describe("leadDescribe", () => {
  it("trims Salesforce's describe to the fields a mapping check reads", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const { fields } = await leadDescribe(conn, env.KV);
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get("LastName")).toEqual({
      name: "LastName",
      label: "Last Name",
      type: "string",
      length: 80,
      createable: true,
      updateable: true,
      nillable: false,
      defaultedOnCreate: false,
      restrictedPicklist: false,
      picklistValues: [],
      externalId: false,
    });
    expect(byName.get("Status")).toMatchObject({
      type: "picklist",
      restrictedPicklist: true,
      defaultedOnCreate: true,
      picklistValues: expect.arrayContaining(["Open - Not Contacted", "Closed - Converted"]),
    });
    expect(byName.get("Name")).toMatchObject({ createable: false, updateable: false });
    expect(byName.get("HubSpot_Contact_Id__c")).toMatchObject({ externalId: true });
    // Trimmed: none of describe's other members (soapType, byteLength, …) is kept.
    expect(Object.keys(byName.get("Email")!).sort()).toEqual(
      Object.keys(byName.get("LastName")!).sort(),
    );
  });

  it("answers a second call from KV without asking Salesforce", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const first = await leadDescribe(conn, env.KV);
    expect(await describeCalls()).toBe(1);
    const again = await leadDescribe(await connectSalesforce(loadConfig(env), env.KV), env.KV);
    expect(again).toEqual(first);
    expect(await describeCalls()).toBe(1);
  });

  it("counts the call under the Salesforce budget", async () => {
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    await leadDescribe(conn, env.KV);
    const usage = await readUsage(env.KV);
    expect(usage?.used).toBeGreaterThan(0);
    expect(usage?.max).toBeGreaterThan(0);
  });

  it("still answers when KV fails, and asks Salesforce again next time", async () => {
    const broken = {
      get: async () => {
        throw new Error("KV GET failed: 503");
      },
      put: async () => {
        throw new Error("KV PUT failed: 429 Too Many Requests");
      },
    } as unknown as KVNamespace;
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const { fields } = await leadDescribe(conn, broken);
    expect(fields.some((f) => f.name === "Company")).toBe(true);
    await leadDescribe(conn, broken);
    expect(await describeCalls()).toBe(2);
  });
});
