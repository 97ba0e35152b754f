import { describe, expect, it, onTestFinished } from "vitest";
import {
  clearRequestLogs,
  handOff,
  runSync,
  salesforce,
  salesforceQueries,
  unique,
} from "./outcomes-harness";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import { createCompany, createContacts, hubspotCounts, qualifyingContact } from "./sandboxes";

// The figures: at most one Salesforce query page per 2,000 changed records, one HubSpot
// batch update per 100 contacts, and a run with nothing changed costs one query per object and no
// HubSpot call. Counted by the sandboxes (Salesforce's request log, HubSpot's per-endpoint counts).

type Result = { id: string; success: boolean; errors: unknown[] };

/** Up to 200 records per Salesforce collections call, as the API allows; their ids. */
async function inCollections(
  method: "POST" | "PATCH",
  records: Record<string, unknown>[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < records.length; i += 200) {
    const results = await salesforce<Result[]>(method, "/composite/sobjects", {
      allOrNone: true,
      records: records.slice(i, i + 200).map((r) => ({ attributes: { type: "Lead" }, ...r })),
    });
    if (results.some((r) => !r.success)) throw new Error(JSON.stringify(results.slice(0, 3)));
    ids.push(...results.map((r) => r.id));
  }
  return ids;
}

/** The sandbox org is shared by every test file: Leads made only to be counted go again. */
async function deleteLeads(ids: string[]) {
  for (let i = 0; i < ids.length; i += 200)
    await salesforce(
      "DELETE",
      `/composite/sobjects?allOrNone=false&ids=${ids.slice(i, i + 200).join(",")}`,
    );
}

describe("outcome sync costs", () => {
  it("a run with nothing changed costs one query per pulled object and no HubSpot call", async () => {
    const [c] = await handOff(1);
    await salesforce("PATCH", `/sobjects/Lead/${c!.leadId}`, { Status: "Working - Contacted" });
    await runSync();
    await clearRequestLogs();
    const idle = await runSync();
    expect(idle.written).toMatchObject({ contacts: 0, notes: 0, failed: 0 });
    expect(idle.pages).toEqual({ Lead: 1, Opportunity: 1 });
    expect(await salesforceQueries()).toHaveLength(2);
    expect((await hubspotCounts()).total).toBe(0);
  });

  it("2,500 changed Leads cost two query pages; 250 contacts to tell cost three batch updates", async () => {
    // 250 contacts handed off through the queue (batches of up to 100, as Queues deliver them).
    const company = await createCompany({ name: `Costs Co ${unique()}` });
    const contactIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const n = i < 2 ? 100 : 50;
      contactIds.push(
        ...(await createContacts(
          Array.from({ length: n }, () => qualifyingContact(unique())),
          company,
        )),
      );
    }
    for (let i = 0; i < contactIds.length; i += 100)
      await deliver(contactIds.slice(i, i + 100).map((id) => leadEvent(id)));
    const leadIds: string[] = [];
    for (const id of contactIds) leadIds.push((await leadRow(id))!.salesforce_lead_id as string);
    expect(new Set(leadIds).size).toBe(250);
    await runSync(); // settles the handoff's own changes: the Leads are open, nothing to tell

    // Sales works all 250, and 2,250 Leads of contacts Leadbridge never handed off change too.
    await inCollections(
      "PATCH",
      leadIds.map((Id) => ({ Id, Status: "Working - Contacted" })),
    );
    const elsewhere = await inCollections(
      "POST",
      Array.from({ length: 2250 }, (_, i) => ({
        LastName: `Elsewhere${i}`,
        Company: "Not From Leadbridge",
        Status: "Working - Contacted",
        HubSpot_Contact_Id__c: `9${Date.now() % 1_000_000}${String(i).padStart(5, "0")}`,
      })),
    );
    onTestFinished(() => deleteLeads(elsewhere));
    await clearRequestLogs();
    const run = await runSync();
    expect(run.pulled.Lead).toBeGreaterThanOrEqual(2500);
    expect(run.pages.Lead).toBe(Math.ceil(run.pulled.Lead! / 2000));
    expect(run.pages.Lead).toBe(2);
    expect(run.derived).toBe(250);
    expect(run.skippedUnknown).toBe(2250);
    expect(run.written).toMatchObject({ contacts: 250, notes: 0, failed: 0 });
    expect(await salesforceQueries()).toHaveLength(run.pages.Lead! + run.pages.Opportunity!);
    const counts = await hubspotCounts();
    expect(counts.byEndpoint["POST /crm/v3/objects/contacts/batch/update"]).toBe(3);
    expect(counts.total).toBe(3);
  });
});
