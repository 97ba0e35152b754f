import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createClients } from "../../shared/clients";
import { loadConfig } from "../../shared/env";
import { createLogger } from "../../shared/log";
import worker from "../../workers/index";
import { runOutcomeSync } from "../../workers/outcomes/run";
import { OUTCOME_SYNC_CRON } from "../../workers/telemetry/schedule";
import { admin } from "./admin-client";
import {
  convertLead,
  handOff,
  hubspotSide,
  outcomeRow,
  patchLead,
  patchOpportunity,
  runSync,
  salesNotes,
} from "./outcomes-harness";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import { hubspotUrl, updateContact } from "./sandboxes";

// The outcome sync end to end: contacts handed off through the queue, their Leads moved by sales
// in the sandbox Salesforce, the sync run through POST /admin/outcomes/run, HubSpot read back.

describe("the outcome sync", () => {
  it("tells HubSpot sales accepted, refused with a reason, converted and won, lifecycle forward only", async () => {
    const [accepted, refused, won] = await handOff(3);
    await patchLead(accepted!.leadId, { Status: "Working - Contacted" });
    await patchLead(refused!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "No budget",
    });
    const conversion = await convertLead(won!.leadId);

    const first = await runSync();
    expect(first.skipped).toBeUndefined();
    expect(first.pulled.Lead).toBeGreaterThanOrEqual(3);
    expect(first.written.failed).toBe(0);
    expect(first.pending).toBe(0);

    expect(await hubspotSide(accepted!.contactId)).toMatchObject({
      stage: "accepted",
      feedback: "",
      lifecycle: "salesqualifiedlead",
    });
    const rejected = await hubspotSide(refused!.contactId);
    expect(rejected).toMatchObject({ stage: "sales_rejected", feedback: "No budget" });
    expect(rejected.lifecycle).not.toBe("salesqualifiedlead");
    expect(salesNotes(rejected.notes)).toHaveLength(1);
    expect(salesNotes(rejected.notes)[0]).toContain("No budget");
    expect(salesNotes(rejected.notes)[0]).toContain(refused!.leadId);
    // Converted into a new opportunity (Prospecting): the playbook's first state.
    expect(await hubspotSide(won!.contactId)).toMatchObject({
      stage: "LeadIn",
      lifecycle: "opportunity",
    });
    // The lead row learns the conversion (nothing is pushed to the Lead any more).
    expect(await leadRow(won!.contactId)).toMatchObject({
      converted_opportunity_id: conversion.opportunityId,
      converted_contact_id: conversion.contactId,
      converted_account_id: conversion.accountId,
    });
    expect((await leadRow(won!.contactId))!.converted_at).toBeGreaterThan(0);

    await patchOpportunity(conversion.opportunityId, { StageName: "Closed Won" });
    const second = await runSync();
    expect(second.pulled.Opportunity).toBeGreaterThanOrEqual(1);
    expect(await hubspotSide(won!.contactId)).toMatchObject({
      stage: "ClosedWon",
      lifecycle: "customer",
    });
    // Nothing else changed: nobody else is written again, no note doubled.
    expect(second.written).toMatchObject({ contacts: 1, notes: 0, failed: 0 });
    expect(salesNotes((await hubspotSide(refused!.contactId)).notes)).toHaveLength(1);

    const third = await runSync();
    expect(third.written).toMatchObject({ contacts: 0, notes: 0, failed: 0 });
    expect(third.complete).toBe(true);

    // The lead view's audit trail says what sales did.
    const view = await admin("GET", `/admin/leads/${refused!.contactId}`);
    const steps = (view.body.audit as { step: string; detail: Record<string, unknown> }[]).filter(
      (a) => a.step === "sales_stage",
    );
    expect(steps.map((s) => s.detail)).toEqual([
      expect.objectContaining({ stage: "sales_rejected", reason: "No budget" }),
    ]);
    const wonView = await admin("GET", `/admin/leads/${won!.contactId}`);
    expect(
      (wonView.body.audit as { step: string; detail: { stage?: string } }[])
        .filter((a) => a.step === "sales_stage")
        .map((a) => a.detail.stage),
    ).toEqual(["LeadIn", "ClosedWon"]);
  });

  it("writes a new note when sales' reason changes, none when the same reason comes again", async () => {
    const [c] = await handOff(1);
    await patchLead(c!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "Timing",
    });
    await runSync();
    expect(salesNotes((await hubspotSide(c!.contactId)).notes)).toHaveLength(1);

    await patchLead(c!.leadId, { Disqualification_Reason__c: "Competitor" });
    await runSync();
    let side = await hubspotSide(c!.contactId);
    expect(side.feedback).toBe("Competitor");
    expect(salesNotes(side.notes)).toHaveLength(2);

    // Sales touches the Lead without changing the reason: nothing new to tell.
    await patchLead(c!.leadId, { Description: "called again, still no" });
    const quiet = await runSync();
    expect(quiet.written.notes).toBe(0);
    side = await hubspotSide(c!.contactId);
    expect(salesNotes(side.notes)).toHaveLength(2);

    // Sales takes the lead after all: accepted, lifecycle moves on, no note.
    await patchLead(c!.leadId, { Status: "Working - Contacted", Disqualification_Reason__c: null });
    await runSync();
    side = await hubspotSide(c!.contactId);
    expect(side).toMatchObject({
      stage: "accepted",
      feedback: "",
      lifecycle: "salesqualifiedlead",
    });
    expect(salesNotes(side.notes)).toHaveLength(2);
  });

  it("never moves lifecycle back: a refusal after acceptance keeps salesqualifiedlead", async () => {
    const [c] = await handOff(1);
    await patchLead(c!.leadId, { Status: "Working - Contacted" });
    await runSync();
    await patchLead(c!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "Not a fit",
    });
    await runSync();
    expect(await hubspotSide(c!.contactId)).toMatchObject({
      stage: "sales_rejected",
      lifecycle: "salesqualifiedlead",
      feedback: "Not a fit",
    });
    expect(await outcomeRow(c!.contactId)).toMatchObject({ lifecycle: "salesqualifiedlead" });
  });

  it("leaves a contact HubSpot shows further along where it is, and fails nothing", async () => {
    const [c] = await handOff(1);
    await updateContact(c!.contactId, { lifecyclestage: "customer" });
    await patchLead(c!.leadId, { Status: "Working - Contacted" });
    const run = await runSync();
    expect(run.written.failed).toBe(0);
    expect(await hubspotSide(c!.contactId)).toMatchObject({
      stage: "accepted",
      lifecycle: "customer",
    });
    expect(await outcomeRow(c!.contactId)).toMatchObject({ lifecycle: "salesqualifiedlead" });
  });

  it("settles a contact HubSpot no longer has without holding up the others", async () => {
    const [gone, kept] = await handOff(2);
    for (const c of [gone!, kept!]) await patchLead(c.leadId, { Status: "Working - Contacted" });
    const deleted = await fetch(`${hubspotUrl()}/crm/v3/objects/contacts/${gone!.contactId}`, {
      method: "DELETE",
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    expect(deleted.status).toBe(204);
    const run = await runSync();
    expect(run.written).toMatchObject({ gone: 1, failed: 0 });
    expect(run.written.contacts).toBeGreaterThanOrEqual(1);
    expect(await hubspotSide(kept!.contactId)).toMatchObject({ stage: "accepted" });
    const row = await outcomeRow(gone!.contactId);
    expect(row).toMatchObject({ last_error: "contact_not_found" });
    expect(row!.written_version).toBe(row!.version);
    const next = await runSync();
    expect(next.written).toMatchObject({ contacts: 0, gone: 0 });
  });

  it("still syncs an org without the reason field: the refusal goes out without a reason", async () => {
    const [c] = await handOff(1);
    await patchLead(c!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "Timing",
    });
    const config = loadConfig(env);
    const run = await runOutcomeSync({
      db: env.DB,
      kv: env.KV,
      clients: createClients(config, env),
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      disqualificationField: "Not_In_This_Org__c",
      log: createLogger({ test: "no-field" }, "error"),
    });
    expect(run).toMatchObject({ written: { failed: 0 } });
    expect("skipped" in run && run.skipped).toBeFalsy();
    const side = await hubspotSide(c!.contactId);
    expect(side).toMatchObject({ stage: "sales_rejected", feedback: "" });
    expect(salesNotes(side.notes)).toHaveLength(1);
    expect(salesNotes(side.notes)[0]).toContain("Sales gave no reason");
  });

  it("runs from the 5-minute cron as from the admin route", async () => {
    const [c] = await handOff(1);
    await patchLead(c!.leadId, { Status: "Working - Contacted" });
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: OUTCOME_SYNC_CRON, scheduledTime: Date.now() }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await hubspotSide(c!.contactId)).toMatchObject({
      stage: "accepted",
      lifecycle: "salesqualifiedlead",
    });
  });

  it("forgets a contact's sales outcome on privacy deletion", async () => {
    const [c] = await handOff(1);
    await patchLead(c!.leadId, {
      Status: "Closed - Not Converted",
      Disqualification_Reason__c: "Unresponsive",
    });
    await runSync();
    expect(await outcomeRow(c!.contactId)).not.toBeNull();
    // "keep": the Lead stays in Salesforce, still carrying the contact's id.
    const keep = { ...env, SALESFORCE_PRIVACY_DELETION: "keep" } as Env;
    await deliver([leadEvent(c!.contactId, "contact.privacyDeletion")], 1, keep);
    expect(await outcomeRow(c!.contactId)).toBeNull();
    // Sales changes the Lead later: the contact is no longer one Leadbridge handed off.
    await patchLead(c!.leadId, { Disqualification_Reason__c: "Timing" });
    const run = await runSync();
    expect(run.skippedUnknown).toBeGreaterThanOrEqual(1);
    expect(await outcomeRow(c!.contactId)).toBeNull();
  });

  it("leaves an open Lead untold and skips Leads Leadbridge never handed off", async () => {
    const [c] = await handOff(1);
    const before = await runSync();
    expect(await outcomeRow(c!.contactId)).toBeNull();
    expect((await hubspotSide(c!.contactId)).stage).toBeNull();
    expect(before.written.failed).toBe(0);
  });
});
