import type { Connection } from "jsforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control } from "./salesforce-client";

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
let conn: Connection;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
  conn = await connect(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox.url, "POST", "/reset", { seed: true });
});

const lead = (n: number, extra: Record<string, unknown> = {}) => ({
  FirstName: "Ada",
  LastName: `Lovelace ${n}`,
  Email: `ada${n}@analytical.example`,
  Company: "Analytical Engines",
  ...extra,
});

describe("single records", () => {
  it("creates, reads, updates and deletes a Lead with Salesforce's ids and shapes", async () => {
    const created = await conn.sobject("Lead").create(lead(1));
    expect(created).toEqual({
      id: expect.stringMatching(/^00Q\w{15}$/),
      success: true,
      errors: [],
    });
    const record = await conn.sobject("Lead").retrieve(created.id!);
    expect(record).toMatchObject({
      attributes: { type: "Lead", url: `/services/data/v62.0/sobjects/Lead/${created.id}` },
      Id: created.id,
      Name: "Ada Lovelace 1",
      Status: "Open - Not Contacted",
      IsConverted: false,
      OwnerId: expect.stringMatching(/^005/),
      CreatedDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/),
    });
    await conn
      .sobject("Lead")
      .update({ Id: created.id!, Title: "Countess", NumberOfEmployees: 12 });
    const partial = await call(
      sandbox.url,
      conn.accessToken!,
      "GET",
      `/sobjects/Lead/${created.id}?fields=Title,NumberOfEmployees`,
    );
    expect(partial.body).toEqual({
      attributes: expect.any(Object),
      Title: "Countess",
      NumberOfEmployees: 12,
    });
    // A 15-char id names the same record.
    expect(
      (
        await call(
          sandbox.url,
          conn.accessToken!,
          "GET",
          `/sobjects/Lead/${created.id!.slice(0, 15)}`,
        )
      ).status,
    ).toBe(200);
    await conn.sobject("Lead").destroy(created.id!);
    const gone = await call(sandbox.url, conn.accessToken!, "GET", `/sobjects/Lead/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body[0].errorCode).toBe("ENTITY_IS_DELETED");
  });

  it("answers raw REST with 201 on create and 204 on update and delete", async () => {
    const t = conn.accessToken!;
    const created = await call(sandbox.url, t, "POST", "/sobjects/Account", { Name: "Raw Co" });
    expect(created.status).toBe(201);
    expect(
      (
        await call(sandbox.url, t, "PATCH", `/sobjects/Account/${created.body.id}`, {
          Website: "raw.example",
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(sandbox.url, t, "DELETE", `/sobjects/Account/${created.body.id}`)).status,
    ).toBe(204);
    expect((await call(sandbox.url, t, "GET", "/sobjects/Nope/001000000000000")).body).toEqual([
      { message: "The requested resource does not exist", errorCode: "NOT_FOUND" },
    ]);
  });

  it("describes objects with real-shaped field metadata", async () => {
    const describe = await conn.sobject("Lead").describe();
    expect(describe).toMatchObject({ name: "Lead", keyPrefix: "00Q", createable: true });
    const ext = describe.fields.find((f) => f.name === "HubSpot_Contact_Id__c");
    expect(ext).toMatchObject({
      type: "string",
      length: 64,
      externalId: true,
      unique: true,
      nillable: true,
    });
    expect(describe.fields.find((f) => f.name === "LastName")).toMatchObject({
      length: 80,
      nillable: false,
    });
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityHistory",
        "OpportunityStage",
        "User",
      ]),
    );
  });
});

describe("upsert by external id", () => {
  it("creates then updates the same Lead through jsforce's single-record upsert", async () => {
    const first = await conn
      .sobject("Lead")
      .upsert({ ...lead(2), HubSpot_Contact_Id__c: "hs-2" }, "HubSpot_Contact_Id__c");
    expect(first).toMatchObject({
      success: true,
      created: true,
      id: expect.stringMatching(/^00Q/),
    });
    const second = await conn
      .sobject("Lead")
      .upsert({ HubSpot_Contact_Id__c: "hs-2", Title: "Engineer" }, "HubSpot_Contact_Id__c");
    expect(second).toMatchObject({ success: true, created: false, id: first.id });
    const rows = await conn.query<{ Title: string }>(
      "SELECT Id, Title FROM Lead WHERE HubSpot_Contact_Id__c = 'hs-2'",
    );
    expect(rows.records).toHaveLength(1);
    expect(rows.records[0]!.Title).toBe("Engineer");
  });

  it("answers 201 created / 200 updated on the wire, and refuses Id or the key in the body", async () => {
    const t = conn.accessToken!;
    const path = "/sobjects/Lead/HubSpot_Contact_Id__c/hs-3";
    const created = await call(sandbox.url, t, "PATCH", path, lead(3));
    expect(created).toMatchObject({
      status: 201,
      body: { success: true, errors: [], created: true },
    });
    const updated = await call(sandbox.url, t, "PATCH", path, { Title: "CTO" });
    expect(updated).toMatchObject({
      status: 200,
      body: { id: created.body.id, success: true, errors: [], created: false },
    });
    const withKey = await call(sandbox.url, t, "PATCH", path, {
      HubSpot_Contact_Id__c: "hs-3",
      Title: "x",
    });
    expect(withKey.status).toBe(400);
    expect(withKey.body[0].errorCode).toBe("INVALID_FIELD");
    const withId = await call(sandbox.url, t, "PATCH", path, { Id: created.body.id });
    expect(withId.status).toBe(400);
    const badField = await call(sandbox.url, t, "PATCH", "/sobjects/Lead/Nope__c/1", {
      Title: "x",
    });
    expect(badField.status).toBe(404);
    expect(badField.body[0].errorCode).toBe("NOT_FOUND");
    const byExtId = await call(sandbox.url, t, "GET", path);
    expect(byExtId.body).toMatchObject({ Id: created.body.id, Title: "CTO" });
  });
});

describe("Lead validation and the duplicate rule", () => {
  it("reports missing required fields", async () => {
    const err = await conn
      .sobject("Lead")
      .create({ FirstName: "No", Email: "no@x.example" })
      .catch((e) => e);
    expect(err).toMatchObject({
      errorCode: "REQUIRED_FIELD_MISSING",
      message: "Required fields are missing: [LastName, Company]",
    });
    expect(err.data.fields).toEqual(["LastName", "Company"]);
    const raw = await call(sandbox.url, conn.accessToken!, "POST", "/sobjects/Lead", {
      Company: "X",
    });
    expect(raw.body).toEqual([
      {
        message: "Required fields are missing: [LastName]",
        errorCode: "REQUIRED_FIELD_MISSING",
        fields: ["LastName"],
      },
    ]);
  });

  it("reports STRING_TOO_LONG, INVALID_EMAIL_ADDRESS and INVALID_FIELD", async () => {
    const long = await call(
      sandbox.url,
      conn.accessToken!,
      "POST",
      "/sobjects/Lead",
      lead(4, { LastName: "x".repeat(81) }),
    );
    expect(long.status).toBe(400);
    expect(long.body).toEqual([
      {
        message: `Last Name: data value too large: ${"x".repeat(81)} (max length=80)`,
        errorCode: "STRING_TOO_LONG",
        fields: ["LastName"],
      },
    ]);
    const ext = await conn
      .sobject("Lead")
      .create(lead(5, { HubSpot_Contact_Id__c: "9".repeat(65) }))
      .catch((e) => e);
    expect(ext.errorCode).toBe("STRING_TOO_LONG");
    const email = await conn
      .sobject("Lead")
      .create(lead(6, { Email: "not-an-email" }))
      .catch((e) => e);
    expect(email).toMatchObject({
      errorCode: "INVALID_EMAIL_ADDRESS",
      message: "Email: invalid email address: not-an-email",
    });
    const unknown = await conn
      .sobject("Lead")
      .create(lead(7, { Favourite_Colour__c: "blue" }))
      .catch((e) => e);
    expect(unknown).toMatchObject({
      errorCode: "INVALID_FIELD",
      message: "No such column 'Favourite_Colour__c' on sobject of type Lead",
    });
  });

  it("blocks a second Lead with the same email unless the duplicate header allows saving", async () => {
    const a = await conn.sobject("Lead").create(lead(8));
    const dup = await call(
      sandbox.url,
      conn.accessToken!,
      "POST",
      "/sobjects/Lead",
      lead(9, { Email: "ADA8@analytical.example" }),
    );
    expect(dup.status).toBe(400);
    expect(dup.body[0]).toMatchObject({
      errorCode: "DUPLICATES_DETECTED",
      duplicateResult: {
        allowSave: true,
        duplicateRule: "Leadbridge_Lead_Email",
        duplicateRuleEntityType: "Lead",
        matchResults: [
          { entityType: "Lead", matchRecords: [{ record: { Id: a.id } }], size: 1, success: true },
        ],
      },
    });
    const err = await conn
      .sobject("Lead")
      .create(lead(9, { Email: "ada8@analytical.example" }))
      .catch((e) => e);
    expect(err.errorCode).toBe("DUPLICATES_DETECTED");
    const allowed = await conn
      .sobject("Lead")
      .create(lead(9, { Email: "ada8@analytical.example" }), {
        headers: { "Sforce-Duplicate-Rule-Header": "allowSave=true" },
      });
    expect(allowed.success).toBe(true);
  });

  it("refuses to update a converted Lead", async () => {
    const created = await conn.sobject("Lead").create(lead(10));
    const result = await control(sandbox.url, "POST", `/leads/${created.id}/convert`, {});
    expect(result).toMatchObject({
      leadId: created.id,
      accountId: expect.stringMatching(/^001/),
      contactId: expect.stringMatching(/^003/),
      opportunityId: expect.stringMatching(/^006/),
    });
    const converted = await conn.sobject("Lead").retrieve(created.id!);
    expect(converted).toMatchObject({
      IsConverted: true,
      Status: "Closed - Converted",
      ConvertedOpportunityId: result.opportunityId,
    });
    const err = await conn
      .sobject("Lead")
      .update({ Id: created.id!, Title: "x" })
      .catch((e) => e);
    expect(err.errorCode).toBe("CANNOT_UPDATE_CONVERTED_LEAD");
  });
});

describe("opportunities and faults", () => {
  it("writes OpportunityHistory on create and on each tracked change, and derives IsClosed/IsWon", async () => {
    const [account] = (await conn.query<{ Id: string }>("SELECT Id FROM Account LIMIT 1")).records;
    const opp = await conn.sobject("Opportunity").create({
      Name: "Deal",
      AccountId: account!.Id,
      StageName: "Prospecting",
      CloseDate: "2030-01-31",
      Amount: 1000,
    });
    await conn.sobject("Opportunity").update({ Id: opp.id!, StageName: "Closed Won" });
    await conn.sobject("Opportunity").update({ Id: opp.id!, Name: "Renamed" });
    const history = await conn.query<{ StageName: string; Probability: number }>(
      `SELECT StageName, Probability, CreatedDate FROM OpportunityHistory WHERE OpportunityId = '${opp.id}' ORDER BY CreatedDate`,
    );
    expect(history.records.map((h) => [h.StageName, h.Probability])).toEqual([
      ["Prospecting", 10],
      ["Closed Won", 100],
    ]);
    const saved = await conn.sobject("Opportunity").retrieve(opp.id!);
    expect(saved).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100 });
    const bad = await conn
      .sobject("Opportunity")
      .update({ Id: opp.id!, StageName: "Maybe" })
      .catch((e) => e);
    expect(bad.errorCode).toBe("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  });

  it("an UNABLE_TO_LOCK_ROW fault fails a single write with Salesforce's error", async () => {
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "lock_row", path: "/sobjects/Lead", times: 1 },
    ]);
    const raw = await call(sandbox.url, conn.accessToken!, "POST", "/sobjects/Lead", lead(11));
    expect(raw.status).toBe(400);
    expect(raw.body[0]).toMatchObject({
      errorCode: "UNABLE_TO_LOCK_ROW",
      message: expect.stringMatching(
        /^unable to obtain exclusive access to this record or 1 records: 005\w{15}$/,
      ),
    });
    expect((await conn.sobject("Lead").create(lead(11))).success).toBe(true);
  });
});
