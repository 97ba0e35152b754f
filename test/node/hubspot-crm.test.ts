import { Client } from "@hubspot/api-client";
import type {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
} from "@hubspot/api-client/lib/codegen/crm/contacts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

const TOKEN = "sandbox-hubspot-token";
// The SDK's enums live in CommonJS directories ESM cannot import; their values are these strings.
const HUBSPOT_DEFINED = "HUBSPOT_DEFINED" as AssociationSpecAssociationCategoryEnum;
const op = (operator: string) => operator as FilterOperatorEnum;
let sandbox: HubSpotSandbox;
let hubspot: Client;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  hubspot = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});
afterAll(() => sandbox.close());

const toCompany = (id: string) => ({
  to: { id },
  types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 279 }],
});

async function apiError(call: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await call;
  } catch (e) {
    const err = e as { code: number; body: unknown };
    return { code: err.code, body: typeof err.body === "string" ? JSON.parse(err.body) : err.body };
  }
  throw new Error("expected the call to fail");
}

describe("contacts and companies through @hubspot/api-client", () => {
  let companyId: string;
  let contactId: string;

  it("creates a company and a contact associated to it", async () => {
    const company = await hubspot.crm.companies.basicApi.create({
      properties: { name: "Acme Robotics", domain: "acme-robotics.com", numberofemployees: "120" },
      associations: [],
    });
    companyId = company.id;
    expect(company.id).toMatch(/^\d+$/);
    expect(company.properties).toMatchObject({
      name: "Acme Robotics",
      domain: "acme-robotics.com",
      hs_object_id: company.id,
    });

    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: {
        email: "dana@acme-robotics.com",
        firstname: "Dana",
        jobtitle: "Senior Software Engineer",
        hubspotscore: "75",
      },
      associations: [toCompany(companyId)],
    });
    contactId = contact.id;
    expect(Number(contact.id)).toBeGreaterThan(Number(company.id));
    expect(contact.properties.email).toBe("dana@acme-robotics.com");
    expect(contact.createdAt).toBeInstanceOf(Date);
    expect(contact.archived).toBe(false);
  });

  it("gets a contact with chosen properties, history and associations", async () => {
    const got = await hubspot.crm.contacts.basicApi.getById(
      contactId,
      ["email", "jobtitle", "phone", "no_such_prop"],
      ["jobtitle"],
      ["companies"],
    );
    expect(got.properties).toMatchObject({
      email: "dana@acme-robotics.com",
      jobtitle: "Senior Software Engineer",
      phone: null,
    });
    expect(got.properties).not.toHaveProperty("no_such_prop");
    expect(got.properties.hs_object_id).toBe(contactId);
    expect(got.propertiesWithHistory?.jobtitle?.[0]?.value).toBe("Senior Software Engineer");
    expect(got.associations?.companies?.results).toEqual([
      { id: companyId, type: "contact_to_company_unlabeled" },
    ]);

    const defaults = await hubspot.crm.contacts.basicApi.getById(contactId);
    expect(Object.keys(defaults.properties).sort()).toEqual([
      "createdate",
      "email",
      "firstname",
      "hs_object_id",
      "lastmodifieddate",
      "lastname",
    ]);
    expect(defaults.properties.lastname).toBeNull();
  });

  it("answers 404 OBJECT_NOT_FOUND for an unknown id", async () => {
    const err = await apiError(hubspot.crm.contacts.basicApi.getById("999999"));
    expect(err.code).toBe(404);
    expect(err.body).toMatchObject({ status: "error", category: "OBJECT_NOT_FOUND" });
  });

  it("updates a contact and refuses an unknown property like HubSpot", async () => {
    const updated = await hubspot.crm.contacts.basicApi.update(contactId, {
      properties: { lastname: "Developer", leadbridge_status: "handed_off" },
    });
    expect(updated.properties).toMatchObject({
      lastname: "Developer",
      leadbridge_status: "handed_off",
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(updated.createdAt.getTime());

    const err = await apiError(
      hubspot.crm.contacts.basicApi.update(contactId, { properties: { favourite_colour: "teal" } }),
    );
    expect(err.code).toBe(400);
    expect(err.body.category).toBe("VALIDATION_ERROR");
    expect(err.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const problems = JSON.parse(err.body.message.replace(/^Property values were not valid: /, ""));
    expect(problems).toEqual([
      expect.objectContaining({
        isValid: false,
        error: "PROPERTY_DOESNT_EXIST",
        name: "favourite_colour",
        message: 'Property "favourite_colour" does not exist',
      }),
    ]);
  });

  it("refuses an enumeration value outside its options and a string over 65,536 characters", async () => {
    const stage = await apiError(
      hubspot.crm.contacts.basicApi.update(contactId, {
        properties: { leadbridge_sales_stage: "won" },
      }),
    );
    expect(stage.code).toBe(400);
    expect(stage.body.category).toBe("VALIDATION_ERROR");
    expect(stage.body.message).toContain('"error":"INVALID_OPTION"');
    expect(stage.body.message).toContain('"name":"leadbridge_sales_stage"');
    const long = await apiError(
      hubspot.crm.contacts.basicApi.update(contactId, {
        properties: { leadbridge_sales_feedback: "x".repeat(65_537) },
      }),
    );
    expect(long.code).toBe(400);
    expect(long.body.message).toContain('"error":"INVALID_STRING_LENGTH"');
    const fine = await hubspot.crm.contacts.basicApi.update(contactId, {
      properties: {
        leadbridge_sales_stage: "ClosedWon",
        leadbridge_sales_feedback: "x".repeat(65_536),
      },
    });
    expect(fine.properties.leadbridge_sales_stage).toBe("ClosedWon");
  });

  it("refuses a second contact with the same email with 409 CONFLICT", async () => {
    const err = await apiError(
      hubspot.crm.contacts.basicApi.create({
        properties: { email: "DANA@acme-robotics.com" },
        associations: [],
      }),
    );
    expect(err.code).toBe(409);
    expect(err.body).toMatchObject({
      category: "CONFLICT",
      message: `Contact already exists. Existing ID: ${contactId}`,
    });
  });

  it("frees an email when its contact changes address or is deleted, and refuses an update onto a taken one", async () => {
    const first = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "moves@example.org" },
      associations: [],
    });
    const other = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "stays@example.org" },
      associations: [],
    });
    const taken = await apiError(
      hubspot.crm.contacts.basicApi.update(first.id, {
        properties: { email: "Stays@Example.org" },
      }),
    );
    expect(taken.code).toBe(409);
    expect(taken.body.message).toBe(`Contact already exists. Existing ID: ${other.id}`);
    // Its own address again is no conflict.
    await hubspot.crm.contacts.basicApi.update(first.id, {
      properties: { email: "MOVES@example.org" },
    });

    await hubspot.crm.contacts.basicApi.update(first.id, {
      properties: { email: "moved@example.org" },
    });
    const reuse = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "moves@example.org" },
      associations: [],
    });
    expect(reuse.id).not.toBe(first.id);
    await hubspot.crm.contacts.basicApi.archive(other.id);
    const afterDelete = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "stays@example.org" },
      associations: [],
    });
    expect(afterDelete.id).not.toBe(other.id);
    for (const id of [first.id, reuse.id, afterDelete.id])
      await hubspot.crm.contacts.basicApi.archive(id);
  });

  it("batch-reads contacts, 207 with OBJECT_NOT_FOUND for missing ids", async () => {
    const ok = await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: contactId }],
      properties: ["email"],
      propertiesWithHistory: [],
    });
    expect(ok.status).toBe("COMPLETE");
    expect(ok.results.map((r) => r.properties.email)).toEqual(["dana@acme-robotics.com"]);

    const partial = await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: contactId }, { id: "424242" }],
      properties: ["email"],
      propertiesWithHistory: [],
    });
    expect(partial.results).toHaveLength(1);
    expect("numErrors" in partial && partial.numErrors).toBe(1);
    expect("errors" in partial && partial.errors?.[0]).toMatchObject({
      category: "OBJECT_NOT_FOUND",
      context: { ids: ["424242"] },
    });
  });

  it("reads by idProperty: contacts by email and companies by domain, case-insensitively", async () => {
    const one = await hubspot.crm.contacts.basicApi.getById(
      "DANA@Acme-Robotics.com",
      ["email"],
      undefined,
      undefined,
      undefined,
      "email",
    );
    expect(one.id).toBe(contactId);
    const company = await hubspot.crm.companies.basicApi.getById(
      "ACME-robotics.com",
      ["domain"],
      undefined,
      undefined,
      undefined,
      "domain",
    );
    expect(company.id).toBe(companyId);
    const page = await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: "dana@acme-robotics.com" }, { id: "nobody@example.org" }],
      idProperty: "email",
      properties: ["email"],
      propertiesWithHistory: [],
    });
    expect(page.results.map((r) => r.id)).toEqual([contactId]);
    expect("errors" in page && page.errors?.[0]).toMatchObject({
      category: "OBJECT_NOT_FOUND",
      context: { ids: ["nobody@example.org"] },
    });
    expect(
      (
        await apiError(
          hubspot.crm.contacts.basicApi.getById(
            "nobody@example.org",
            undefined,
            undefined,
            undefined,
            undefined,
            "email",
          ),
        )
      ).code,
    ).toBe(404);
  });

  it("refuses batch read of more than 100 inputs with 400 VALIDATION_ERROR", async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
    const err = await apiError(
      hubspot.crm.contacts.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }),
    );
    expect(err.code).toBe(400);
    expect(err.body.category).toBe("VALIDATION_ERROR");
  });

  it("batch-reads companies", async () => {
    const page = await hubspot.crm.companies.batchApi.read({
      inputs: [{ id: companyId }],
      properties: ["name", "numberofemployees"],
      propertiesWithHistory: [],
    });
    expect(page.results[0]?.properties).toMatchObject({
      name: "Acme Robotics",
      numberofemployees: "120",
    });
  });

  it("batch-updates contacts, refusing more than 100", async () => {
    const other = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "sam@acme-robotics.com" },
      associations: [],
    });
    const res = await hubspot.crm.contacts.batchApi.update({
      inputs: [
        { id: contactId, properties: { leadbridge_status: "existing_contact" } },
        {
          id: other.id,
          properties: { leadbridge_status: "rejected", leadbridge_rejection_reasons: "free_email" },
        },
      ],
    });
    expect(res.results.map((r) => r.properties.leadbridge_status).sort()).toEqual([
      "existing_contact",
      "rejected",
    ]);
    const inputs = Array.from({ length: 101 }, () => ({
      id: contactId,
      properties: { leadbridge_status: "rejected" },
    }));
    expect((await apiError(hubspot.crm.contacts.batchApi.update({ inputs }))).code).toBe(400);
  });

  it("searches with filters, sorts and after paging", async () => {
    await hubspot.crm.contacts.batchApi.create({
      inputs: Array.from({ length: 7 }, (_, i) => ({
        properties: {
          email: `lead${i}@search.example`,
          hubspotscore: String(50 + i * 5),
          jobtitle: i % 2 ? "Developer" : "Designer",
        },
        associations: [],
      })),
    });
    const filterGroups = [
      {
        filters: [
          { propertyName: "email", operator: op("CONTAINS_TOKEN"), value: "*@search.example" },
          { propertyName: "hubspotscore", operator: op("GTE"), value: "60" },
        ],
      },
    ];
    const request = {
      filterGroups,
      sorts: [{ propertyName: "hubspotscore", direction: "DESCENDING" }] as unknown as string[],
      properties: ["email", "hubspotscore"],
      limit: 2,
      after: "0",
    };
    const seen: string[] = [];
    let page = await hubspot.crm.contacts.searchApi.doSearch(request);
    expect(page.total).toBe(5);
    for (;;) {
      seen.push(...page.results.map((r) => r.properties.hubspotscore ?? ""));
      const after = page.paging?.next?.after;
      if (!after) break;
      page = await hubspot.crm.contacts.searchApi.doSearch({ ...request, after });
    }
    expect(seen).toEqual(["80", "75", "70", "65", "60"]);

    const since = String(Date.now() - 60_000);
    const recent = await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: "lastmodifieddate", operator: op("GTE"), value: since },
            { propertyName: "jobtitle", operator: op("IN"), values: ["developer"] },
          ],
        },
      ],
      sorts: [],
      properties: ["jobtitle"],
      limit: 200,
      after: "0",
    });
    expect(recent.total).toBe(3);
    const tooMany = await apiError(
      hubspot.crm.contacts.searchApi.doSearch({ ...request, limit: 201 }),
    );
    expect(tooMany.code).toBe(400);
  });

  it("reads contact-company associations through v4 batch read, and creates default ones", async () => {
    const second = await hubspot.crm.companies.basicApi.create({
      properties: { name: "Beta Labs", domain: "betalabs.io" },
      associations: [],
    });
    const created = await hubspot.crm.associations.v4.basicApi.createDefault(
      "contacts",
      contactId,
      "companies",
      second.id,
    );
    expect(created.results.map((r) => r.associationSpec.associationTypeId).sort()).toEqual([
      279, 280,
    ]);

    const res = await hubspot.crm.associations.v4.batchApi.getPage("contacts", "companies", {
      inputs: [{ id: contactId }, { id: "31337" }],
    });
    const row = res.results.find((r) => r._from.id === contactId);
    expect(row?.to.map((t) => String(t.toObjectId)).sort()).toEqual([companyId, second.id].sort());
    expect(row?.to[0]?.associationTypes).toEqual([
      { category: "HUBSPOT_DEFINED", typeId: 279, label: null },
    ]);
    expect("numErrors" in res && res.numErrors).toBe(1);

    const back = await hubspot.crm.associations.v4.basicApi.getPage(
      "companies",
      second.id,
      "contacts",
    );
    expect(back.results.map((r) => [String(r.toObjectId), r.associationTypes[0]?.typeId])).toEqual([
      [contactId, 280],
    ]);
    await hubspot.crm.associations.v4.basicApi.archive(
      "contacts",
      contactId,
      "companies",
      second.id,
    );
    expect(
      (await hubspot.crm.associations.v4.basicApi.getPage("companies", second.id, "contacts"))
        .results,
    ).toEqual([]);
  });

  it("creates a note associated to the contact and lists it from the contact", async () => {
    const note = await hubspot.crm.objects.notes.basicApi.create({
      properties: {
        hs_timestamp: String(Date.parse("2025-03-01T10:00:00Z")),
        hs_note_body: "Rejected: free webmail address",
      },
      associations: [
        {
          to: { id: contactId },
          types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 202 }],
        },
      ],
    });
    expect(note.properties).toMatchObject({
      hs_timestamp: "2025-03-01T10:00:00.000Z",
      hs_note_body: "Rejected: free webmail address",
    });
    const got = await hubspot.crm.objects.notes.basicApi.getById(note.id, ["hs_note_body"]);
    expect(got.properties.hs_note_body).toBe("Rejected: free webmail address");
    const listed = await hubspot.crm.associations.v4.basicApi.getPage(
      "contacts",
      contactId,
      "notes",
    );
    expect(
      listed.results.map((r) => [String(r.toObjectId), r.associationTypes[0]?.typeId]),
    ).toEqual([[note.id, 201]]);

    const raw = await (
      await fetch(`${sandbox.url}/__sandbox/objects/contacts/${contactId}`)
    ).json();
    expect(raw.notes).toEqual([expect.objectContaining({ id: note.id })]);

    const missing = await apiError(
      hubspot.crm.objects.notes.basicApi.create({
        properties: { hs_note_body: "no timestamp" },
        associations: [],
      }),
    );
    expect(missing.code).toBe(400);
    const tooLong = await apiError(
      hubspot.crm.objects.notes.basicApi.create({
        properties: { hs_timestamp: "1700000000000", hs_note_body: "x".repeat(65_537) },
        associations: [],
      }),
    );
    expect(tooLong.code).toBe(400);
  });

  it("merges two contacts, archiving the merged one", async () => {
    const a = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "merge-a@acme-robotics.com", firstname: "Ann" },
      associations: [],
    });
    const b = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "merge-b@acme-robotics.com", lastname: "Bee" },
      associations: [toCompany(companyId)],
    });
    const merged = await hubspot.crm.contacts.basicApi.merge({
      primaryObjectId: a.id,
      objectIdToMerge: b.id,
    });
    expect(merged.id).toBe(a.id);
    const got = await hubspot.crm.contacts.basicApi.getById(
      a.id,
      ["firstname", "lastname", "email"],
      undefined,
      ["companies"],
    );
    expect(got.properties).toMatchObject({
      firstname: "Ann",
      lastname: "Bee",
      email: "merge-a@acme-robotics.com",
    });
    expect(got.associations?.companies?.results[0]?.id).toBe(companyId);
  });

  it("archives a contact", async () => {
    const gone = await hubspot.crm.contacts.basicApi.create({
      properties: { email: "gone@acme-robotics.com" },
      associations: [],
    });
    await hubspot.crm.contacts.basicApi.archive(gone.id);
    expect((await apiError(hubspot.crm.contacts.basicApi.getById(gone.id))).code).toBe(404);
  });

  it("lists contacts with limit and after paging", async () => {
    const first = await hubspot.crm.contacts.basicApi.getPage(3);
    expect(first.results).toHaveLength(3);
    const next = await hubspot.crm.contacts.basicApi.getPage(3, first.paging?.next?.after);
    expect(Number(next.results[0]?.id)).toBeGreaterThan(Number(first.results[2]?.id));
  });
});

describe("authentication", () => {
  it("answers 401 INVALID_AUTHENTICATION without a token or with a wrong one", async () => {
    const none = await fetch(`${sandbox.url}/crm/v3/objects/contacts`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      status: "error",
      category: "INVALID_AUTHENTICATION",
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const wrong = new Client({
      accessToken: "not-the-token",
      basePath: sandbox.url,
      numberOfApiCallRetries: 0,
    });
    expect((await apiError(wrong.crm.contacts.basicApi.getPage())).code).toBe(401);
  });

  it("answers 403 MISSING_SCOPES, naming the scope, for a call the private app may not make", async () => {
    const faults = (method: string, body?: unknown) =>
      fetch(`${sandbox.url}/__sandbox/faults`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    await faults("PUT", [
      { kind: "missing_scopes", path: "/crm/v3/objects/contacts/batch/update" },
    ]);
    try {
      const refused = await apiError(hubspot.crm.contacts.batchApi.update({ inputs: [] }));
      expect(refused).toMatchObject({
        code: 403,
        body: {
          category: "MISSING_SCOPES",
          errors: [{ context: { requiredGranularScopes: ["crm.objects.contacts.write"] } }],
        },
      });
      // Other calls are not refused.
      expect((await hubspot.crm.contacts.basicApi.getPage(1)).results).toBeDefined();
    } finally {
      await faults("DELETE");
    }
  });
});

describe("seed and counts", () => {
  it("seeds demo companies and contacts with a mix of qualifying and not", async () => {
    const seeded = await (await fetch(`${sandbox.url}/__sandbox/seed`, { method: "POST" })).json();
    expect(seeded.companies.length).toBeGreaterThanOrEqual(8);
    expect(seeded.contacts.length).toBeGreaterThanOrEqual(25);
    const qualifying = seeded.contacts.filter((c: { qualifying: boolean }) => c.qualifying).length;
    expect(qualifying).toBeGreaterThan(5);
    expect(qualifying).toBeLessThan(seeded.contacts.length - 5);
  });

  it("counts requests per method and route pattern", async () => {
    await fetch(`${sandbox.url}/__sandbox/counts/reset`, { method: "POST" });
    await hubspot.crm.contacts.basicApi.getPage(1);
    await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: "1" }],
      properties: [],
      propertiesWithHistory: [],
    });
    const counts = await (await fetch(`${sandbox.url}/__sandbox/counts`)).json();
    expect(counts.byEndpoint).toEqual({
      "GET /crm/v3/objects/contacts": 1,
      "POST /crm/v3/objects/contacts/batch/read": 1,
    });
  });
});
