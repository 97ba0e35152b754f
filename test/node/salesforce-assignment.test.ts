import type { Connection } from "jsforce";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSandbox } from "../../sandbox/salesforce/server";
import { call, connect, control } from "./salesforce-client";

// The sandbox's Lead assignment rule and the Sforce-Auto-Assign header, through jsforce.

let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
let conn: Connection;
let repX: string;
let repY: string;

const RULE_X = "01Q8d0000002AbCEAU";
const RULE_Y = "01Q8d0000002XyZ";
const EXT = "HubSpot_Contact_Id__c";
const NO_ASSIGN = { headers: { "Sforce-Auto-Assign": "FALSE" } };

beforeAll(async () => {
  sandbox = await startSalesforceSandbox({ port: 0, seed: false });
  conn = await connect(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox.url, "POST", "/reset");
  const user = async (name: string) =>
    (await conn.sobject("User").create({ LastName: name, Email: `${name}@org.example` })).id!;
  repX = await user("rep-x");
  repY = await user("rep-y");
  await control(sandbox.url, "PUT", "/assignment-rule", { id: RULE_X, ownerId: repX });
});

const lead = (n: number, extra: Record<string, unknown> = {}) => ({
  LastName: `Lead ${n}`,
  Company: "Analytical Engines",
  [EXT]: `hs-${n}`,
  ...extra,
});
const ownerOf = async (id: string) =>
  ((await conn.sobject("Lead").retrieve(id)) as { OwnerId: string }).OwnerId;
const ownerByExt = async (ext: string) =>
  (await conn.query<{ OwnerId: string }>(`SELECT OwnerId FROM Lead WHERE ${EXT} = '${ext}'`))
    .records[0]?.OwnerId;
const requests = async () =>
  (await control(sandbox.url, "GET", "/requests")).requests as {
    method: string;
    path: string;
    headers: Record<string, string>;
  }[];

describe("an active lead assignment rule", () => {
  it("runs on create and on update when the header is absent, and not on FALSE", async () => {
    const created = await conn.sobject("Lead").create(lead(1));
    expect(await ownerOf(created.id!)).toBe(repX);

    // An admin hands the Lead to Y without the rule (as the UI does).
    await conn.sobject("Lead").update({ Id: created.id!, OwnerId: repY }, NO_ASSIGN);
    expect(await ownerOf(created.id!)).toBe(repY);

    // Any later update without the header runs the rule again: the Lead goes back to X.
    await conn.sobject("Lead").update({ Id: created.id!, Title: "CTO" });
    expect(await ownerOf(created.id!)).toBe(repX);

    const none = await conn.sobject("Lead").create(lead(2), NO_ASSIGN);
    expect(await ownerOf(none.id!)).not.toBe(repX);
  });

  it("reads the header name and TRUE/FALSE in any case", async () => {
    const t = conn.accessToken!;
    const created = await call(sandbox.url, t, "POST", "/sobjects/Lead", lead(1), {
      "sforce-auto-assign": "false",
    });
    expect(created.status).toBe(201);
    expect(await ownerOf(created.body.id)).not.toBe(repX);
    const patched = await call(
      sandbox.url,
      t,
      "PATCH",
      `/sobjects/Lead/${created.body.id}`,
      { Title: "VP" },
      { "SFORCE-AUTO-ASSIGN": "True" },
    );
    expect(patched.status).toBe(204);
    expect(await ownerOf(created.body.id)).toBe(repX);
  });

  it("applies to upserts by external id, one record or a collection, created or updated", async () => {
    // One record: PATCH /sobjects/Lead/HubSpot_Contact_Id__c/hs-1.
    const single = await conn.sobject("Lead").upsert(lead(1), EXT);
    expect(await ownerOf(single.id!)).toBe(repX);
    await conn.sobject("Lead").update({ Id: single.id!, OwnerId: repY }, NO_ASSIGN);
    await conn.sobject("Lead").upsert(lead(1, { Title: "CTO" }), EXT, NO_ASSIGN);
    expect(await ownerOf(single.id!)).toBe(repY);

    // A collection: PATCH /composite/sobjects/Lead/HubSpot_Contact_Id__c.
    const first = await conn.sobject("Lead").upsert([lead(1), lead(2), lead(3)], EXT, NO_ASSIGN);
    expect(first.map((r) => r.success)).toEqual([true, true, true]);
    expect(await ownerByExt("hs-1")).toBe(repY);
    expect(await ownerByExt("hs-2")).not.toBe(repX);
    await conn.sobject("Lead").upsert([lead(2), lead(4)], EXT);
    expect(await ownerByExt("hs-2")).toBe(repX);
    expect(await ownerByExt("hs-4")).toBe(repX);
    expect(await ownerByExt("hs-1")).toBe(repY);
  });

  it("applies to sObject collection creates and updates", async () => {
    const created = await conn.sobject("Lead").create([lead(1), lead(2)]);
    const ids = created.map((r) => r.id!);
    expect(await Promise.all(ids.map(ownerOf))).toEqual([repX, repX]);
    await conn.sobject("Lead").update(
      ids.map((Id) => ({ Id, OwnerId: repY })),
      NO_ASSIGN,
    );
    expect(await Promise.all(ids.map(ownerOf))).toEqual([repY, repY]);
    await conn.sobject("Lead").update(ids.map((Id) => ({ Id, Title: "CTO" })));
    expect(await Promise.all(ids.map(ownerOf))).toEqual([repX, repX]);
  });

  it("leaves Leads alone when no rule is active, and the rule wins over an OwnerId sent", async () => {
    const given = await conn.sobject("Lead").create(lead(1, { OwnerId: repY }));
    expect(await ownerOf(given.id!)).toBe(repX);

    await control(sandbox.url, "DELETE", "/assignment-rule");
    const created = await conn.sobject("Lead").create(lead(2, { OwnerId: repY }));
    expect(await ownerOf(created.id!)).toBe(repY);
    await conn.sobject("Lead").update({ Id: created.id!, Title: "CTO" });
    expect(await ownerOf(created.id!)).toBe(repY);
  });
});

describe("a named AssignmentRule Id in the header", () => {
  beforeEach(async () => {
    await control(sandbox.url, "PUT", "/assignment-rule", {
      id: RULE_Y,
      ownerId: repY,
      active: false,
    });
  });

  it("runs that rule, active or not, on create (15 or 18 characters)", async () => {
    const state = await control(sandbox.url, "GET", "/assignment-rule");
    expect(state.active).toMatchObject({ id: RULE_X, ownerId: repX, active: true });
    expect(state.rules).toHaveLength(2);

    const by15 = await conn
      .sobject("Lead")
      .create(lead(1), { headers: { "Sforce-Auto-Assign": RULE_Y } });
    expect(await ownerOf(by15.id!)).toBe(repY);
    const by18 = await conn
      .sobject("Lead")
      .upsert([lead(2)], EXT, { headers: { "Sforce-Auto-Assign": RULE_X } });
    expect(await ownerOf(by18[0]!.id!)).toBe(repX);
  });

  it("does not run it on update (the REST guide names created records)", async () => {
    const created = await conn.sobject("Lead").create(lead(1), NO_ASSIGN);
    const before = await ownerOf(created.id!);
    await conn
      .sobject("Lead")
      .upsert([lead(1, { Title: "CTO" })], EXT, { headers: { "Sforce-Auto-Assign": RULE_Y } });
    expect(await ownerOf(created.id!)).toBe(before);
  });

  it("refuses the whole call for an id that names no rule, or a value that is not an id", async () => {
    const unknown = conn
      .sobject("Lead")
      .upsert([lead(1), lead(2)], EXT, { headers: { "Sforce-Auto-Assign": "01Q8d0000009999" } });
    await expect(unknown).rejects.toMatchObject({ errorCode: "INVALID_CROSS_REFERENCE_KEY" });
    const malformed = conn
      .sobject("Lead")
      .create(lead(3), { headers: { "Sforce-Auto-Assign": "yes" } });
    await expect(malformed).rejects.toMatchObject({ errorCode: "MALFORMED_ID" });
    expect((await conn.query("SELECT Id FROM Lead")).totalSize).toBe(0);
  });
});

describe("the control surface", () => {
  it("records what jsforce sent, the header on exactly the calls that carried it", async () => {
    await control(sandbox.url, "DELETE", "/requests");
    await conn.sobject("Lead").upsert([lead(1)], EXT, NO_ASSIGN);
    await conn.sobject("Lead").upsert([lead(2)], EXT);
    const upserts = (await requests()).filter((r) => r.path.includes("/composite/sobjects/Lead"));
    expect(upserts.map((r) => [r.method, r.headers["sforce-auto-assign"]])).toEqual([
      ["PATCH", "FALSE"],
      ["PATCH", undefined],
    ]);
    expect(upserts[0]!.path).toBe(`/services/data/v62.0/composite/sobjects/Lead/${EXT}`);
    expect(upserts[0]!.headers.authorization).toBeUndefined();
  });

  it("refuses a rule that is not an AssignmentRule id or names no user; reset removes rules", async () => {
    const put = (body: unknown) =>
      fetch(`${sandbox.url}/__sandbox/assignment-rule`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const badId = await put({ id: repX, ownerId: repX });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: string }).error).toMatch(/AssignmentRule/);
    const badOwner = await put({ id: RULE_Y, ownerId: "005000000000000" });
    expect(badOwner.status).toBe(400);
    expect(((await badOwner.json()) as { error: string }).error).toMatch(/ownerId/);

    await control(sandbox.url, "POST", "/reset");
    expect(await control(sandbox.url, "GET", "/assignment-rule")).toEqual({
      active: null,
      rules: [],
    });
  });
});
