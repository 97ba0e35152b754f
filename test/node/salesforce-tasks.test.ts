import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { connect, control } from "./salesforce-client";

// Tasks on Leads (what tells the SLA consumer a rep touched a Lead) and the alert sink, as jsforce
// and an alert sender meet them.

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
});
afterAll(async () => {
  await sandbox.close();
});

describe("Task", () => {
  it("is created on a Lead or a Contact over REST, with Salesforce's defaults, and found through Lead.Tasks", async () => {
    const conn = await connect(sandbox.url);
    const lead = await conn.sobject("Lead").create({ LastName: "Touch", Company: "Acme" });
    const quiet = await conn.sobject("Lead").create({ LastName: "Quiet", Company: "Acme" });
    const contact = await conn.sobject("Contact").create({ LastName: "Known" });
    const task = await conn.sobject("Task").create({ WhoId: lead.id, Subject: "Call" });
    expect(task.success).toBe(true);
    expect(task.id!.startsWith("00T")).toBe(true);
    expect(
      (await conn.sobject("Task").create({ WhoId: contact.id, Subject: "Email" })).success,
    ).toBe(true);
    const saved = await conn.sobject("Task").retrieve(task.id!);
    expect(saved).toMatchObject({ Status: "Not Started", Priority: "Normal", WhoId: lead.id });
    expect(saved.CreatedDate).toEqual(expect.any(String));

    const { records } = await conn.query<{
      Id: string;
      Tasks: { records: { Id: string }[] } | null;
    }>(
      `SELECT Id, Status, OwnerId, IsConverted, (SELECT Id FROM Tasks LIMIT 1) FROM Lead WHERE Id IN ('${lead.id}', '${quiet.id}')`,
    );
    const byId = new Map(records.map((r) => [r.Id, r]));
    expect(byId.get(lead.id!)!.Tasks!.records.map((t) => t.Id)).toEqual([task.id]);
    // Salesforce gives null, not an empty list, for a parent without children.
    expect(byId.get(quiet.id!)!.Tasks).toBeNull();
  });

  it("refuses a WhoId that is no Lead or Contact, and a Status off its picklist", async () => {
    const conn = await connect(sandbox.url);
    const account = await conn.sobject("Account").create({ Name: "Acme" });
    await expect(conn.sobject("Task").create({ WhoId: account.id, Subject: "x" })).rejects.toThrow(
      /FIELD_INTEGRITY_EXCEPTION|incorrect type/,
    );
    const lead = await conn.sobject("Lead").create({ LastName: "L", Company: "Acme" });
    await expect(
      conn.sobject("Task").create({ WhoId: lead.id, Status: "Someday" }),
    ).rejects.toThrow(/INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST|bad value/);
  });

  it("describes WhoId as a lookup to Lead and Contact, and Lead's Tasks relationship", async () => {
    const conn = await connect(sandbox.url);
    const task = await conn.sobject("Task").describe();
    expect(task.fields.find((f) => f.name === "WhoId")?.referenceTo).toEqual(["Lead", "Contact"]);
    const lead = await conn.sobject("Lead").describe();
    expect(lead.childRelationships).toContainEqual(
      expect.objectContaining({ childSObject: "Task", field: "WhoId", relationshipName: "Tasks" }),
    );
  });
});

describe("Feature_Request__c", () => {
  it("is described, created, queried through its Account__r lookup, seeded, and Tasks relate to its deal through WhatId", async () => {
    const conn = await connect(sandbox.url);
    const described = await conn.sobject("Feature_Request__c").describe();
    expect(described.custom).toBe(true);
    const fields = new Map(described.fields.map((f) => [f.name, f]));
    expect(fields.get("Account__c")).toMatchObject({
      type: "reference",
      referenceTo: ["Account"],
      relationshipName: "Account__r",
    });
    expect(fields.get("Business_Value__c")?.type).toBe("currency");
    expect(fields.get("Urgency__c")?.picklistValues?.map((p) => p.value)).toContain("Critical");

    const account = await conn.sobject("Account").create({ Name: "Asking Co", Industry: "Retail" });
    const deal = await conn.sobject("Opportunity").create({
      Name: "Asking deal",
      AccountId: account.id,
      StageName: "Closed Lost",
      CloseDate: "2026-06-30",
      Amount: 9000,
    });
    const request = await conn.sobject("Feature_Request__c").create({
      Name: "Bulk export",
      Account__c: account.id,
      Opportunity__c: deal.id,
      Pain__c: "We copy rows by hand",
      Business_Value__c: 9000,
      Urgency__c: "High",
    });
    expect(request.id!.startsWith("a0F")).toBe(true);
    await expect(conn.sobject("Feature_Request__c").create({ Name: "No account" })).rejects.toThrow(
      /REQUIRED_FIELD_MISSING|Account/,
    );
    const { records } = await conn.query<Record<string, any>>(
      `SELECT Id, Account__r.Name, Account__r.Industry, Opportunity__c, SystemModstamp FROM Feature_Request__c WHERE SystemModstamp >= 2020-01-01T00:00:00Z`,
    );
    expect(records).toMatchObject([
      {
        Id: request.id,
        Account__r: { Name: "Asking Co", Industry: "Retail" },
        Opportunity__c: deal.id,
      },
    ]);

    const task = await conn.sobject("Task").create({ WhatId: deal.id, Subject: "It shipped" });
    expect((await conn.sobject("Task").retrieve(task.id!)).WhatId).toBe(deal.id);
    await expect(conn.sobject("Task").create({ WhatId: request.id, Subject: "x" })).rejects.toThrow(
      /FIELD_INTEGRITY_EXCEPTION|incorrect type/,
    );

    const seeded = await control(sandbox.url, "POST", "/seed");
    expect(seeded.seeded.Feature_Request__c).toBeGreaterThanOrEqual(10);
    const open = await conn.query<{ Opportunity__r: { IsClosed: boolean } | null }>(
      "SELECT Id, Opportunity__r.IsClosed, Opportunity__r.IsWon FROM Feature_Request__c",
    );
    const deals = open.records.map((r) => r.Opportunity__r);
    expect(deals.some((d) => d && !d.IsClosed)).toBe(true);
    expect(deals.some((d) => d?.IsClosed)).toBe(true);
  });
});

describe("alert sink", () => {
  it("records what is POSTed to /__sink/alerts, lists it on the control surface, clears on reset, and plays faults", async () => {
    const post = (body: string) =>
      fetch(`${sandbox.url}/__sink/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
    const res = await post(JSON.stringify({ text: "SLA breach", blocks: [] }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect((await post("not json")).status).toBe(200);
    const { alerts } = await control(sandbox.url, "GET", "/alerts");
    expect(alerts).toMatchObject([
      { contentType: "application/json", body: { text: "SLA breach", blocks: [] } },
      { body: "not json" },
    ]);

    await control(sandbox.url, "PUT", "/faults", [
      { kind: "status", path: "/__sink/alerts", status: 503, times: 1 },
    ]);
    expect((await post("{}")).status).toBe(503);
    expect((await post("{}")).status).toBe(200);
    expect((await control(sandbox.url, "GET", "/alerts")).alerts).toHaveLength(3);

    await control(sandbox.url, "POST", "/reset");
    expect((await control(sandbox.url, "GET", "/alerts")).alerts).toEqual([]);
  });
});
