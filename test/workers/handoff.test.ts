import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { currentMapping } from "../../shared/db/mappings";
import { currentRules } from "../../shared/db/rules";
import { auditSteps, countingDb, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  associateCompany,
  createCompany,
  createContact,
  createContacts,
  createSalesforceLead,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
  updateContact,
} from "./sandboxes";

let run = 0;
const unique = () => `${Date.now().toString(36)}${++run}`;
const leadsFor = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("qualified path", () => {
  it("turns a qualifying contact into one Salesforce Lead and marks it handed off", async () => {
    const company = await createCompany({
      name: "Acme Robotics",
      industry: "COMPUTER_SOFTWARE",
      numberofemployees: "250",
    });
    const id = await createContact(qualifyingContact(unique()), company);
    const result = await deliver([leadEvent(id)]);
    expect(result.explicitAcks).toEqual(result.ids);

    const [lead, ...more] = await leadsFor(id);
    expect(more).toHaveLength(0);
    expect(lead).toMatchObject({
      Company: "Acme Robotics",
      Title: "Senior Software Engineer",
      Engagement_Score__c: 75,
      NumberOfEmployees: 250,
    });
    const contact = await rawContact(id);
    expect(contact.properties).toMatchObject({
      leadbridge_status: "handed_off",
      leadbridge_salesforce_lead_id: lead!.Id,
    });
    expect(contact.notes).toHaveLength(0);
    expect(await leadRow(id)).toMatchObject({
      status: "handed_off",
      salesforce_lead_id: lead!.Id,
      rules_version: 1,
    });
    expect(await auditSteps(id)).toEqual([
      "received",
      "enriched",
      "pushed",
      "qualified",
      "feedback_written",
    ]);
  });
});

describe("refusals", () => {
  it.each([
    [
      "free_email_domain",
      (n: string) => qualifyingContact(n, { email: `dev${n}@gmail.com` }),
      true,
    ],
    ["missing_company", (n: string) => qualifyingContact(n), false],
    [
      "engagement_below_threshold",
      (n: string) => qualifyingContact(n, { hubspotscore: "12" }),
      true,
    ],
    [
      "no_qualifying_signal",
      (n: string) =>
        qualifyingContact(n, {
          jobtitle: "Office Manager",
          hs_analytics_last_url: "https://acme.example/blog",
        }),
      true,
    ],
    ["missing_last_name", (n: string) => ({ ...qualifyingContact(n), lastname: "" }), true],
  ])("refuses %s with feedback and a note", async (code, props, withCompany) => {
    const company = withCompany ? await createCompany({ name: "Acme Robotics" }) : undefined;
    const id = await createContact(props(unique()), company);
    const result = await deliver([leadEvent(id)]);
    expect(result.explicitAcks).toEqual(result.ids);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_status).toBe("rejected");
    expect(contact.properties.leadbridge_rejection_reasons).toBe(code);
    expect(contact.notes).toHaveLength(1);
    expect(contact.notes[0]!.properties.hs_note_body).toContain(code);
    expect(await leadsFor(id)).toHaveLength(0);
    expect(await leadRow(id)).toMatchObject({
      status: "rejected",
      reasons: JSON.stringify([code]),
    });
  });

  it("judges a refused contact again once fixed, and hands it off", async () => {
    const n = unique();
    const id = await createContact(
      qualifyingContact(n, {
        email: `dev${n}@gmail.com`,
        recent_conversion_event_name: "Guide download",
        hs_analytics_first_url: `https://acme.example/guide?email=dev${n}%40gmail.com`,
      }),
    );
    await deliver([leadEvent(id)]);
    expect((await rawContact(id)).properties.leadbridge_rejection_reasons).toBe(
      "free_email_domain;missing_company",
    );

    // The same refusal again writes no second note.
    await deliver([leadEvent(id, "contact.propertyChange", { propertyName: "hubspotscore" })]);
    expect((await rawContact(id)).notes).toHaveLength(1);

    await updateContact(id, {
      email: `dev${n}@acme-robotics.com`,
      recent_conversion_event_name: "Pricing calculator",
    });
    await associateCompany(id, await createCompany({ name: "Acme Robotics" }));
    await deliver([
      leadEvent(id, "contact.propertyChange", { propertyName: "email" }),
      leadEvent(id, "contact.associationChange"),
    ]);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_status).toBe("handed_off");
    // HubSpot clears a property set to "".
    expect(contact.properties.leadbridge_rejection_reasons ?? "").toBe("");
    expect(await leadsFor(id)).toHaveLength(1);
    // What it first converted on stays for content usage; the first URL without its query.
    expect(await leadRow(id)).toMatchObject({
      conversion_event: "Guide download",
      first_url: "https://acme.example/guide",
    });
  });
});

describe("Salesforce refusals", () => {
  it("refuses a lead Salesforce finds too long, with its reason translated", async () => {
    const company = await createCompany({ name: "Acme Robotics" });
    const id = await createContact(
      qualifyingContact(unique(), { lastname: "L".repeat(90) }),
      company,
    );
    await deliver([leadEvent(id)]);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_status).toBe("rejected");
    expect(contact.properties.leadbridge_rejection_reasons).toBe(
      "salesforce_rejected:STRING_TOO_LONG",
    );
    expect(contact.notes[0]!.properties.hs_note_body).toContain("longer than Salesforce allows");
  });

  it("refuses an email address Salesforce does not accept, in words a marketer can act on", async () => {
    const id = await createContact(
      qualifyingContact(unique(), { email: `jo,${unique()}@acme-robotics.com` }),
      await createCompany({ name: "Acme" }),
    );
    await deliver([leadEvent(id)]);
    const contact = await rawContact(id);
    expect(contact.properties.leadbridge_rejection_reasons).toBe(
      "salesforce_rejected:INVALID_EMAIL_ADDRESS",
    );
    expect(contact.notes[0]!.properties.hs_note_body).toContain(
      "Salesforce does not accept the email address",
    );
    expect(await leadsFor(id)).toHaveLength(0);
  });

  it("refuses a duplicate of a lead Salesforce already has", async () => {
    const n = unique();
    await createSalesforceLead({
      LastName: "Existing",
      Company: "Acme",
      Email: `dup${n}@acme-robotics.com`,
    });
    const id = await createContact(
      qualifyingContact(n, { email: `dup${n}@acme-robotics.com` }),
      await createCompany({ name: "Acme" }),
    );
    await deliver([leadEvent(id)]);
    expect((await rawContact(id)).properties.leadbridge_rejection_reasons).toBe(
      "salesforce_rejected:DUPLICATES_DETECTED",
    );
    expect(await leadsFor(id)).toHaveLength(0);
  });
});

describe("exactly-once effect", () => {
  it("gives one lead for the same batch delivered ten times", async () => {
    const company = await createCompany({ name: "Acme Robotics" });
    const ids = [
      await createContact(qualifyingContact(unique()), company),
      await createContact(qualifyingContact(unique()), company),
    ];
    const events = ids.map((id) => leadEvent(id));
    for (let i = 0; i < 10; i++) {
      const result = await deliver(events, i + 1);
      expect(result.explicitAcks).toHaveLength(2);
    }
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
  });

  it("takes a contact's grouped events as one piece of work, and acks a group whose events were all handled", async () => {
    const company = await createCompany({ name: "Grouped Robotics" });
    const a = await createContact(qualifyingContact(unique()), company);
    const b = await createContact(
      qualifyingContact(unique(), { email: `grouped.${unique()}@gmail.com` }),
    );
    const groupA = {
      contactId: a,
      events: [
        leadEvent(a),
        leadEvent(a, "contact.propertyChange", { propertyName: "email" }),
        leadEvent(a, "contact.associationChange"),
      ],
    };
    const groupB = {
      contactId: b,
      events: [
        leadEvent(b),
        leadEvent(b, "contact.propertyChange", { propertyName: "hubspotscore" }),
      ],
    };
    const first = await deliver([groupA, groupB]);
    expect(first.explicitAcks).toEqual(first.ids);
    expect(await leadsFor(a)).toHaveLength(1);
    expect((await leadRow(b))?.status).toBe("rejected");
    // One "received" step per contact, counting all its events.
    const received = await env.DB.prepare(
      "SELECT detail FROM audit WHERE contact_id = ? AND step = 'received'",
    )
      .bind(a)
      .all<{ detail: string }>();
    expect(received.results.map((r) => JSON.parse(r.detail).events)).toEqual([3]);

    // Redelivered (and a group sharing only handled events): acked, judged no second time.
    const again = await deliver([groupA, { contactId: b, events: groupB.events.slice(1) }], 2);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(await auditSteps(a)).toEqual([
      "received",
      "enriched",
      "pushed",
      "qualified",
      "feedback_written",
    ]);
    expect(await leadsFor(a)).toHaveLength(1);
  });

  it("sends a group whose events name another contact to the dead-letter queue", async () => {
    const mixed = { contactId: "1", events: [leadEvent("1"), leadEvent("2")] };
    const result = await deliver([mixed]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await leadRow("1")).toBeNull();
    expect(await leadRow("2")).toBeNull();
  });

  it("writes a full batch (100 contacts, 900 events) to D1 in a handful of queries, far under the 1,000 per invocation", async () => {
    const company = await createCompany({ name: "Bulk Robotics" });
    const ids = await createContacts(
      Array.from({ length: 100 }, (_, i) =>
        i % 3
          ? qualifyingContact(unique())
          : qualifyingContact(unique(), { email: `bulk.${unique()}@gmail.com` }),
      ),
      company,
    );
    const messages = ids.map((id) => ({
      contactId: id,
      events: [
        leadEvent(id),
        ...[
          "email",
          "firstname",
          "lastname",
          "company",
          "jobtitle",
          "hubspotscore",
          "hs_analytics_first_url",
        ].map((propertyName) => leadEvent(id, "contact.propertyChange", { propertyName })),
        leadEvent(id, "contact.associationChange"),
      ],
    }));
    // Version 1 of the rules and of the mapping are seeded on first use (a write and a reread
    // each, once per deploy): seeded here, so the count is a batch's own.
    await currentRules(env.DB);
    await currentMapping(env.DB);
    const { db, queries } = countingDb();
    const result = await deliver(messages, 1, { ...env, DB: db });
    expect(result.explicitAcks).toHaveLength(100);
    expect(queries()).toBeLessThanOrEqual(12);
    const keys = messages.flatMap((m) => m.events.map((e) => e.key));
    const seen = await env.DB.prepare(
      "SELECT count(*) AS n FROM seen_events WHERE event_key IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(keys))
      .first<{ n: number }>();
    expect(seen!.n).toBe(900);
    const statuses = await Promise.all(ids.map(async (id) => (await leadRow(id))?.status));
    expect(statuses.filter((s) => s === "handed_off")).toHaveLength(66);
    expect(statuses.filter((s) => s === "rejected")).toHaveLength(34);
    expect(await auditSteps(ids[1]!)).toEqual([
      "received",
      "enriched",
      "pushed",
      "qualified",
      "feedback_written",
    ]);
  });
});
