import type { Connection } from "jsforce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control } from "./salesforce-client";

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
let conn: Connection;

type Row = Record<string, any>;

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
  await control(sandbox.url, "POST", "/reset", { seed: true });
  conn = await connect(sandbox.url);
  const bulk = Array.from({ length: 450 }, (_, i) => ({
    HubSpot_Contact_Id__c: `bulk-${i}`,
    LastName: `Bulk ${String(i).padStart(3, "0")}`,
    Company: i % 2 ? "Odd Co" : "Even Co",
    Email: `bulk${i}@paging.example`,
    NumberOfEmployees: i,
  }));
  await conn.sobject("Lead").upsert(bulk, "HubSpot_Contact_Id__c", { allowRecursive: true });
});
afterAll(async () => {
  await sandbox.close();
});

const q = async (soql: string) => (await conn.query<Row>(soql)).records;
const raw = (soql: string, headers: Record<string, string> = {}) =>
  call(
    sandbox.url,
    conn.accessToken!,
    "GET",
    `/query?q=${encodeURIComponent(soql)}`,
    undefined,
    headers,
  );

describe("paging", () => {
  it("pages with nextRecordsUrl at the requested batch size and queryMore walks it", async () => {
    const options = { headers: { "Sforce-Query-Options": "batchSize=200" } };
    const first = await conn.query<Row>(
      "SELECT Id, LastName FROM Lead WHERE Company != null ORDER BY LastName",
      options,
    );
    expect(first).toMatchObject({ totalSize: 454, done: false });
    expect(first.records).toHaveLength(200);
    expect(first.nextRecordsUrl).toMatch(/^.*\/services\/data\/v62\.0\/query\/01g\w+-200$/);
    const seen = [...first.records];
    let page = first;
    while (!page.done) {
      page = await conn.queryMore<Row>(page.nextRecordsUrl!).execute(options);
      seen.push(...page.records);
    }
    expect(seen).toHaveLength(454);
    expect(new Set(seen.map((r) => r.Id)).size).toBe(454);
  });

  it("uses 2000 rows by default, and autoFetch collects everything", async () => {
    const first = await raw("SELECT Id FROM Lead");
    expect(first.body).toMatchObject({ totalSize: 454, done: true });
    const all = await conn.query<Row>("SELECT Id FROM Lead").run({
      autoFetch: true,
      maxFetch: 10_000,
      headers: { "Sforce-Query-Options": "batchSize=200" },
    });
    expect(all.records).toHaveLength(454);
  });

  it("clamps tiny batch sizes to 200 and refuses an unknown locator", async () => {
    const res = await raw("SELECT Id FROM Lead", { "Sforce-Query-Options": "batchSize=5" });
    expect(res.body.records).toHaveLength(200);
    const bad = await call(sandbox.url, conn.accessToken!, "GET", "/query/01gNOPE-200");
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe("INVALID_QUERY_LOCATOR");
  });
});

describe("SOQL features", () => {
  it("handles an escaped quote in a string literal", async () => {
    const rows = await q("SELECT Id, LastName FROM Lead WHERE LastName = 'O\\'Brien'");
    expect(rows.map((r) => r.LastName)).toEqual(["O'Brien"]);
    expect(await q("SELECT Id FROM Lead WHERE LastName LIKE 'O\\'B%'")).toHaveLength(1);
    expect(await q("SELECT Id FROM Lead WHERE LastName = 'O\\'Brien\\\\'")).toHaveLength(0);
  });

  it("returns relationship fields as nested records", async () => {
    const [opp] = await q(
      "SELECT Id, Name, Owner.Name, Account.Name, StageName FROM Opportunity ORDER BY CreatedDate LIMIT 1",
    );
    expect(opp).toMatchObject({
      attributes: { type: "Opportunity" },
      Owner: {
        attributes: { type: "User", url: expect.stringMatching(/\/sobjects\/User\/005/) },
        Name: "Avery Chen",
      },
      Account: { attributes: { type: "Account" }, Name: "Acme Robotics" },
    });
    const history = await q(
      "SELECT Opportunity.StageName, StageName FROM OpportunityHistory WHERE Opportunity.IsWon = true",
    );
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => h.Opportunity.StageName === "Closed Won")).toBe(true);
  });

  it("counts, filters, orders and windows", async () => {
    expect((await conn.query("SELECT COUNT() FROM Lead WHERE Company = 'odd co'")).totalSize).toBe(
      225,
    );
    const rows = await q(
      "SELECT NumberOfEmployees FROM Lead WHERE (Company = 'Even Co' OR Company = 'Odd Co') AND NOT (NumberOfEmployees < 10) AND NumberOfEmployees NOT IN (11, 12) ORDER BY NumberOfEmployees DESC LIMIT 3 OFFSET 1",
    );
    expect(rows.map((r) => r.NumberOfEmployees)).toEqual([448, 447, 446]);
    const low = await q(
      "SELECT NumberOfEmployees FROM Lead WHERE NumberOfEmployees IN (3, 11) OR (NumberOfEmployees >= 10 AND NumberOfEmployees <= 12)",
    );
    expect(low.map((r) => r.NumberOfEmployees).sort()).toEqual([10, 11, 12, 3]);
    const nullsLast = await q(
      "SELECT HubSpot_Contact_Id__c FROM Lead WHERE Company != 'Even Co' AND Company != 'Odd Co' ORDER BY HubSpot_Contact_Id__c ASC NULLS LAST",
    );
    expect(nullsLast.map((r) => r.HubSpot_Contact_Id__c)).toEqual(["9001", "9002", "9004", null]);
  });

  it("understands date literals and datetimes", async () => {
    const all = await q("SELECT Id, CreatedDate FROM OpportunityHistory");
    const created = (h: Row) => Date.parse(h.CreatedDate.replace("+0000", "Z"));
    expect(all.every((h) => created(h) > Date.now() - 91 * 86_400_000)).toBe(true);
    const today = new Date();
    const windowStart =
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 30 * 86_400_000;
    const recent = await q("SELECT Id FROM OpportunityHistory WHERE CreatedDate = LAST_N_DAYS:30");
    expect(recent.length).toBe(all.filter((h) => created(h) >= windowStart).length);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(all.length);
    const since = new Date(Date.now() - 45 * 86_400_000).toISOString().replace(/\.\d{3}/, "");
    const viaIso = await q(`SELECT Id FROM OpportunityHistory WHERE CreatedDate >= ${since}`);
    expect(viaIso.length).toBe(all.filter((h) => created(h) >= Date.parse(since)).length);
    expect(
      await q("SELECT Id FROM Lead WHERE CreatedDate = TODAY AND Company = 'Odd Co'"),
    ).toHaveLength(225);
    expect(await q("SELECT Id FROM Lead WHERE CreatedDate > TODAY")).toHaveLength(0);
  });

  it("queries Users with Start_Date__c, OpportunityStage, and GROUP BY aggregates", async () => {
    const reps = await q(
      "SELECT Name, Start_Date__c FROM User WHERE Start_Date__c != null ORDER BY Start_Date__c",
    );
    expect(reps).toHaveLength(5);
    expect(reps[0]!.Start_Date__c).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const stages = await q(
      "SELECT ApiName, IsWon FROM OpportunityStage WHERE IsClosed = true ORDER BY SortOrder",
    );
    expect(stages.map((s) => [s.ApiName, s.IsWon])).toEqual([
      ["Closed Won", true],
      ["Closed Lost", false],
    ]);
    const byStage = await q("SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName");
    expect(byStage.reduce((sum, r) => sum + r.n, 0)).toBe(15);
    expect(byStage[0]!.attributes).toEqual({ type: "AggregateResult" });
  });

  it("answers the org's one Organization row, a former rep as an inactive User, and managers", async () => {
    const [org] = await q("SELECT Id, Name, TimeZoneSidKey FROM Organization");
    expect(org!.Id).toMatch(/^00D\w{15}$/);
    expect(org!.TimeZoneSidKey).toBe("America/Los_Angeles");
    // The org the token was issued for (the identity URL names it too).
    expect(org!.Id).toBe((await conn.identity()).organization_id);
    expect(
      await q("SELECT Id FROM Organization WHERE IsDeleted = false").catch((e) => e.errorCode),
    ).toBe("INVALID_FIELD");

    const inactive = await q("SELECT Id, Name, ManagerId FROM User WHERE IsActive = false");
    expect(inactive.map((u) => u.Name)).toEqual(["Casey Brooks"]);
    const [lead] = await q(
      "SELECT Id, (SELECT Name FROM ManagedUsers ORDER BY Name) FROM User WHERE Id = " +
        `'${inactive[0]!.ManagerId}'`,
    );
    expect(lead!.ManagedUsers.records.map((u: Row) => u.Name)).toContain("Casey Brooks");
    const [rep] = await q(
      "SELECT Manager.Name FROM User WHERE IsActive = true AND ManagerId != null LIMIT 1",
    );
    expect(rep!.Manager.Name).toBe("Avery Chen");
    const sites = await q("SELECT Website FROM Account WHERE Website LIKE '%acme-robotics%'");
    expect(sites).toEqual([expect.objectContaining({ Website: "acme-robotics.example" })]);
  });

  it("returns child relationship subqueries, null when a parent has no children", async () => {
    const opps = await q(
      "SELECT Name, (SELECT StageName FROM OpportunityHistories ORDER BY CreatedDate) FROM Opportunity WHERE IsWon = true",
    );
    expect(opps).toHaveLength(4);
    for (const opp of opps) {
      expect(opp.OpportunityHistories).toMatchObject({ done: true, totalSize: expect.any(Number) });
      expect(opp.OpportunityHistories.records.at(-1).StageName).toBe("Closed Won");
    }
    const [user] = await q(
      "SELECT Id, (SELECT Id FROM Opportunities) FROM User WHERE Username = 'integration@leadbridge.sandbox'",
    );
    expect(user!.Opportunities).toBeNull();
  });

  it("supports semi-joins and queryAll over deleted rows", async () => {
    const won = await q(
      "SELECT Id FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityHistory WHERE StageName = 'Closed Won')",
    );
    expect(won).toHaveLength(4);
    const [victim] = await q("SELECT Id FROM Lead WHERE LastName = 'Bulk 000'");
    await conn.sobject("Lead").destroy(victim!.Id);
    const soql = "SELECT Id, IsDeleted FROM Lead WHERE LastName = 'Bulk 000'";
    expect(await q(soql)).toHaveLength(0);
    const all = await conn.query<Row>(soql, { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ IsDeleted: true })]);
  });
});

describe("query errors", () => {
  it("answers MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE like Salesforce", async () => {
    const malformed = await raw("SELECT Id FRM Lead");
    expect(malformed.status).toBe(400);
    expect(malformed.body[0].errorCode).toBe("MALFORMED_QUERY");
    const field = await raw("SELECT Id, Nope__c FROM Lead");
    expect(field.body[0]).toMatchObject({
      errorCode: "INVALID_FIELD",
      message: expect.stringContaining("No such column 'Nope__c' on entity 'Lead'"),
    });
    expect(field.body[0].message).toContain("ERROR at Row:1:Column:12");
    const type = await raw("SELECT Id FROM Nope__c");
    expect(type.body[0]).toMatchObject({
      errorCode: "INVALID_TYPE",
      message: expect.stringContaining("sObject type 'Nope__c' is not supported"),
    });
    const mixed = await raw(
      "SELECT Id FROM Lead WHERE LastName = 'a' AND Company = 'b' OR Title = 'c'",
    );
    expect(mixed.body[0].errorCode).toBe("MALFORMED_QUERY");
    const quoted = await raw("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'");
    expect(quoted.body[0].errorCode).toBe("INVALID_FIELD");
    expect(quoted.body[0].message).toContain("ERROR at Row:1:Column:27");
    await expect(conn.query("SELECT Id FROM Lead WHERE Bogus = 1")).rejects.toMatchObject({
      errorCode: "INVALID_FIELD",
    });
  });
});
