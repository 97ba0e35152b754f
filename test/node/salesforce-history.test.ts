import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control, token } from "./salesforce-client";

// POST /__sandbox/history: writes dated in the past, with what Salesforce derives from them.

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox.url, "POST", "/reset");
});

const DAY = 86_400_000;
const ago = (days: number, hours = 0) =>
  new Date(Date.now() - days * DAY + hours * 3_600_000).toISOString();
const history = (ops: unknown[]) =>
  fetch(`${sandbox.url}/__sandbox/history`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ops }),
  });

describe("dated history", () => {
  it("backdates a rep, a lead, its conversion and an opportunity's stages, with their history rows", async () => {
    const res = await history([
      // Out of order on purpose: writes apply oldest first.
      {
        op: "update",
        type: "Opportunity",
        id: { ref: "opp" },
        at: ago(5),
        by: { ref: "rep" },
        fields: { StageName: "Qualification" },
      },
      {
        op: "create",
        type: "User",
        as: "rep",
        at: ago(40),
        fields: {
          Username: "rep@history.test",
          LastName: "Rep",
          Email: "rep@history.test",
          Start_Date__c: ago(30).slice(0, 10),
        },
      },
      {
        op: "create",
        type: "Lead",
        as: "lead",
        at: ago(20),
        fields: {
          LastName: "Lee",
          Company: "Dated Co",
          LeadSource: "Web",
          HubSpot_Contact_Id__c: "h-1",
          OwnerId: { ref: "rep" },
        },
      },
      { op: "convert", lead: { ref: "lead" }, as: "opp", at: ago(10) },
      {
        op: "update",
        type: "Opportunity",
        id: { ref: "opp" },
        at: ago(10, 0.1),
        fields: { Amount: 25_000 },
      },
      {
        op: "update",
        type: "Opportunity",
        id: { ref: "opp" },
        at: ago(2),
        fields: { StageName: "Closed Won", CloseDate: ago(2).slice(0, 10) },
      },
    ]);
    expect(res.status).toBe(200);
    const { ids } = (await res.json()) as { ids: Record<string, string> };
    expect(Object.keys(ids).sort()).toEqual(["lead", "opp", "rep"]);

    const conn = await connect(sandbox.url);
    const [lead] = (
      await conn.query<Record<string, unknown>>(
        `SELECT CreatedDate, SystemModstamp, IsConverted, ConvertedDate, ConvertedOpportunityId FROM Lead WHERE Id = '${ids.lead}'`,
      )
    ).records;
    expect(lead).toMatchObject({
      IsConverted: true,
      ConvertedDate: ago(10).slice(0, 10),
      ConvertedOpportunityId: ids.opp,
    });
    expect(String(lead!.CreatedDate).slice(0, 10)).toBe(ago(20).slice(0, 10));
    expect(String(lead!.SystemModstamp).slice(0, 10)).toBe(ago(10).slice(0, 10));

    const [opp] = (
      await conn.query<Record<string, unknown>>(
        `SELECT StageName, IsClosed, IsWon, Amount, OwnerId, CreatedDate, LastModifiedDate FROM Opportunity WHERE Id = '${ids.opp}'`,
      )
    ).records;
    expect(opp).toMatchObject({
      StageName: "Closed Won",
      IsClosed: true,
      IsWon: true,
      Amount: 25_000,
      OwnerId: ids.rep,
    });
    expect(String(opp!.CreatedDate).slice(0, 10)).toBe(ago(10).slice(0, 10));
    expect(String(opp!.LastModifiedDate).slice(0, 10)).toBe(ago(2).slice(0, 10));

    const rows = (
      await conn.query<{ StageName: string; CreatedDate: string; CreatedById: string }>(
        `SELECT StageName, CreatedDate, CreatedById FROM OpportunityHistory WHERE OpportunityId = '${ids.opp}' ORDER BY CreatedDate`,
      )
    ).records;
    expect(rows.map((r) => [r.StageName, r.CreatedDate.slice(0, 10)])).toEqual([
      ["Prospecting", ago(10).slice(0, 10)],
      ["Prospecting", ago(10).slice(0, 10)],
      ["Qualification", ago(5).slice(0, 10)],
      ["Closed Won", ago(2).slice(0, 10)],
    ]);
    expect(rows[2]!.CreatedById).toBe(ids.rep);
  });

  it("keeps names for later requests until reset", async () => {
    expect(
      (
        await history([
          {
            op: "create",
            type: "Lead",
            as: "kept",
            at: ago(3),
            fields: { LastName: "Kept", Company: "K" },
          },
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await history([
          {
            op: "update",
            type: "Lead",
            id: { ref: "kept" },
            at: ago(1),
            fields: { Status: "Working - Contacted" },
          },
        ])
      ).status,
    ).toBe(200);
    await control(sandbox.url, "POST", "/reset");
    const after = await history([
      {
        op: "update",
        type: "Lead",
        id: { ref: "kept" },
        at: ago(1),
        fields: { Status: "Working - Contacted" },
      },
    ]);
    expect(after.status).toBe(400);
    expect(await after.json()).toEqual({ error: expect.stringContaining("unknown ref kept") });
  });

  it.each([
    [
      "a system field",
      [
        {
          op: "create",
          type: "Lead",
          at: ago(3),
          fields: { LastName: "A", Company: "B", CreatedDate: ago(9) },
        },
      ],
      "INVALID_FIELD_FOR_INSERT_UPDATE",
    ],
    [
      "a history row written directly",
      [{ op: "create", type: "OpportunityHistory", at: ago(3), fields: {} }],
      "INVALID_TYPE_FOR_OPERATION",
    ],
    [
      "a time in the future",
      [
        {
          op: "create",
          type: "Lead",
          at: new Date(Date.now() + DAY).toISOString(),
          fields: { LastName: "A", Company: "B" },
        },
      ],
      "in the future",
    ],
    [
      "a missing required field",
      [{ op: "create", type: "Lead", at: ago(3), fields: { LastName: "A" } }],
      "REQUIRED_FIELD_MISSING",
    ],
    [
      "a stage the org does not have",
      [
        {
          op: "create",
          type: "Opportunity",
          at: ago(3),
          fields: { Name: "O", StageName: "Won-ish", CloseDate: "2026-01-01" },
        },
      ],
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    ],
  ])("refuses %s and applies nothing", async (_label, ops, message) => {
    const res = await history([
      { op: "create", type: "Lead", at: ago(5), fields: { LastName: "First", Company: "Ok" } },
      ...ops,
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining(message) });
    expect((await control(sandbox.url, "GET", "/records/Lead")).totalSize).toBe(0);
  });

  it("refuses a write older than the record's last change", async () => {
    const res = await history([
      { op: "create", type: "Lead", as: "l", at: ago(5), fields: { LastName: "L", Company: "C" } },
      {
        op: "update",
        type: "Lead",
        id: { ref: "l" },
        at: ago(6),
        fields: { Status: "Working - Contacted" },
      },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("unknown ref l") });
    await history([
      { op: "create", type: "Lead", as: "l", at: ago(5), fields: { LastName: "L", Company: "C" } },
    ]);
    const older = await history([
      {
        op: "update",
        type: "Lead",
        id: { ref: "l" },
        at: ago(6),
        fields: { Status: "Working - Contacted" },
      },
    ]);
    expect(await older.json()).toEqual({ error: expect.stringContaining("was last changed at") });
  });

  it("answers 'changed since' queries the same from its sorted view as from a full scan, across later writes", async () => {
    await history(
      [5, 4, 3, 2, 1].map((d, i) => ({
        op: "create",
        type: "Lead",
        as: `r${i}`,
        at: ago(d),
        fields: { LastName: `R${i}`, Company: "Range Co" },
      })),
    );
    const conn = await connect(sandbox.url);
    const since = ago(3.5).replace(/\.\d{3}Z$/, "Z");
    // The OR keeps the second query off the sorted view: it scans every row.
    const viewed = async () =>
      (
        await conn.query<{ LastName: string }>(
          `SELECT LastName FROM Lead WHERE SystemModstamp >= ${since} AND Company = 'Range Co'`,
        )
      ).records.map((r) => r.LastName);
    const scanned = async () =>
      (
        await conn.query<{ LastName: string }>(
          `SELECT LastName FROM Lead WHERE SystemModstamp >= ${since} AND (Company = 'Range Co' OR Company = 'none')`,
        )
      ).records.map((r) => r.LastName);
    expect(await viewed()).toEqual(["R2", "R3", "R4"]);
    expect(await scanned()).toEqual(["R2", "R3", "R4"]);

    const access = await token(sandbox.url);
    const leads = (await control(sandbox.url, "GET", "/records/Lead")).records as {
      Id: string;
      LastName: string;
    }[];
    const id = (name: string) => leads.find((l) => l.LastName === name)!.Id;
    expect(
      (
        await call(sandbox.url, access, "PATCH", `/sobjects/Lead/${id("R0")}`, {
          Status: "Working - Contacted",
        })
      ).status,
    ).toBe(204);
    expect((await call(sandbox.url, access, "DELETE", `/sobjects/Lead/${id("R3")}`)).status).toBe(
      204,
    );
    expect(await viewed()).toEqual(["R0", "R2", "R4"]);
    expect(await scanned()).toEqual(["R0", "R2", "R4"]);
    const later = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(
      (await conn.query(`SELECT Id FROM Lead WHERE SystemModstamp > ${later}`)).totalSize,
    ).toBe(0);
  });

  it("leaves the REST API refusing the system fields it sets", async () => {
    const access = await token(sandbox.url);
    const res = await call(sandbox.url, access, "POST", "/sobjects/Opportunity", {
      Name: "O",
      StageName: "Prospecting",
      CloseDate: "2026-01-01",
      CreatedDate: ago(9),
      SystemModstamp: ago(9),
    });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
      fields: ["CreatedDate", "SystemModstamp"],
    });
  });
});
