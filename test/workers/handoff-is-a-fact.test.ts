import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import { admin, eventually } from "./admin-client";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  rawContact,
  salesforceCounts,
  salesforceLeads,
  salesforceUrl,
  setHubSpotFaults,
  setSalesforceFaults,
  updateContact,
} from "./sandboxes";

let run = 0;
const unique = () => `hf${Date.now().toString(36)}${++run}`;
const leadOf = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});
afterEach(async () => {
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "test: back to defaults" });
});

/** A qualifying contact (score 75) handed off under the default rules. */
async function handedOff(overrides: Record<string, string> = {}) {
  const id = await createContact(
    qualifyingContact(unique(), overrides),
    await createCompany({ name: "Acme Robotics" }),
  );
  await deliver([leadEvent(id)]);
  const row = await leadRow(id);
  expect(row).toMatchObject({ status: "handed_off" });
  return { id, salesforceId: row!.salesforce_lead_id as string };
}

async function raiseScoreTo(min: number): Promise<number> {
  const res = await admin("PUT", "/admin/rules", {
    rules: { ...DEFAULT_RULES, minEngagementScore: min },
    note: "test: stricter",
  });
  expect(res.status).toBe(201);
  return res.body.version as number;
}

async function expectStillHandedOff(id: string, salesforceId: string, notesBefore: number) {
  const contact = await rawContact(id);
  expect(contact.properties.leadbridge_status).toBe("handed_off");
  expect(contact.properties.leadbridge_rejection_reasons ?? "").toBe("");
  expect(contact.properties.leadbridge_salesforce_lead_id).toBe(salesforceId);
  expect(contact.notes).toHaveLength(notesBefore);
  expect(await leadRow(id)).toMatchObject({
    status: "handed_off",
    salesforce_lead_id: salesforceId,
    reasons: "[]",
  });
}

describe("a handoff is a fact", () => {
  it("keeps a handed-off contact handed off when stricter rules refuse its next change, and keeps its Lead in step", async () => {
    const { id, salesforceId } = await handedOff();
    const notes = (await rawContact(id)).notes.length;
    const version = await raiseScoreTo(80);

    await updateContact(id, { jobtitle: "Principal Platform Engineer" });
    const result = await deliver([leadEvent(id, "contact.propertyChange")]);
    expect(result.explicitAcks).toHaveLength(1);

    await expectStillHandedOff(id, salesforceId, notes);
    expect(await leadOf(id)).toMatchObject([
      { Id: salesforceId, Title: "Principal Platform Engineer" },
    ]);
    const steps = await auditSteps(id);
    expect(steps.slice(-4)).toEqual([
      "enriched",
      "pushed",
      "no_longer_qualifies",
      "feedback_written",
    ]);
    expect(steps).not.toContain("refused");

    const view = await admin("GET", `/admin/leads/${id}`);
    expect(view.body.lead).toMatchObject({
      status: "handed_off",
      noLongerQualifies: { reasons: ["engagement_below_threshold"], rulesVersion: version },
      handoffOrigin: "webhook",
    });
    const line = view.body.audit.find((a: { step: string }) => a.step === "no_longer_qualifies");
    expect(line.detail).toEqual({ rulesVersion: version, reasons: ["engagement_below_threshold"] });

    // Back under rules it meets, the mark goes.
    await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES });
    await updateContact(id, { jobtitle: "Distinguished Engineer" });
    await deliver([leadEvent(id, "contact.propertyChange")]);
    expect((await admin("GET", `/admin/leads/${id}`)).body.lead.noLongerQualifies).toBeNull();
  });

  it("counts the handoff once in the report and the lapse apart, never as a refusal", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const report = async () => {
      expect((await admin("POST", `/admin/telemetry/run?date=${today}`)).status).toBe(200);
      return (await admin("GET", `/admin/reports/funnel?date=${today}`)).body;
    };
    const { id } = await handedOff();
    const before = await report();
    await raiseScoreTo(80);
    await updateContact(id, { jobtitle: "Engineering Manager" });
    await deliver([leadEvent(id, "contact.propertyChange")]);

    const after = await report();
    expect(after.funnel).toMatchObject({
      handedOff: before.funnel.handedOff,
      rejected: before.funnel.rejected,
      qualified: before.funnel.qualified - 1,
      handedOffNoLongerQualifying: before.funnel.handedOffNoLongerQualifying + 1,
      contactsJudged: before.funnel.contactsJudged,
    });
    expect(after.rejectionReasons).toEqual(before.rejectionReasons);
  });

  it("keeps it handed off through a resync under stricter rules", async () => {
    const { id, salesforceId } = await handedOff();
    const notes = (await rawContact(id)).notes.length;
    await raiseScoreTo(90);
    await updateContact(id, { jobtitle: "Head of Platform Engineering" });

    expect((await admin("POST", "/admin/resync", { contactIds: [id] })).status).toBe(202);
    await eventually(
      async () => ((await auditSteps(id)).includes("no_longer_qualifies") ? true : undefined),
      30_000,
      "the resync's judgement",
    );
    await expectStillHandedOff(id, salesforceId, notes);
    expect(await leadOf(id)).toMatchObject([
      { Id: salesforceId, Title: "Head of Platform Engineering" },
    ]);
    const received = (await admin("GET", `/admin/leads/${id}`)).body.audit.filter(
      (a: { step: string }) => a.step === "received",
    );
    expect(received.at(-1).detail.origin).toBe("resync");
  });

  it("keeps it handed off when Salesforce refuses an update of its Lead, and says so in sync health", async () => {
    const { id, salesforceId } = await handedOff();
    const notes = (await rawContact(id)).notes.length;
    await updateContact(id, { lastname: "L".repeat(90) });
    await deliver([leadEvent(id, "contact.propertyChange")]);

    await expectStillHandedOff(id, salesforceId, notes);
    expect(await auditSteps(id)).toContain("salesforce_refused");
    const health = await admin("GET", "/admin/sync-health");
    const validation = health.body.errors.find((e: { kind: string }) => e.kind === "validation");
    expect(validation.contacts).toContain(id);
  });
});

describe("converted Leads", () => {
  async function convert(salesforceId: string) {
    const res = await fetch(`${salesforceUrl()}/__sandbox/leads/${salesforceId}/convert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { contactId: string; accountId: string; opportunityId: string };
  }

  it("learns the conversion from the upsert, records it, and writes nothing to the Lead again", async () => {
    const { id, salesforceId } = await handedOff();
    const notes = (await rawContact(id)).notes.length;
    const converted = await convert(salesforceId);

    await updateContact(id, { jobtitle: "VP Engineering", hubspotscore: "90" });
    await deliver([leadEvent(id, "contact.propertyChange")]);
    await expectStillHandedOff(id, salesforceId, notes);
    expect(await leadRow(id)).toMatchObject({
      converted_contact_id: converted.contactId,
      converted_account_id: converted.accountId,
      converted_opportunity_id: converted.opportunityId,
    });
    const steps = await auditSteps(id);
    expect(steps).toContain("lead_converted");
    expect(steps).not.toContain("refused");
    expect(steps).not.toContain("salesforce_refused");
    expect((await admin("GET", `/admin/leads/${id}`)).body.lead.conversion).toMatchObject({
      contactId: converted.contactId,
      opportunityId: converted.opportunityId,
    });

    // The next change costs no Salesforce call at all, and still refuses nothing.
    const before = (await salesforceCounts()).total;
    await updateContact(id, { jobtitle: "CTO", hubspotscore: "95" });
    const result = await deliver([leadEvent(id, "contact.propertyChange")]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await salesforceCounts()).total).toBe(before);
    await expectStillHandedOff(id, salesforceId, notes);
    expect((await leadOf(id))[0]).toMatchObject({ Title: "Senior Software Engineer" });
  });

  it("keeps a merge whose merged-away Lead is converted to that contact alone: the rest of the pass is handed off", async () => {
    const company = await createCompany({ name: "Merge Converted Co" });
    const { id: loser, salesforceId: loserLead } = await handedOff();
    await convert(loserLead);
    const survivor = await createContact(qualifyingContact(unique()), company);
    const bystander = await createContact(qualifyingContact(unique()), company);

    const result = await deliver([
      leadEvent(survivor, "contact.merge", { mergedIds: [loser] }),
      leadEvent(bystander),
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.explicitRetries).toEqual([]);

    expect(await leadRow(bystander)).toMatchObject({ status: "handed_off" });
    expect(await leadOf(bystander)).toHaveLength(1);
    // The converted Lead keeps its key; the survivor gets a Lead of its own.
    expect((await leadOf(loser)).map((l) => l.Id)).toEqual([loserLead]);
    const survivorRow = await leadRow(survivor);
    expect(survivorRow).toMatchObject({ status: "handed_off" });
    expect(survivorRow!.salesforce_lead_id).not.toBe(loserLead);
    expect(await leadRow(loser)).toMatchObject({ status: "merged", merged_into: survivor });
    expect((await leadRow(loser))!.converted_at).toEqual(expect.any(Number));
    expect(await auditSteps(survivor)).toContain("rekey_skipped_converted");
    expect(await auditSteps(loser)).toContain("lead_converted");
  });
});
