import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_DELIVERIES } from "../../shared/retryable";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  salesforceUrl,
  setHubSpotFaults,
  setLeadbridgeOptions,
  setSalesforceFaults,
} from "./sandboxes";

// Issue 15: one contact's failure is that contact's alone. A merge whose re-key Salesforce
// refuses, or a status write HubSpot refuses (400) because of one contact, holds back that contact
// only; the rest of the batch is handed off and told. Through the real queue handler, jsforce, the
// HubSpot client and both sandboxes.

let run = 0;
const unique = () => `oc${Date.now().toString(36)}${++run}`;
const leadsOf = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

afterEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await setLeadbridgeOptions("leadbridge_status");
});

describe("a merge whose re-key fails", () => {
  it("waits alone: the rest of the batch is handed off, and the retry re-keys (one Lead)", async () => {
    const company = await createCompany({ name: `Rekey Co ${unique()}` });
    const loser = await createContact(qualifyingContact(unique()), company);
    await deliver([leadEvent(loser)]);
    const loserLead = (await leadRow(loser))!.salesforce_lead_id as string;
    const survivor = await createContact(qualifyingContact(unique()), company);
    const bystander = await createContact(qualifyingContact(unique()), company);

    // Salesforce cannot lock the merged-away contact's Lead for the re-key, once.
    await setSalesforceFaults([
      { kind: "lock_row", method: "PATCH", path: `/sobjects/Lead/${loserLead}`, times: 1 },
    ]);
    const merge = leadEvent(survivor, "contact.merge", { mergedIds: [loser] });
    const first = await deliver([merge, leadEvent(bystander)]);

    expect(first.explicitAcks).toEqual([first.ids[1]]);
    expect(first.explicitRetries.map((r) => r.msgId)).toEqual([first.ids[0]]);
    expect(await leadRow(bystander)).toMatchObject({ status: "handed_off" });
    expect(await leadsOf(bystander)).toHaveLength(1);
    expect((await rawContact(bystander)).properties.leadbridge_status).toBe("handed_off");
    // Nothing of the merge is recorded, and the survivor got no Lead of its own.
    expect(await leadsOf(survivor)).toHaveLength(0);
    expect(await leadRow(loser)).toMatchObject({ status: "handed_off", merged_into: null });
    expect(await auditSteps(survivor)).toContain("push_retry");

    const second = await deliver([merge], 2);
    expect(second.explicitAcks).toHaveLength(1);
    const leads = (await salesforceLeads()).filter((l) =>
      [loser, survivor].includes(l.HubSpot_Contact_Id__c),
    );
    expect(leads.map((l) => [l.Id, l.HubSpot_Contact_Id__c])).toEqual([[loserLead, survivor]]);
    expect(await leadRow(survivor)).toMatchObject({
      status: "handed_off",
      salesforce_lead_id: loserLead,
    });
    expect(await leadRow(loser)).toMatchObject({ status: "merged", merged_into: survivor });
  });
});

/** A customer already in the sandbox Salesforce: a Contact with this email. */
async function salesforceContact(email: string): Promise<void> {
  const auth = await fetch(`${salesforceUrl()}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials&client_id=sandbox-sf-client-id&client_secret=sandbox-sf-client-secret",
  });
  const { access_token } = (await auth.json()) as { access_token: string };
  const res = await fetch(`${salesforceUrl()}/services/data/v62.0/sobjects/Contact`, {
    method: "POST",
    headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ LastName: "Customer", Email: email }),
  });
  expect(res.status).toBe(201);
}

describe("a status write HubSpot refuses because of one contact", () => {
  it("writes the rest of the batch; only that contact retries, then is dead-lettered with HubSpot's reason", async () => {
    const company = await createCompany({ name: `Status Co ${unique()}` });
    const ok = [
      await createContact(qualifyingContact(unique()), company),
      await createContact(qualifyingContact(unique()), company),
    ];
    // Already a customer (status existing_contact), in a portal whose leadbridge_status predates
    // that option: HubSpot refuses any batch update that carries it, with a 400.
    const customer = qualifyingContact(unique());
    await salesforceContact(customer.email!);
    const atFault = await createContact(customer, company);
    await setLeadbridgeOptions("leadbridge_status", (v) => ["handed_off", "rejected"].includes(v));

    const events = [...ok, atFault].map((id) => leadEvent(id));
    const first = await deliver(events);
    expect(first.explicitAcks).toEqual(first.ids.slice(0, 2));
    expect(first.explicitRetries.map((r) => r.msgId)).toEqual([first.ids[2]]);
    for (const id of ok) {
      expect((await rawContact(id)).properties.leadbridge_status).toBe("handed_off");
      expect(await leadRow(id)).toMatchObject({ status: "handed_off" });
      expect(await auditSteps(id)).toContain("feedback_written");
    }
    expect((await rawContact(atFault)).properties.leadbridge_status ?? null).toBeNull();
    expect(await auditSteps(atFault)).toContain("feedback_retry");
    expect(await leadsOf(atFault)).toHaveLength(0);

    // Still refused on its last delivery: it alone becomes a dead letter, with HubSpot's reason.
    const last = await deliver([events[2]], MAX_DELIVERIES);
    expect(last.explicitAcks).toHaveLength(1);
    const letter = () =>
      env.DB.prepare("SELECT reason FROM dead_letters WHERE body LIKE ?")
        .bind(`{"contactId":"${atFault}"%`)
        .first<{ reason: string }>();
    await expect
      .poll(letter, { timeout: 15_000, interval: 250 })
      .toMatchObject({ reason: expect.stringMatching(/^hubspot_error: .*\(400\)/) });
    for (const id of ok) expect(await letterCount(id)).toBe(0);
  });
});

async function letterCount(contactId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE body LIKE ?")
    .bind(`{"contactId":"${contactId}"%`)
    .first<{ n: number }>();
  return row!.n;
}
