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
  await control(sandbox.url, "POST", "/reset");
  await control(sandbox.url, "POST", "/counts/reset");
});

const leads = (from: number, count: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => ({
    HubSpot_Contact_Id__c: `hs-${from + i}`,
    LastName: `Lead ${from + i}`,
    Company: "Batch Co",
    Email: `lead${from + i}@batch.example`,
    ...extra,
  }));

const UPSERT_ROUTE = "PATCH /services/data/vXX.X/composite/sobjects/:type/:field";

describe("upsert collections through jsforce", () => {
  it("sends one PATCH /composite/sobjects/Lead/HubSpot_Contact_Id__c and answers per record, in order", async () => {
    const first = await conn.sobject("Lead").upsert(leads(1, 3), "HubSpot_Contact_Id__c");
    expect(first).toHaveLength(3);
    expect(first.every((r) => r.success && r.created)).toBe(true);
    const again = await conn
      .sobject("Lead")
      .upsert(leads(1, 3, { Title: "Updated" }), "HubSpot_Contact_Id__c");
    expect(again.map((r) => [r.id, r.created])).toEqual(first.map((r) => [r.id, false]));
    const counts = await control(sandbox.url, "GET", "/counts");
    expect(counts.byEndpoint[UPSERT_ROUTE]).toBe(2);
    expect(
      counts.byEndpoint["PATCH /services/data/vXX.X/sobjects/:type/:field/:value"],
    ).toBeUndefined();
  });

  it("chunks more than 200 records with allowRecursive, and the wire refuses 201 in one call", async () => {
    const results = await conn
      .sobject("Lead")
      .upsert(leads(1, 450), "HubSpot_Contact_Id__c", { allowRecursive: true });
    expect(results).toHaveLength(450);
    expect(results.every((r) => r.success)).toBe(true);
    expect((await control(sandbox.url, "GET", "/counts")).byEndpoint[UPSERT_ROUTE]).toBe(3);

    const records = leads(1000, 201).map((r) => ({ attributes: { type: "Lead" }, ...r }));
    const raw = await call(
      sandbox.url,
      conn.accessToken!,
      "PATCH",
      "/composite/sobjects/Lead/HubSpot_Contact_Id__c",
      { allOrNone: false, records },
    );
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual([
      {
        message: "record limit reached. cannot submit more than 200 records into this call",
        errorCode: "EXCEEDED_ID_LIMIT",
      },
    ]);
  });

  it("reports per-record errors with statusCode, including duplicates and repeated external ids", async () => {
    await conn
      .sobject("Lead")
      .create({ LastName: "Existing", Company: "X", Email: "taken@batch.example" });
    const batch = [
      ...leads(1, 1),
      {
        HubSpot_Contact_Id__c: "hs-2",
        LastName: "Dup",
        Company: "X",
        Email: "taken@batch.example",
      },
      { HubSpot_Contact_Id__c: "hs-3", Company: "No last name" },
      { HubSpot_Contact_Id__c: "hs-4", LastName: "Twin", Company: "X" },
      { HubSpot_Contact_Id__c: "HS-4", LastName: "Twin", Company: "X" },
    ];
    const results = await conn.sobject("Lead").upsert(batch, "HubSpot_Contact_Id__c");
    expect(results[0]).toMatchObject({ success: true, created: true });
    expect(results[1]).toMatchObject({
      success: false,
      errors: [{ statusCode: "DUPLICATES_DETECTED", fields: [] }],
    });
    expect(results[2]).toMatchObject({
      success: false,
      errors: [
        {
          statusCode: "REQUIRED_FIELD_MISSING",
          message: "Required fields are missing: [LastName]",
          fields: ["LastName"],
        },
      ],
    });
    expect(results[3]!.errors[0]).toMatchObject({ statusCode: "DUPLICATE_VALUE" });
    expect(results[4]!.errors[0]).toMatchObject({ statusCode: "DUPLICATE_VALUE" });
  });

  it("rolls every record back under allOrNone when one fails", async () => {
    const batch = [
      ...leads(1, 2),
      { HubSpot_Contact_Id__c: "hs-3", LastName: "x".repeat(81), Company: "X" },
    ];
    const results = await conn
      .sobject("Lead")
      .upsert(batch, "HubSpot_Contact_Id__c", { allOrNone: true });
    // Collections report `statusCode`; jsforce's SaveError type only knows `errorCode`.
    expect(
      results.map(
        (r) => (r.errors[0] as unknown as { statusCode?: string } | undefined)?.statusCode,
      ),
    ).toEqual([
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "STRING_TOO_LONG",
    ]);
    expect((await conn.query("SELECT COUNT() FROM Lead")).totalSize).toBe(0);

    await conn.sobject("Lead").upsert(leads(1, 2), "HubSpot_Contact_Id__c");
    const failing = [
      ...leads(1, 2, { Title: "Changed" }),
      { HubSpot_Contact_Id__c: "hs-9", Company: "No last name" },
    ];
    await conn.sobject("Lead").upsert(failing, "HubSpot_Contact_Id__c", { allOrNone: true });
    const rows = await conn.query<{ Title: string | null }>("SELECT Title FROM Lead");
    expect(rows.records.map((r) => r.Title)).toEqual([null, null]);
  });

  it("fails a share of records with UNABLE_TO_LOCK_ROW under a lock_row fault", async () => {
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "lock_row", path: "/composite/sobjects", every: 2 },
    ]);
    const results = await conn.sobject("Lead").upsert(leads(1, 6), "HubSpot_Contact_Id__c");
    const locked = results.filter((r) => !r.success);
    expect(locked).toHaveLength(3);
    expect(locked[0]!.errors[0]).toMatchObject({
      statusCode: "UNABLE_TO_LOCK_ROW",
      message: expect.stringMatching(/^unable to obtain exclusive access/),
    });
    await control(sandbox.url, "DELETE", "/faults");
    const retry = await conn.sobject("Lead").upsert(leads(1, 6), "HubSpot_Contact_Id__c");
    expect(retry.filter((r) => r.created)).toHaveLength(3);
  });

  it("answers a 503 fault on the collection endpoint; jsforce does not retry PATCH", async () => {
    await control(sandbox.url, "PUT", "/faults", [
      { kind: "status", status: 503, path: "/composite/sobjects", times: 1 },
    ]);
    await expect(
      conn.sobject("Lead").upsert(leads(1, 2), "HubSpot_Contact_Id__c"),
    ).rejects.toMatchObject({
      errorCode: "SERVER_UNAVAILABLE",
    });
    expect(
      (await conn.sobject("Lead").upsert(leads(1, 2), "HubSpot_Contact_Id__c")).every(
        (r) => r.success,
      ),
    ).toBe(true);
  });
});

describe("other collection calls", () => {
  it("creates, updates, retrieves and deletes Accounts in collections", async () => {
    const created = await conn
      .sobject("Account")
      .create([{ Name: "One" }, { Name: "Two" }, { Website: "no-name.example" }]);
    expect(created.map((r) => r.success)).toEqual([true, true, false]);
    expect(created[2]!.errors[0]).toMatchObject({
      statusCode: "REQUIRED_FIELD_MISSING",
      fields: ["Name"],
    });
    const ids = created.filter((r) => r.success).map((r) => r.id!);
    const updated = await conn
      .sobject("Account")
      .update(ids.map((Id) => ({ Id, Industry: "Technology" })));
    expect(updated.every((r) => r.success)).toBe(true);
    const fetched = await conn.sobject("Account").retrieve(ids, { fields: ["Name", "Industry"] });
    expect(fetched.map((a) => [a.Name, a.Industry])).toEqual([
      ["One", "Technology"],
      ["Two", "Technology"],
    ]);
    const viaGet = await call(
      sandbox.url,
      conn.accessToken!,
      "GET",
      `/composite/sobjects/Account?ids=${ids.join(",")},001000000000000AAA&fields=Name`,
    );
    expect(viaGet.body).toEqual([
      expect.objectContaining({ Name: "One" }),
      expect.objectContaining({ Name: "Two" }),
      null,
    ]);
    const deleted = await conn.sobject("Account").destroy(ids);
    expect(deleted.every((r) => r.success)).toBe(true);
    const counts = (await control(sandbox.url, "GET", "/counts")).byEndpoint;
    expect(counts["POST /services/data/vXX.X/composite/sobjects"]).toBe(1);
    expect(counts["PATCH /services/data/vXX.X/composite/sobjects"]).toBe(1);
    expect(counts["POST /services/data/vXX.X/composite/sobjects/:type"]).toBe(1);
    expect(counts["DELETE /services/data/vXX.X/composite/sobjects"]).toBe(1);
  });
});
