import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../shared/env";
import { connectSalesforce } from "../../shared/salesforce/client";
import { encodedBytes } from "../../shared/salesforce/soql-in";
import {
  ContactLookup,
  contactQueries,
  findExistingContacts,
  QUERY_URI_MAX,
} from "../../workers/handoff/existing-contacts";
import { classifyCallError } from "../../workers/handoff/salesforce-upsert";
import { leadFacts } from "../../workers/telemetry/lead-facts";
import { admin } from "./admin-client";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  createSalesforceLead,
  hubspotCounts,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  salesforceUrl,
  setHubSpotFaults,
  setSalesforceFaults,
  updateContact,
} from "./sandboxes";

// Issue 14: a person who is already a Salesforce Contact gets no duplicate Lead. Through the
// Worker's queue handler, jsforce and the sandbox org; one Contact query per batch.

let run = 0;
const unique = () => `ec${Date.now().toString(36)}${++run}`;
const QUERY_PATH = /^\/services\/data\/v[\d.]+\/query$/;

async function sandbox<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${salesforceUrl()}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A REST call as a Salesforce admin would make it, with its own session. */
async function rest(method: string, path: string, body?: unknown): Promise<Response> {
  const auth = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  });
  const token = (await auth.json()) as { access_token: string };
  return fetch(`${salesforceUrl()}/services/data/v62.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function createRecord(type: string, fields: Record<string, unknown>): Promise<string> {
  const res = await rest("POST", `/sobjects/${type}`, fields);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A customer already in Salesforce: an Account and a Contact with this email. */
async function salesforceCustomer(email: string) {
  const accountId = await createRecord("Account", { Name: `Customer ${unique()}` });
  const contactId = await createRecord("Contact", {
    LastName: "Customer",
    Email: email,
    AccountId: accountId,
  });
  return { accountId, contactId };
}

const clearRequests = () => sandbox("DELETE", "/__sandbox/requests");
async function queryCount(): Promise<number> {
  const { requests } = await sandbox<{ requests: { method: string; path: string }[] }>(
    "GET",
    "/__sandbox/requests",
  );
  return requests.filter((r) => r.method === "GET" && QUERY_PATH.test(r.path)).length;
}

const leadsOf = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

async function audit(contactId: string) {
  const { results } = await env.DB.prepare(
    "SELECT step, detail FROM audit WHERE contact_id = ? ORDER BY id",
  )
    .bind(contactId)
    .all<{ step: string; detail: string }>();
  return results.map((r) => ({ step: r.step, detail: JSON.parse(r.detail) }));
}

async function expectExistingContact(id: string, contactId: string, accountId: string) {
  const contact = await rawContact(id);
  expect(contact.properties.leadbridge_status).toBe("existing_contact");
  expect(contact.properties.leadbridge_salesforce_contact_id).toBe(contactId);
  expect(contact.properties.leadbridge_rejection_reasons ?? "").toBe("");
  expect(contact.properties.leadbridge_salesforce_lead_id ?? "").toBe("");
  expect(contact.notes).toHaveLength(0);
  expect(await leadsOf(id)).toEqual([]);
  expect(await leadRow(id)).toMatchObject({
    status: "existing_contact",
    salesforce_contact_id: contactId,
    salesforce_lead_id: null,
    handed_off_at: null,
    reasons: "[]",
  });
  const trail = await audit(id);
  const verdict = trail.filter((e) => e.step === "existing_contact");
  expect(verdict.at(-1)!.detail).toMatchObject({
    salesforceContactId: contactId,
    salesforceAccountId: accountId,
    reasons: [],
  });
  expect(trail.map((e) => e.step)).not.toContain("refused");
  expect(trail.map((e) => e.step)).not.toContain("pushed");
  expect(JSON.stringify(trail)).not.toContain("@");
}

async function expectHandedOff(id: string) {
  const [lead] = await leadsOf(id);
  expect(lead).toBeDefined();
  const contact = await rawContact(id);
  expect(contact.properties.leadbridge_status).toBe("handed_off");
  expect(contact.properties.leadbridge_salesforce_lead_id).toBe(lead!.Id);
  expect(contact.properties.leadbridge_rejection_reasons ?? "").toBe("");
  expect(await leadRow(id)).toMatchObject({
    status: "handed_off",
    salesforce_lead_id: lead!.Id,
    salesforce_contact_id: null,
  });
  return lead!;
}

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
  await clearRequests();
});

describe("SALESFORCE_EXISTING_CONTACTS=skip_lead (the default)", () => {
  it("defaults to skip_lead", () => {
    expect(loadConfig(env).SALESFORCE_EXISTING_CONTACTS).toBe("skip_lead");
  });

  it("makes Leads only for the new people of a mixed batch, with one Contact query", async () => {
    const company = await createCompany({ name: "Acme Robotics" });
    const n = unique();
    const fresh = await Promise.all(
      [1, 2].map((i) => createContact(qualifyingContact(`${n}new${i}`), company)),
    );
    // One customer's Contact differs from HubSpot's email in case only, one the other way round.
    const upper = await salesforceCustomer(`DEV${n}UP@ACME-ROBOTICS.COM`);
    const same = await salesforceCustomer(`dev${n}same@acme-robotics.com`);
    const customers = [
      await createContact(qualifyingContact(`${n}up`), company),
      await createContact(
        qualifyingContact(`${n}same`, { email: `Dev${n}Same@Acme-Robotics.com` }),
        company,
      ),
    ];

    await clearRequests();
    const result = await deliver([...fresh, ...customers].map((id) => leadEvent(id)));
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await queryCount()).toBe(1);

    for (const id of fresh) await expectHandedOff(id);
    await expectExistingContact(customers[0]!, upper.contactId, upper.accountId);
    await expectExistingContact(customers[1]!, same.contactId, same.accountId);
    expect(await auditSteps(customers[0]!)).toEqual([
      "received",
      "enriched",
      "existing_contact",
      "feedback_written",
    ]);
    const view = await admin("GET", `/admin/leads/${customers[0]}`);
    expect(view.body.lead).toMatchObject({
      status: "existing_contact",
      salesforceContactId: upper.contactId,
      salesforceLeadId: null,
    });
    const listed = await admin("GET", "/admin/leads?status=existing_contact&limit=200");
    expect(listed.status).toBe(200);
    const listedIds = (listed.body.leads as { contactId: string }[]).map((l) => l.contactId);
    expect(listedIds).toEqual(expect.arrayContaining(customers));
    expect(listedIds).not.toContain(fresh[0]);
    const health = await admin("GET", "/admin/sync-health?hours=1");
    expect(health.body.outcomes.existingContacts).toBeGreaterThanOrEqual(2);
  });

  it("asks no Contact query for contacts that already have their Lead", async () => {
    const id = await createContact(qualifyingContact(unique()), await createCompany({ name: "A" }));
    await deliver([leadEvent(id)]);
    const lead = await expectHandedOff(id);

    await updateContact(id, { hubspotscore: "88" });
    await clearRequests();
    await deliver([leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" })]);
    expect(await queryCount()).toBe(0);
    expect((await leadsOf(id)).map((l) => [l.Id, l.Engagement_Score__c])).toEqual([[lead.Id, 88]]);
  });

  it("matches the contact again on its next change, and makes its Lead once the Contact is gone", async () => {
    const n = unique();
    const customer = await salesforceCustomer(`dev${n}@acme-robotics.com`);
    const id = await createContact(qualifyingContact(n), await createCompany({ name: "B" }));
    await deliver([leadEvent(id)]);
    await expectExistingContact(id, customer.contactId, customer.accountId);

    // A change while the Contact is there: matched again, one query, still no Lead, and no
    // HubSpot write since HubSpot already shows it.
    await updateContact(id, { hubspotscore: "81" });
    await clearRequests();
    const writes = async () =>
      (await hubspotCounts()).byEndpoint["POST /crm/v3/objects/contacts/batch/update"] ?? 0;
    const writesBefore = await writes();
    await deliver([leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" })]);
    expect(await queryCount()).toBe(1);
    expect(await writes()).toBe(writesBefore);
    await expectExistingContact(id, customer.contactId, customer.accountId);

    // Sales deletes the Contact; the next change hands the person off like anyone else.
    expect((await rest("DELETE", `/sobjects/Contact/${customer.contactId}`)).status).toBe(204);
    await updateContact(id, { hubspotscore: "84" });
    const result = await deliver([
      leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" }),
    ]);
    expect(result.explicitAcks).toEqual(result.ids);
    const lead = await expectHandedOff(id);
    expect(lead.Engagement_Score__c).toBe(84);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_salesforce_contact_id ?? "").toBe("");
    expect(contact.notes).toHaveLength(0);
    expect((await auditSteps(id)).slice(-3)).toEqual(["pushed", "qualified", "feedback_written"]);
  });

  it("stops naming the Contact once the contact is refused by the rules", async () => {
    const n = unique();
    const customer = await salesforceCustomer(`dev${n}@acme-robotics.com`);
    const id = await createContact(qualifyingContact(n), await createCompany({ name: "F" }));
    await deliver([leadEvent(id)]);
    await expectExistingContact(id, customer.contactId, customer.accountId);

    await updateContact(id, { email: `dev${n}@gmail.com` });
    await deliver([leadEvent(id, "contact.propertyChange", { propertyName: "email" })]);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_status).toBe("rejected");
    expect(contact.properties.leadbridge_salesforce_contact_id ?? "").toBe("");
    expect(await leadRow(id)).toMatchObject({ status: "rejected", salesforce_contact_id: null });
  });

  it("holds the new contacts when the Contact query fails, and pushes the updates", async () => {
    const company = await createCompany({ name: "C" });
    const known = await createContact(qualifyingContact(unique()), company);
    await deliver([leadEvent(known)]);
    await updateContact(known, { hubspotscore: "90" });
    const fresh = await createContact(qualifyingContact(unique()), company);

    // The daily limit answers the query (jsforce retries a 5xx on a GET by itself).
    await setSalesforceFaults([{ kind: "request_limit", path: "/query", times: 1 }]);
    const result = await deliver([
      leadEvent(known, "contact.propertyChange", { propertyName: "hubspotscore" }),
      leadEvent(fresh),
    ]);
    // Held work is acked and sent again as a fresh message: nothing retried, nothing dropped.
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.explicitRetries).toEqual([]);
    expect((await leadsOf(known))[0]).toMatchObject({ Engagement_Score__c: 90 });
    expect(await leadsOf(fresh)).toEqual([]);
    expect(await auditSteps(fresh)).toContain("held");
    expect(await auditSteps(fresh)).not.toContain("pushed");

    // Sent again, it finds no Contact and gets its Lead.
    await deliver([leadEvent(fresh)]);
    await expectHandedOff(fresh);
  });
});

describe("the Contact lookup, started while HubSpot is still being read", () => {
  it("is asked as soon as the contacts are read, before their companies are", async () => {
    const n = unique();
    const customer = await salesforceCustomer(`dev${n}@acme-robotics.com`);
    const id = await createContact(qualifyingContact(n), await createCompany({ name: "G" }));
    // The company read fails: the batch cannot judge, yet the Contact query already went out,
    // beside it (in a row, it would wait for the judgement and never be asked).
    await setHubSpotFaults([
      { kind: "status", status: 503, path: "/objects/companies/batch/read" },
    ]);
    const failed = await deliver([leadEvent(id)]);
    expect(failed.explicitRetries.map((r) => r.msgId)).toEqual(failed.ids);
    expect(await queryCount()).toBe(1);
    expect(await auditSteps(id)).not.toContain("existing_contact");

    await setHubSpotFaults([]);
    await clearRequests();
    await deliver([leadEvent(id)]);
    expect(await queryCount()).toBe(1);
    await expectExistingContact(id, customer.contactId, customer.accountId);
  });

  it("is not asked while Leadbridge is over its Salesforce budget", async () => {
    const id = await createContact(qualifyingContact(unique()), await createCompany({ name: "H" }));
    await env.KV.put(
      "salesforce:usage",
      JSON.stringify({ used: 99_000, max: 100_000, at: Date.now() }),
    );
    await deliver([leadEvent(id)]);
    const { requests } = await sandbox<{ requests: unknown[] }>("GET", "/__sandbox/requests");
    expect(requests).toEqual([]);
    expect(await auditSteps(id)).toContain("held");
  });

  it("queries only the emails not asked yet, and answers only those asked for", async () => {
    const n = unique();
    const a = await salesforceCustomer(`a${n}@customer-company.example`);
    const b = await salesforceCustomer(`b${n}@customer-company.example`);
    const lookup = new ContactLookup(() => connectSalesforce(loadConfig(env), env.KV));
    await clearRequests();
    lookup.start([`A${n}@Customer-Company.example`, `nobody${n}@customer-company.example`]);
    const found = await lookup.find([
      ` a${n}@customer-company.example`,
      `b${n}@customer-company.example`,
    ]);
    expect(await queryCount()).toBe(2);
    expect([...found].sort()).toEqual([
      [`a${n}@customer-company.example`, { contactId: a.contactId, accountId: a.accountId }],
      [`b${n}@customer-company.example`, { contactId: b.contactId, accountId: b.accountId }],
    ]);
    // Asked again: answered from the lookups already made.
    await lookup.find([`nobody${n}@customer-company.example`, `b${n}@customer-company.example`]);
    expect(await queryCount()).toBe(2);
  });

  it("reports a failed lookup to whoever needs its answer", async () => {
    const lookup = new ContactLookup(() => connectSalesforce(loadConfig(env), env.KV));
    const email = `failed${unique()}@customer-company.example`;
    await setSalesforceFaults([{ kind: "request_limit", path: "/query", times: 1 }]);
    lookup.start([email]);
    await expect(lookup.find([])).resolves.toEqual(new Map());
    const error = await lookup.find([email]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(classifyCallError(error).kind).toBe("salesforce_limit");
  });
});

describe("SALESFORCE_EXISTING_CONTACTS=create_lead", () => {
  it("makes a Lead for everyone, customers too, without a Contact query", async () => {
    const n = unique();
    const customer = await salesforceCustomer(`dev${n}@acme-robotics.com`);
    const company = await createCompany({ name: "D" });
    const ids = [
      await createContact(qualifyingContact(n), company),
      await createContact(qualifyingContact(`${n}b`), company),
    ];
    const bindings = { ...env, SALESFORCE_EXISTING_CONTACTS: "create_lead" } as Env;
    const result = await deliver(
      ids.map((id) => leadEvent(id)),
      1,
      bindings,
    );
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await queryCount()).toBe(0);
    for (const id of ids) await expectHandedOff(id);
    // The customer's Contact is untouched, and still there.
    expect((await rest("GET", `/sobjects/Contact/${customer.contactId}`)).status).toBe(200);
  });
});

describe("a converted Lead Leadbridge did not know, whose conversion cannot be read", () => {
  it.each([
    // skip_lead: the Contact query comes first, so the fault takes the second query.
    ["skip_lead", { every: 2, times: 1 }],
    ["create_lead", { times: 1 }],
  ] as const)("stays handed off, conversion recorded, with %s", async (mode, hit) => {
    const n = unique();
    const id = await createContact(qualifyingContact(n), await createCompany({ name: "E" }));
    // Sales made and converted this contact's Lead (into a Contact with another email) before
    // Leadbridge ever saw it.
    await createSalesforceLead({
      LastName: `Developer${n}`,
      Company: "Acme Robotics",
      Email: `dev${n}@acme-robotics.com`,
      HubSpot_Contact_Id__c: id,
    });
    const [lead] = await leadsOf(id);
    const other = await salesforceCustomer(`someone${n}@elsewhere.example`);
    await sandbox("POST", `/__sandbox/leads/${lead!.Id}/convert`, { contactId: other.contactId });

    // The daily limit answers the conversion read (jsforce retries a 5xx on a GET by itself).
    await setSalesforceFaults([{ kind: "request_limit", path: "/query", ...hit }]);
    const bindings = { ...env, SALESFORCE_EXISTING_CONTACTS: mode } as Env;
    const result = await deliver([leadEvent(id)], 1, bindings);
    expect(result.explicitAcks).toEqual(result.ids);
    const faults = await sandbox<{ rules: { hits: number }[] }>("GET", "/__sandbox/faults");
    expect(faults.rules.map((f) => f.hits)).toEqual([1]);

    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_status).toBe("handed_off");
    expect(contact.properties.leadbridge_rejection_reasons ?? "").toBe("");
    expect(contact.notes).toHaveLength(0);
    const row = await leadRow(id);
    expect(row).toMatchObject({ status: "handed_off", reasons: "[]", salesforce_lead_id: null });
    expect(row!.converted_at).toEqual(expect.any(Number));
    const trail = await audit(id);
    expect(trail.map((e) => e.step)).not.toContain("refused");
    expect(trail.map((e) => e.step)).not.toContain("salesforce_refused");
    expect(trail.find((e) => e.step === "lead_converted")!.detail).toMatchObject({
      learntFrom: "upsert",
      salesforceId: null,
      convertedContactId: null,
    });
    expect((await leadsOf(id)).map((l) => l.Id)).toEqual([lead!.Id]);

    // Converted: the next change writes nothing to Salesforce, and refuses nothing.
    await clearRequests();
    await updateContact(id, { hubspotscore: "92" });
    await deliver([leadEvent(id, "contact.propertyChange")], 1, bindings);
    const { requests } = await sandbox<{ requests: unknown[] }>("GET", "/__sandbox/requests");
    expect(requests).toEqual([]);
    expect(await leadRow(id)).toMatchObject({ status: "handed_off" });
  });
});

describe("contactQueries", () => {
  const emails = (count: number, prefix = "someone") =>
    Array.from({ length: count }, (_, i) => `${prefix}.${i}@customer-company.example`);

  it("asks a batch of a few hundred emails in one statement", () => {
    const statements = contactQueries(emails(250));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT Id, Email, AccountId FROM Contact WHERE Email IN \('/);
  });

  it("splits 1,000 emails only as far as the URI limit needs, losing none", () => {
    const all = emails(1000);
    const statements = contactQueries(all);
    expect(statements.length).toBeGreaterThan(1);
    expect(statements.length).toBeLessThanOrEqual(4);
    for (const soql of statements)
      expect("/services/data/v62.0/query?q=".length + encodedBytes(soql)).toBeLessThanOrEqual(
        QUERY_URI_MAX,
      );
    const asked = statements.flatMap((s) => [...s.matchAll(/'([^']+)'/g)].map((m) => m[1]));
    expect(asked.sort()).toEqual([...all].sort());
  });

  it("lower-cases, deduplicates and escapes quotes and backslashes", () => {
    expect(
      contactQueries(["O'Brien@X.example", "o'brien@x.example", "a\\b@x.example", " "]),
    ).toEqual([
      "SELECT Id, Email, AccountId FROM Contact WHERE Email IN ('o\\'brien@x.example', 'a\\\\b@x.example')",
    ]);
    expect(contactQueries([])).toEqual([]);
  });

  it("every statement of a 1,000-email pass is accepted by the org, and matches found", async () => {
    const n = unique();
    const customer = await salesforceCustomer(`Found${n}@Customer-Company.example`);
    const conn = await connectSalesforce(loadConfig(env), env.KV);
    const pass = [...emails(999, `x${n}`), `found${n}@customer-company.example`];
    await clearRequests();
    const found = await findExistingContacts(conn, pass);
    expect([...found]).toEqual([
      [
        `found${n}@customer-company.example`,
        { contactId: customer.contactId, accountId: customer.accountId },
      ],
    ]);
    expect(await queryCount()).toBe(contactQueries(pass).length);
  });
});

describe("the nightly lead facts", () => {
  it("count an existing customer apart: neither handed off nor refused", () => {
    const verdict = (contact_id: string, step: "qualified" | "existing_contact" | "refused") => ({
      contact_id,
      step,
      detail: JSON.stringify({ reasons: step === "refused" ? ["missing_company"] : [] }),
    });
    const rows = leadFacts({
      day: "2026-12-01",
      webhookEvents: 3,
      judgements: [
        verdict("1", "qualified"),
        verdict("2", "existing_contact"),
        verdict("3", "refused"),
        // Judged twice that day: its last verdict counts.
        verdict("1", "existing_contact"),
      ],
      sourceOf: new Map(),
      handoffs: [],
      newLeadSources: [],
    });
    const value = (metric: string) =>
      rows.filter((r) => r.metric === metric).reduce((sum, r) => sum + r.value, 0);
    expect(value("lead.judged")).toBe(3);
    expect(value("lead.existing_contact")).toBe(2);
    expect(value("lead.qualified")).toBe(0);
    expect(value("lead.rejected")).toBe(1);
    expect(rows.filter((r) => r.metric === "lead.reason").map((r) => r.dim)).toEqual([
      "missing_company",
    ]);
  });
});
