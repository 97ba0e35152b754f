import type { Connection } from "jsforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control } from "./salesforce-client";

// Lead Status (Salesforce's default restricted picklist) and the Disqualification_Reason__c field
// the deploy docs tell admins to add: describe, defaults, refusals, SOQL, and the SystemModstamp
// every Lead write moves for the incremental pull.

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
  await control(sandbox.url, "POST", "/reset");
});

const lead = (n: number, extra: Record<string, unknown> = {}) => ({
  LastName: `Lee ${n}`,
  Email: `lee${n}@status.example`,
  Company: "Status Co",
  ...extra,
});

const HOUR = 3_600_000;

/** A Lead created an hour ago through dated history, so a write now moves its stamps visibly. */
async function leadFromAnHourAgo(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await control(sandbox.url, "POST", "/history", {
    ops: [
      {
        op: "create",
        type: "Lead",
        as: "old",
        at: new Date(Date.now() - HOUR).toISOString(),
        fields: lead(0, extra),
      },
    ],
  });
  return res.ids.old as string;
}

interface Stamps {
  Id: string;
  Status: string;
  SystemModstamp: string;
  LastModifiedDate: string;
}
const stampsOf = async (id: string) =>
  (
    await conn.query<Stamps>(
      `SELECT Id, Status, SystemModstamp, LastModifiedDate FROM Lead WHERE Id = '${id}'`,
    )
  ).records[0]!;
const ms = (sf: string) => Date.parse(sf.replace(/\+0000$/, "Z"));

describe("Lead Status", () => {
  it("describes Status as a required, restricted picklist defaulting to Open - Not Contacted", async () => {
    const describe = await conn.sobject("Lead").describe();
    const status = describe.fields.find((f) => f.name === "Status")!;
    expect(status).toMatchObject({
      type: "picklist",
      restrictedPicklist: true,
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: null,
      createable: true,
      updateable: true,
      custom: false,
    });
    expect(status.picklistValues!.map((v) => [v.value, v.defaultValue])).toEqual([
      ["Open - Not Contacted", true],
      ["Working - Contacted", false],
      ["Closed - Converted", false],
      ["Closed - Not Converted", false],
    ]);
  });

  it("defaults a created Lead to Open - Not Contacted and keeps a value given", async () => {
    const plain = await conn.sobject("Lead").create(lead(1));
    const working = await conn.sobject("Lead").create(lead(2, { Status: "Working - Contacted" }));
    const rows = (
      await conn.query<{ Id: string; Status: string }>(
        `SELECT Id, Status FROM Lead WHERE Id IN ('${plain.id}', '${working.id}') ORDER BY LastName`,
      )
    ).records;
    expect(rows.map((r) => [r.Id, r.Status])).toEqual([
      [plain.id, "Open - Not Contacted"],
      [working.id, "Working - Contacted"],
    ]);
  });

  it("refuses a value outside the picklist with INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", async () => {
    const raw = await call(sandbox.url, conn.accessToken!, "POST", "/sobjects/Lead", {
      ...lead(3),
      Status: "Qualified",
    });
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual([
      {
        message: "Status: bad value for restricted picklist field: Qualified",
        errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        fields: ["Status"],
      },
    ]);
    const created = await conn.sobject("Lead").create(lead(4));
    const err = await conn
      .sobject("Lead")
      .update({ Id: created.id!, Status: "Nurture" })
      .catch((e) => e);
    expect(err.errorCode).toBe("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    expect(err.message).toBe("Status: bad value for restricted picklist field: Nurture");
    // Clearing a required picklist is a missing required field, as in Salesforce.
    const cleared = await call(
      sandbox.url,
      conn.accessToken!,
      "PATCH",
      `/sobjects/Lead/${created.id}`,
      { Status: null },
    );
    expect(cleared.body).toEqual([
      {
        message: "Required fields are missing: [Status]",
        errorCode: "REQUIRED_FIELD_MISSING",
        fields: ["Status"],
      },
    ]);
    expect((await stampsOf(created.id!)).Status).toBe("Open - Not Contacted");
  });

  it("moves SystemModstamp and LastModifiedDate on a status change, so a pull since a cursor sees it", async () => {
    const id = await leadFromAnHourAgo();
    const before = await stampsOf(id);
    const cursor = new Date(Date.now() - HOUR / 2).toISOString().replace(/\.\d{3}Z$/, "Z");
    const since = `SELECT Id, Status FROM Lead WHERE SystemModstamp >= ${cursor}`;
    expect((await conn.query(since)).records).toEqual([]);

    const asked = Date.now();
    await conn.sobject("Lead").update({ Id: id, Status: "Working - Contacted" });
    const after = await stampsOf(id);
    expect(after.Status).toBe("Working - Contacted");
    expect(ms(after.SystemModstamp)).toBeGreaterThan(ms(before.SystemModstamp));
    expect(ms(after.SystemModstamp)).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);
    expect(after.LastModifiedDate).toBe(after.SystemModstamp);
    expect(
      (await conn.query<{ Id: string; Status: string }>(since)).records.map((r) => [
        r.Id,
        r.Status,
      ]),
    ).toEqual([[id, "Working - Contacted"]]);
  });

  it("changes Status and the reason through sObject Collections, moving each SystemModstamp", async () => {
    const a = await leadFromAnHourAgo();
    const created = await conn.sobject("Lead").create(lead(5));
    const results = await conn.sobject("Lead").update(
      [
        { Id: a, Status: "Closed - Not Converted", Disqualification_Reason__c: "No budget" },
        { Id: created.id!, Status: "Not a status" },
      ],
      { allOrNone: false },
    );
    expect(results[0]).toMatchObject({ id: a, success: true });
    expect(results[1]).toMatchObject({
      success: false,
      errors: [
        {
          statusCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
          message: "Status: bad value for restricted picklist field: Not a status",
          fields: ["Status"],
        },
      ],
    });
    const row = (
      await conn.query<{
        Status: string;
        Disqualification_Reason__c: string;
        SystemModstamp: string;
      }>(`SELECT Status, Disqualification_Reason__c, SystemModstamp FROM Lead WHERE Id = '${a}'`)
    ).records[0]!;
    expect(row).toMatchObject({
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "No budget",
    });
    expect(ms(row.SystemModstamp)).toBeGreaterThan(Date.now() - HOUR / 2);
    expect((await stampsOf(created.id!)).Status).toBe("Open - Not Contacted");
  });
});

describe("Disqualification_Reason__c", () => {
  it("is filled on the demo org's refused Lead", async () => {
    await control(sandbox.url, "POST", "/seed");
    const refused = await conn.query<{ Status: string; Disqualification_Reason__c: string | null }>(
      "SELECT Status, Disqualification_Reason__c FROM Lead WHERE Disqualification_Reason__c != null",
    );
    expect(refused.records.map((r) => [r.Status, r.Disqualification_Reason__c])).toEqual([
      ["Closed - Not Converted", "Not a fit"],
    ]);
  });

  it("is a custom, unrestricted picklist in the describe", async () => {
    const describe = await conn.sobject("Lead").describe();
    const reason = describe.fields.find((f) => f.name === "Disqualification_Reason__c")!;
    expect(reason).toMatchObject({
      type: "picklist",
      custom: true,
      restrictedPicklist: false,
      nillable: true,
      createable: true,
      updateable: true,
      filterable: true,
      defaultValue: null,
    });
    expect(reason.picklistValues!.map((v) => v.value)).toEqual([
      "No budget",
      "No authority",
      "Not a fit",
      "Timing",
      "Competitor",
      "Unresponsive",
    ]);
  });

  it("is set by PATCH, filtered in SOQL, keeps a value the org has not listed, and clears", async () => {
    const id = await leadFromAnHourAgo();
    await conn.sobject("Lead").update({
      Id: id,
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "Timing",
    });
    const other = await conn
      .sobject("Lead")
      .create(lead(6, { Disqualification_Reason__c: "Went with a spreadsheet" }));
    expect(other.success).toBe(true);
    const byReason = await conn.query<{ Id: string }>(
      "SELECT Id FROM Lead WHERE Status = 'Closed - Not Converted' AND Disqualification_Reason__c = 'Timing'",
    );
    expect(byReason.records.map((r) => r.Id)).toEqual([id]);
    const unlisted = await conn.query<{ Disqualification_Reason__c: string }>(
      `SELECT Disqualification_Reason__c FROM Lead WHERE Id = '${other.id}'`,
    );
    expect(unlisted.records[0]!.Disqualification_Reason__c).toBe("Went with a spreadsheet");
    const tooLong = await call(sandbox.url, conn.accessToken!, "PATCH", `/sobjects/Lead/${id}`, {
      Disqualification_Reason__c: "x".repeat(256),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body[0]).toMatchObject({
      errorCode: "STRING_TOO_LONG",
      fields: ["Disqualification_Reason__c"],
    });
    await conn.sobject("Lead").update({ Id: id, Disqualification_Reason__c: null });
    const cleared = await conn.query<{ Disqualification_Reason__c: string | null }>(
      `SELECT Disqualification_Reason__c FROM Lead WHERE Id = '${id}'`,
    );
    expect(cleared.records[0]!.Disqualification_Reason__c).toBeNull();
  });
});

describe("conversion", () => {
  it("sets Closed - Converted, the converted ids and new stamps; later writes are refused", async () => {
    const id = await leadFromAnHourAgo({ Status: "Working - Contacted" });
    const before = await stampsOf(id);
    const result = await control(sandbox.url, "POST", `/leads/${id}/convert`, {});
    const converted = await conn.sobject("Lead").retrieve(id);
    expect(converted).toMatchObject({
      Status: "Closed - Converted",
      IsConverted: true,
      ConvertedContactId: result.contactId,
      ConvertedAccountId: result.accountId,
      ConvertedOpportunityId: result.opportunityId,
      ConvertedDate: new Date().toISOString().slice(0, 10),
    });
    expect(ms(converted.SystemModstamp as string)).toBeGreaterThan(ms(before.SystemModstamp));
    expect(converted.LastModifiedDate).toBe(converted.SystemModstamp);
    const cursor = new Date(Date.now() - HOUR / 2).toISOString().replace(/\.\d{3}Z$/, "Z");
    const pulled = await conn.query<{ Id: string; IsConverted: boolean }>(
      `SELECT Id, IsConverted FROM Lead WHERE SystemModstamp >= ${cursor}`,
    );
    expect(pulled.records.map((r) => [r.Id, r.IsConverted])).toEqual([[id, true]]);

    const err = await conn
      .sobject("Lead")
      .update({ Id: id, Status: "Working - Contacted" })
      .catch((e) => e);
    expect(err.errorCode).toBe("CANNOT_UPDATE_CONVERTED_LEAD");
    expect((await stampsOf(id)).SystemModstamp).toBe(converted.SystemModstamp);
  });

  it("refuses a converted status that is not a converted one", async () => {
    const created = await conn.sobject("Lead").create(lead(7));
    const res = await fetch(`${sandbox.url}/__sandbox/leads/${created.id}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ convertedStatus: "Working - Contacted" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "INVALID_STATUS",
      message: "invalid convertedStatus: Working - Contacted",
    });
    expect((await stampsOf(created.id!)).Status).toBe("Open - Not Contacted");
  });
});
