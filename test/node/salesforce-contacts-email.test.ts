import type { Connection } from "jsforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { connect, control } from "./salesforce-client";

// Matching a batch's emails against Salesforce Contacts in one query, the way the existing
// customer check asks: `SELECT Id, Email, AccountId FROM Contact WHERE Email IN (...)`.

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

interface ContactRow {
  Id: string;
  Email: string;
  AccountId: string | null;
}

const QUERY_ROUTE = "GET /services/data/vXX.X/query";
const inList = (emails: string[]) => emails.map((e) => `'${e}'`).join(",");
const byEmail = (emails: string[]) =>
  `SELECT Id, Email, AccountId FROM Contact WHERE Email IN (${inList(emails)})`;

describe("Contacts by email", () => {
  it("finds Contacts created over REST and by a conversion, case-insensitively, in one counted query", async () => {
    const account = await conn.sobject("Account").create({ Name: "Existing Co" });
    const direct = await conn.sobject("Contact").create({
      LastName: "Direct",
      Email: "Mixed.Case@Existing.example",
      AccountId: account.id,
    });
    await conn.sobject("Contact").create({ LastName: "Other", Email: "other@existing.example" });
    const lead = await conn
      .sobject("Lead")
      .create({ LastName: "Converted", Company: "Won Co", Email: "won@customer.example" });
    const converted = await control(sandbox.url, "POST", `/leads/${lead.id}/convert`, {});
    await control(sandbox.url, "POST", "/counts/reset");
    const usedBefore = (await conn.request<any>("/limits")).DailyApiRequests.Remaining as number;

    const result = await conn.query<ContactRow>(
      byEmail(["mixed.case@existing.example", "WON@Customer.Example", "nobody@nowhere.example"]),
    );

    expect(result.totalSize).toBe(2);
    expect(
      result.records
        .map((r) => [r.Id, r.Email, r.AccountId])
        .sort((a, b) => a[1]!.localeCompare(b[1]!)),
    ).toEqual([
      // The stored address comes back as it was saved, not as the query spelled it.
      [direct.id, "Mixed.Case@Existing.example", account.id],
      [converted.contactId, "won@customer.example", converted.accountId],
    ]);
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts.byEndpoint[QUERY_ROUTE]).toBe(1);
    // The /limits call itself and the query each use one request of the daily allocation.
    const usedAfter = (await conn.request<any>("/limits")).DailyApiRequests.Remaining as number;
    expect(usedBefore - usedAfter).toBe(2);
  });

  it("leaves deleted Contacts out of query and keeps them in queryAll; NOT IN excludes case-insensitively", async () => {
    const kept = await conn
      .sobject("Contact")
      .create({ LastName: "Kept", Email: "kept@x.example" });
    const gone = await conn
      .sobject("Contact")
      .create({ LastName: "Gone", Email: "gone@x.example" });
    await conn.sobject("Contact").destroy(gone.id!);
    const soql = byEmail(["KEPT@x.example", "Gone@X.example"]);
    expect((await conn.query<ContactRow>(soql)).records.map((r) => r.Id)).toEqual([kept.id]);
    const all = await conn.query<ContactRow>(soql, { scanAll: true });
    expect(all.records.map((r) => r.Id).sort()).toEqual([kept.id, gone.id].sort());
    const notIn = await conn.query<ContactRow>(
      "SELECT Id FROM Contact WHERE Email NOT IN ('KEPT@X.EXAMPLE')",
    );
    expect(notIn.records).toEqual([]);
  });

  it("answers a batch of 200 addresses in one query and refuses a URI over 16,384 bytes with 414", async () => {
    const emails = Array.from({ length: 200 }, (_, i) => `person${i}@batch.example`);
    await conn.sobject("Contact").create(
      emails
        .filter((_, i) => i % 4 === 0)
        .map((Email, i) => ({ LastName: `Batch ${i}`, Email: Email.toUpperCase() })),
      { allOrNone: true },
    );
    const found = await conn.query<ContactRow>(byEmail(emails));
    expect(found.totalSize).toBe(50);
    expect(new Set(found.records.map((r) => r.Email.toLowerCase()))).toEqual(
      new Set(emails.filter((_, i) => i % 4 === 0)),
    );

    await control(sandbox.url, "POST", "/counts/reset");
    const many = Array.from({ length: 600 }, (_, i) => `someone.longer${i}@batch.example`);
    const q = encodeURIComponent(byEmail(many));
    expect(q.length).toBeGreaterThan(16_384);
    const usedBefore = (await control(sandbox.url, "GET", "/limits")).used as number;
    const raw = await fetch(`${sandbox.url}/services/data/v62.0/query?q=${q}`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    expect(raw.status).toBe(414);
    expect(raw.headers.get("sforce-limit-info")).toBeNull();
    const failure: unknown = await conn.query(byEmail(many)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    // Both reached the org and are counted as requests; neither used the daily allocation.
    expect((await control(sandbox.url, "GET", "/counts")).byEndpoint[QUERY_ROUTE]).toBe(2);
    expect((await control(sandbox.url, "GET", "/limits")).used).toBe(usedBefore);
  });

  it("refuses a URI and headers over 16,384 bytes together with 431", async () => {
    const soql = byEmail(["a@b.example"]);
    const res = await fetch(
      `${sandbox.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`,
      {
        headers: { authorization: `Bearer ${conn.accessToken}`, "x-padding": "p".repeat(16_300) },
      },
    );
    expect(res.status).toBe(431);
    const ok = await fetch(
      `${sandbox.url}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`,
      {
        headers: { authorization: `Bearer ${conn.accessToken}`, "x-padding": "p".repeat(8_000) },
      },
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ totalSize: 0, done: true, records: [] });
  });

  it("matches an address holding a quote, escaped in the literal as SOQL escapes it", async () => {
    const created = await conn
      .sobject("Contact")
      .create({ LastName: "O'Brien", Email: "Tom.O'Brien@Tailspin.example" });
    const found = await conn.query<ContactRow>(
      "SELECT Id, Email, AccountId FROM Contact WHERE Email IN ('tom.o\\'brien@tailspin.example', 'x@y.example')",
    );
    expect(found.records.map((r) => [r.Id, r.Email])).toEqual([
      [created.id, "Tom.O'Brien@Tailspin.example"],
    ]);
  });

  it("refuses a number in an Email IN list the way Salesforce does", async () => {
    const err: any = await conn
      .query("SELECT Id FROM Contact WHERE Email IN ('a@b.example', 42)")
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err.errorCode).toBe("INVALID_FIELD");
    expect(err.message).toContain(
      "value of filter criterion for field 'Email' must be of type string and should be enclosed in quotes",
    );
  });
});
