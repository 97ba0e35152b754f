import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { MappingVersionListSchema, MappingVersionSchema } from "../../shared/contracts/admin";
import { DEFAULT_MAPPING, type Mapping } from "../../shared/contracts/mapping";
import { currentMapping, saveMapping } from "../../shared/db/mappings";
import { admin } from "./admin-client";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  salesforceLeads,
  salesforceUrl,
  setHubSpotFaults,
  setSalesforceFaults,
  updateContact,
} from "./sandboxes";

// Issue 16: the field mapping as versioned data, through the admin API and the handoff, against
// the sandboxes.

let run = 0;
const unique = () => `mp${Date.now().toString(36)}${++run}`;

/** Version 1 plus a template into Description and a Rating sales may own (if_empty). */
const EXTENDED: Mapping = {
  fields: [
    ...DEFAULT_MAPPING.fields,
    {
      field: "Description",
      from: { template: "{contact.jobtitle} at {company.name} ({company.domain})" },
      transforms: [{ kind: "trim" }, { kind: "truncate", length: 200 }],
      policy: "always",
    },
    { field: "Rating", from: { constant: "Warm" }, transforms: [], policy: "if_empty" },
  ],
};

const leadOf = async (contactId: string) =>
  (await salesforceLeads()).find((l) => l.HubSpot_Contact_Id__c === contactId);

/** Sales edits a Lead in Salesforce (its REST API, as their own tools would). */
async function salesEdits(leadId: string, fields: Record<string, unknown>): Promise<void> {
  const tokenRes = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  });
  const token = (await tokenRes.json()) as { access_token: string; instance_url: string };
  const res = await fetch(`${token.instance_url}/services/data/v62.0/sobjects/Lead/${leadId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify(fields),
  });
  expect(res.status).toBe(204);
}

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("GET /admin/mapping", () => {
  it("serves version 1, the eleven fields Leadbridge always wrote, seeded on first use", async () => {
    const versions = await admin("GET", "/admin/mapping/versions");
    expect(versions.status).toBe(200);
    MappingVersionListSchema.parse(versions.body);
    const first = versions.body.versions.at(-1);
    expect(first).toMatchObject({ version: 1, mapping: DEFAULT_MAPPING, createdBy: "leadbridge" });
    const one = await admin("GET", "/admin/mapping?version=1");
    expect(one.status).toBe(200);
    MappingVersionSchema.parse(one.body);
    expect(one.body.mapping).toEqual(DEFAULT_MAPPING);
    expect((await admin("GET", "/admin/mapping?version=9999")).status).toBe(404);
    expect((await admin("GET", "/admin/mapping?version=x")).status).toBe(400);
  });
});

describe("PUT /admin/mapping", () => {
  it("refuses a document that does not fit the schema, naming the field, and saves nothing", async () => {
    const before = await admin("GET", "/admin/mapping/versions");
    const bad = await admin("PUT", "/admin/mapping", {
      mapping: {
        fields: [...DEFAULT_MAPPING.fields, { field: "Rating", from: { property: "country" } }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    expect(bad.body.error.message).toContain("body.mapping.fields[10].from");
    const twice = await admin("PUT", "/admin/mapping", {
      mapping: { fields: [...DEFAULT_MAPPING.fields, DEFAULT_MAPPING.fields[0]] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toContain("FirstName is mapped twice");
    const after = await admin("GET", "/admin/mapping/versions");
    expect(after.body.versions).toHaveLength(before.body.versions.length);
  });

  it("refuses a field Salesforce's Lead does not have, by name, and saves nothing", async () => {
    const before = await admin("GET", "/admin/mapping/versions");
    const res = await admin("PUT", "/admin/mapping", {
      mapping: {
        fields: [
          ...DEFAULT_MAPPING.fields,
          { field: "No_Such_Field__c", from: { property: "contact.phone" } },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation");
    expect(res.body.error.message).toContain("No_Such_Field__c");
    expect(res.body.error.fields).toContainEqual(
      expect.objectContaining({ index: 10, field: "No_Such_Field__c" }),
    );
    const after = await admin("GET", "/admin/mapping/versions");
    expect(after.body.versions).toHaveLength(before.body.versions.length);
  });

  it("saves a mapping Salesforce accepts as a new version; the old ones stay readable", async () => {
    const before = await admin("GET", "/admin/mapping");
    const put = await admin("PUT", "/admin/mapping", { mapping: EXTENDED, note: "describe it" });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      version: before.body.version + 1,
      mapping: EXTENDED,
      note: "describe it",
    });
    expect((await admin("GET", "/admin/mapping")).body.version).toBe(put.body.version);
    const old = await admin("GET", `/admin/mapping?version=${before.body.version}`);
    expect(old.body.mapping).toEqual(before.body.mapping);
    await saveMapping(env.DB, DEFAULT_MAPPING, "test", "back to version 1's fields");
  });
});

describe("the handoff under a mapping version", () => {
  it("builds the Lead with it, records the version and keeps sales' value of an if_empty field", async () => {
    const saved = await saveMapping(env.DB, EXTENDED, "test", "template and rating");
    const company = await createCompany({ name: "Acme Robotics", domain: "acme-robotics.com" });
    const id = await createContact(qualifyingContact(unique()), company);
    await deliver([leadEvent(id)]);

    const row = await leadRow(id);
    expect(row).toMatchObject({ status: "handed_off", mapping_version: saved.version });
    const view = await admin("GET", `/admin/leads/${id}`);
    expect(view.body.lead.mappingVersion).toBe(saved.version);
    const lead = await leadOf(id);
    // A new Lead gets every field, the if_empty ones too.
    expect(lead).toMatchObject({
      Description: "Senior Software Engineer at Acme Robotics (acme-robotics.com)",
      Rating: "Warm",
      Title: "Senior Software Engineer",
    });

    // Sales rates the Lead; the contact changes in HubSpot; the next push keeps sales' rating.
    await salesEdits(lead!.Id, { Rating: "Hot" });
    await updateContact(id, { jobtitle: "Principal Engineer" });
    await deliver([leadEvent(id, "contact.propertyChange")]);
    expect(await leadOf(id)).toMatchObject({
      Title: "Principal Engineer",
      Description: "Principal Engineer at Acme Robotics (acme-robotics.com)",
      Rating: "Hot",
    });

    // Emptied by sales, it is Leadbridge's to fill again.
    await salesEdits(lead!.Id, { Rating: null });
    await updateContact(id, { jobtitle: "Staff Engineer" });
    await deliver([leadEvent(id, "contact.propertyChange")]);
    expect(await leadOf(id)).toMatchObject({ Title: "Staff Engineer", Rating: "Warm" });
    await saveMapping(env.DB, DEFAULT_MAPPING, "test", "back to version 1's fields");
  });

  it("reads the properties the mapping names, beyond the handoff's own", async () => {
    await saveMapping(
      env.DB,
      {
        fields: [
          ...DEFAULT_MAPPING.fields,
          {
            field: "Phone",
            from: { property: "contact.phone" },
            transforms: [{ kind: "trim" }],
            policy: "always",
          },
        ],
      },
      "test",
    );
    const id = await createContact(
      qualifyingContact(unique(), { phone: " +33 1 23 45 67 89 " }),
      await createCompany({ name: "Acme Robotics" }),
    );
    await deliver([leadEvent(id)]);
    expect(await leadOf(id)).toMatchObject({ Phone: "+33 1 23 45 67 89" });
    expect((await currentMapping(env.DB)).mapping.fields.at(-1)!.field).toBe("Phone");
    await saveMapping(env.DB, DEFAULT_MAPPING, "test", "back to version 1's fields");
  });
});
