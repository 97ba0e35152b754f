import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  salesforceLeads,
} from "./sandboxes";

let run = 0;
const unique = () => `l${Date.now().toString(36)}${++run}`;

describe("deletion, privacy deletion and merge", () => {
  it("records a contact deleted in HubSpot without touching its Salesforce lead", async () => {
    const id = await createContact(
      qualifyingContact(unique()),
      await createCompany({ name: "Gone Ltd" }),
    );
    await deliver([leadEvent(id)]);
    const result = await deliver([leadEvent(id, "contact.deletion")]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await leadRow(id))?.status).toBe("deleted");
    expect(await auditSteps(id)).toContain("deleted_in_hubspot");
    expect((await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === id)).toHaveLength(1);
  });

  it("purges a contact's personal data from D1 on privacy deletion, even after later events", async () => {
    const id = await createContact(qualifyingContact(unique(), { email: "private@gmail.com" }));
    await deliver([leadEvent(id)]);
    expect(await leadRow(id)).toMatchObject({ email_domain: "gmail.com" });
    const now = Date.now();
    await deliver([
      leadEvent(id, "contact.privacyDeletion", { occurredAt: now }),
      leadEvent(id, "contact.propertyChange", { occurredAt: now + 1 }),
    ]);
    expect(await leadRow(id)).toBeNull();
    // Not even a bare line: only the day's privacy_deletions count says it happened.
    expect(await auditSteps(id)).toEqual([]);
    const details = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit WHERE detail LIKE '%gmail%'",
    ).first<{ n: number }>();
    expect(details!.n).toBe(0);
  });

  it("drops the contact's dead letters on privacy deletion and keeps everyone else's", async () => {
    const id = await createContact(qualifyingContact(unique()));
    const other = await createContact(qualifyingContact(unique()));
    const letter = (messageId: string, body: unknown) =>
      env.DB.prepare(
        "INSERT INTO dead_letters (message_id, body, reason, attempts, received_at) VALUES (?, ?, ?, 6, ?)",
      ).bind(
        messageId,
        typeof body === "string" ? body : JSON.stringify(body),
        "salesforce_refused: INVALID_EMAIL_ADDRESS: private@example.org",
        Date.now(),
      );
    const tag = unique();
    await env.DB.batch([
      letter(`${tag}-a`, { contactId: id, events: [leadEvent(id)] }),
      letter(`${tag}-b`, leadEvent(id)),
      letter(`${tag}-c`, {
        events: [leadEvent(id), leadEvent(id, "contact.propertyChange")],
        delivery: { id: "r1", receivedAt: 1, events: 2, ignored: 0 },
      }),
      letter(`${tag}-d`, { contactId: other, events: [leadEvent(other)] }),
      letter(`${tag}-e`, leadEvent(other)),
      letter(`${tag}-f`, "not json at all"),
      letter(`${tag}-g`, [id]),
    ]);
    await deliver([leadEvent(id, "contact.privacyDeletion")]);
    const { results } = await env.DB.prepare(
      "SELECT message_id FROM dead_letters WHERE message_id LIKE ? ORDER BY message_id",
    )
      .bind(`${tag}-%`)
      .all<{ message_id: string }>();
    expect(results.map((r) => r.message_id.slice(tag.length + 1))).toEqual(["d", "e", "f", "g"]);
  });

  it("re-keys the merged-away contact's lead to the survivor instead of creating a second one", async () => {
    const company = await createCompany({ name: "Merge Co" });
    const n = unique();
    const loser = await createContact(qualifyingContact(n), company);
    await deliver([leadEvent(loser)]);
    const loserLead = (await leadRow(loser))!.salesforce_lead_id as string;
    expect(loserLead).toMatch(/^00Q/);

    const survivor = await createContact(qualifyingContact(`${n}b`), company);
    const result = await deliver([leadEvent(survivor, "contact.merge", { mergedIds: [loser] })]);
    expect(result.explicitAcks).toHaveLength(1);

    const leads = (await salesforceLeads()).filter((l) =>
      [loser, survivor].includes(l.HubSpot_Contact_Id__c),
    );
    expect(leads.map((l) => [l.Id, l.HubSpot_Contact_Id__c])).toEqual([[loserLead, survivor]]);
    expect(await leadRow(loser)).toMatchObject({ status: "merged", merged_into: survivor });
    expect(await leadRow(survivor)).toMatchObject({
      status: "handed_off",
      salesforce_lead_id: loserLead,
    });
    expect((await rawContact(survivor)).properties.leadbridge_salesforce_lead_id).toBe(loserLead);
    expect(await auditSteps(survivor)).toContain("lead_rekeyed");

    // HubSpot merges the records; a late event about the merged-away id finds nothing there and
    // changes nothing.
    const merged = await fetch(`${env.HUBSPOT_BASE_URL}/crm/v3/objects/contacts/merge`, {
      method: "POST",
      headers: {
        authorization: "Bearer sandbox-hubspot-token",
        "content-type": "application/json",
      },
      body: JSON.stringify({ primaryObjectId: survivor, objectIdToMerge: loser }),
    });
    expect(merged.status).toBe(200);
    await deliver([leadEvent(loser, "contact.propertyChange", { propertyName: "jobtitle" })]);
    expect(await leadRow(loser)).toMatchObject({ status: "merged", merged_into: survivor });
  });

  it("keeps a survivor that took over a Lead handed off, even when it fails the rules itself", async () => {
    const company = await createCompany({ name: "Merge Strict Co" });
    const n = unique();
    const loser = await createContact(qualifyingContact(n), company);
    await deliver([leadEvent(loser)]);
    const loserLead = (await leadRow(loser))!.salesforce_lead_id as string;
    expect(loserLead).toMatch(/^00Q/);

    // The survivor on its own would be refused (personal webmail, low score).
    const survivor = await createContact(
      qualifyingContact(`${n}s`, { email: `dana${n}@gmail.com`, hubspotscore: "20" }),
      company,
    );
    const result = await deliver([leadEvent(survivor, "contact.merge", { mergedIds: [loser] })]);
    expect(result.explicitAcks).toHaveLength(1);

    // The Lead is the survivor's now: HubSpot says so, and marketing gets no "fix it" note.
    expect(await leadRow(survivor)).toMatchObject({
      status: "handed_off",
      salesforce_lead_id: loserLead,
    });
    expect(JSON.parse((await leadRow(survivor))!.no_longer_qualifies as string)).toEqual(
      expect.arrayContaining(["free_email_domain", "engagement_below_threshold"]),
    );
    const props = (await rawContact(survivor)).properties;
    expect(props.leadbridge_status).toBe("handed_off");
    expect(props.leadbridge_salesforce_lead_id).toBe(loserLead);
    const steps = await auditSteps(survivor);
    expect(steps).toContain("lead_rekeyed");
    expect(steps).toContain("no_longer_qualifies");
    expect(steps).not.toContain("refused");
  });

  it("settles an event for a contact HubSpot no longer has, next to one it has", async () => {
    const gone = `9${Date.now()}`.slice(0, 12);
    const present = await createContact(
      qualifyingContact(unique(), { email: "still.here@gmail.com" }),
    );
    const result = await deliver([leadEvent(gone), leadEvent(present)]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await auditSteps(gone)).toEqual(["received", "not_found_in_hubspot"]);
    expect((await leadRow(present))?.status).toBe("rejected");
  });
});
