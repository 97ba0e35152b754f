import type { Connection } from "jsforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control } from "./salesforce-client";

// Issue 16: the Lead fields a field mapping fills beyond Leadbridge's own (standard Website, City,
// Country, AnnualRevenue; the org's Region__c and Product_Interest__c), described and validated
// as Salesforce does.

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
  await control(sandbox.url, "POST", "/reset", { seed: false });
});

let n = 0;
const lead = (extra: Record<string, unknown>) => ({
  LastName: `Hopper ${++n}`,
  Company: "Compilers Inc",
  ...extra,
});
const create = (extra: Record<string, unknown>) =>
  call(sandbox.url, conn.accessToken!, "POST", "/sobjects/Lead", lead(extra));

describe("Lead fields a mapping fills", () => {
  it("describes them as an org does", async () => {
    const { fields } = await conn.sobject("Lead").describe();
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get("Website")).toMatchObject({ type: "url", length: 255, custom: false });
    expect(byName.get("City")).toMatchObject({ type: "string", length: 40 });
    expect(byName.get("Country")).toMatchObject({ type: "string", length: 80 });
    expect(byName.get("AnnualRevenue")).toMatchObject({
      type: "currency",
      soapType: "xsd:double",
      length: 0,
    });
    expect(byName.get("Product_Interest__c")).toMatchObject({
      type: "string",
      length: 255,
      custom: true,
    });
    const region = byName.get("Region__c")!;
    expect(region).toMatchObject({ type: "picklist", restrictedPicklist: true, custom: true });
    expect(region.picklistValues!.map((v) => v.value)).toEqual(["EMEA", "AMER", "APAC"]);
  });

  it("saves and reads back values that fit", async () => {
    const created = await create({
      Website: "https://compilers.example",
      City: "Arlington",
      Country: "United States",
      AnnualRevenue: 1250000.5,
      Region__c: "AMER",
      Product_Interest__c: "Analytics",
    });
    expect(created.status).toBe(201);
    const { records } = await conn.query<Record<string, unknown>>(
      `SELECT Website, City, Country, AnnualRevenue, Region__c, Product_Interest__c FROM Lead WHERE Id = '${created.body.id}'`,
    );
    const row = records[0];
    expect(row).toMatchObject({
      Website: "https://compilers.example",
      City: "Arlington",
      Country: "United States",
      AnnualRevenue: 1250000.5,
      Region__c: "AMER",
      Product_Interest__c: "Analytics",
    });
  });

  it("refuses a Region__c value outside the picklist, on create and on update", async () => {
    const refused = await create({ Region__c: "LATAM" });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([
      {
        message: "Region: bad value for restricted picklist field: LATAM",
        errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        fields: ["Region__c"],
      },
    ]);
    const created = await create({ Region__c: "EMEA" });
    const update = await call(
      sandbox.url,
      conn.accessToken!,
      "PATCH",
      `/sobjects/Lead/${created.body.id}`,
      { Region__c: "Europe" },
    );
    expect(update.status).toBe(400);
    expect(update.body[0].errorCode).toBe("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  });

  it.each([
    ["City", "x".repeat(41), 40],
    ["Country", "x".repeat(81), 80],
    ["Website", `https://${"x".repeat(250)}`, 255],
    ["Product_Interest__c", "x".repeat(256), 255],
  ])("refuses a %s longer than the field", async (name, value, max) => {
    const res = await create({ [name]: value });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: "STRING_TOO_LONG",
      fields: [name],
      message: expect.stringContaining(`(max length=${max})`),
    });
  });

  it("refuses text that is not a number in AnnualRevenue", async () => {
    const res = await create({ AnnualRevenue: "a lot" });
    expect(res.status).toBe(400);
    expect(res.body[0]).toMatchObject({
      errorCode: "JSON_PARSER_ERROR",
      message: expect.stringContaining("Cannot deserialize instance of double from VALUE_STRING"),
    });
  });
});
