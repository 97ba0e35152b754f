import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { FUNNEL_LATEST_KEY, ReportSchema } from "../../shared/contracts/report";
import { utcDay } from "../../shared/days";
import worker from "../../workers/index";
import { NIGHTLY_CRON } from "../../workers/telemetry/schedule";
import { eventually } from "./admin-client";
import { convertLead, handOff, patchLead, runSync, salesforce } from "./outcomes-harness";
import { deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotUrl,
  qualifyingContact,
  salesforceLeads,
  salesforceUrl,
  setSalesforceFaults,
} from "./sandboxes";

// A HubSpot privacy deletion through the real queue handler: every D1 table that held the contact's
// id (or its email) holds it no more, and its Salesforce Lead is deleted, flagged or kept as
// SALESFORCE_PRIVACY_DELETION says.

let run = 0;
const unique = () => `pd${Date.now().toString(36)}${++run}`;
const withChoice = (choice: string) => ({ ...env, SALESFORCE_PRIVACY_DELETION: choice }) as Env;

beforeEach(async () => {
  await setSalesforceFaults([]);
});

/** Rows per table that still name the contact (by id, by its Leads, or by its email). */
async function traces(contactId: string, leadIds: string[], email: string) {
  const count = async (sql: string, ...args: unknown[]) =>
    (
      await env.DB.prepare(sql)
        .bind(...args)
        .first<{ n: number }>()
    )?.n ?? 0;
  const leads = JSON.stringify(leadIds);
  return {
    leads: await count("SELECT count(*) AS n FROM leads WHERE contact_id = ?", contactId),
    mergedInto: await count("SELECT count(*) AS n FROM leads WHERE merged_into = ?", contactId),
    audit: await count("SELECT count(*) AS n FROM audit WHERE contact_id = ?", contactId),
    auditDetails: await count(
      "SELECT count(*) AS n FROM audit WHERE instr(detail, ?) > 0",
      `"${contactId}"`,
    ),
    seenEvents: await count(
      "SELECT count(*) AS n FROM seen_events WHERE contact_id = ?",
      contactId,
    ),
    noteIntents: await count(
      "SELECT count(*) AS n FROM note_intents WHERE contact_id = ?",
      contactId,
    ),
    jobContacts: await count(
      "SELECT count(*) AS n FROM job_contacts WHERE contact_id = ?",
      contactId,
    ),
    salesOutcomes: await count(
      "SELECT count(*) AS n FROM sales_outcomes WHERE contact_id = ?",
      contactId,
    ),
    judgedSnapshots: await count(
      "SELECT count(*) AS n FROM judged_snapshots WHERE contact_id = ?",
      contactId,
    ),
    sfLeads: await count(
      "SELECT count(*) AS n FROM sf_leads WHERE hubspot_contact_id = ? OR id IN (SELECT value FROM json_each(?))",
      contactId,
      leads,
    ),
    sfLeadConversions: await count(
      "SELECT count(*) AS n FROM sf_lead_conversions WHERE hubspot_contact_id = ? OR lead_id IN (SELECT value FROM json_each(?))",
      contactId,
      leads,
    ),
    sfPending: await count(
      "SELECT count(*) AS n FROM sf_pending WHERE kind = 'outcome_lead' AND key IN (SELECT value FROM json_each(?))",
      leads,
    ),
    deadLetters: await count(
      "SELECT count(*) AS n FROM dead_letters WHERE instr(body, ?) > 0 OR instr(reason, ?) > 0",
      `"${contactId}"`,
      email,
    ),
    emailAnywhere: await emailAnywhere(email),
  };
}

/** Every text value of every table, searched for the email (case as written and lower). */
async function emailAnywhere(email: string): Promise<string[]> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
  ).all<{ name: string }>();
  const found: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    if (JSON.stringify(results).toLowerCase().includes(email.toLowerCase())) found.push(name);
  }
  return found;
}

const nothingLeft = {
  leads: 0,
  mergedInto: 0,
  audit: 0,
  auditDetails: 0,
  seenEvents: 0,
  noteIntents: 0,
  jobContacts: 0,
  salesOutcomes: 0,
  judgedSnapshots: 0,
  sfLeads: 0,
  sfLeadConversions: 0,
  sfPending: 0,
  deadLetters: 0,
  emailAnywhere: [],
};

/**
 * A handed-off contact with a row in every table that can hold it: through the handoff (lead row,
 * audit, handled event keys), the outcome sync (sf_leads, sales_outcomes; a conversion also
 * sf_lead_conversions), and rows written as the code writes them where a test cannot wait for the
 * real path (a backfill job's contacts, a note intent, pending outcome work, a dead letter, a
 * contact merged into this one).
 */
async function seededContact(opts: { convert?: boolean } = {}) {
  const [c] = await handOff(1);
  const { contactId, leadId } = c!;
  const email = (await salesforce<{ Email: string }>("GET", `/sobjects/Lead/${leadId}`)).Email;
  await patchLead(leadId, { Status: "Working - Contacted" });
  if (opts.convert) await convertLead(leadId);
  await runSync();
  const other = await createContact(
    qualifyingContact(unique()),
    await createCompany({ name: "M" }),
  );
  await deliver([leadEvent(other)]);
  const now = Date.now();
  const job = unique();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO jobs (id, kind, state, params, created_at, updated_at) VALUES (?, 'backfill', 'done', '{}', ?, ?)",
    ).bind(job, now, now),
    env.DB.prepare(
      "INSERT INTO job_contacts (job_id, contact_id, found_at, enqueued_at) VALUES (?, ?, ?, ?)",
    ).bind(job, contactId, now, now),
    env.DB.prepare("INSERT INTO note_intents (contact_id, feedback_key, at) VALUES (?, ?, ?)").bind(
      contactId,
      "fk",
      now,
    ),
    env.DB.prepare(
      "INSERT INTO sf_pending (kind, key, at) VALUES ('outcome_lead', ?, ?) ON CONFLICT DO NOTHING",
    ).bind(leadId, now),
    env.DB.prepare(
      "INSERT INTO dead_letters (message_id, body, reason, attempts, received_at, kind) VALUES (?, ?, ?, 6, ?, 'salesforce_refused')",
    ).bind(
      unique(),
      JSON.stringify({ contactId, events: [leadEvent(contactId)] }),
      `salesforce_refused: INVALID_EMAIL_ADDRESS: ${email}`,
      now,
    ),
    // The other contact was merged into this one (merge.ts writes these).
    env.DB.prepare("UPDATE leads SET merged_into = ?, status = 'merged' WHERE contact_id = ?").bind(
      contactId,
      other,
    ),
    env.DB.prepare(
      "INSERT INTO audit (contact_id, at, step, detail) VALUES (?, ?, 'merged', ?)",
    ).bind(other, now, JSON.stringify({ into: contactId })),
  ]);
  const before = await traces(contactId, [leadId], email);
  const unseeded = ["emailAnywhere", "auditDetails", "deadLetters", "sfLeadConversions"];
  for (const [table, n] of Object.entries(before))
    if (!unseeded.includes(table)) expect(n, `${table} is seeded`).not.toBe(0);
  expect(before.sfLeadConversions).toBe(opts.convert ? 1 : 0);
  return { contactId, leadId, email, other };
}

const leadById = async (id: string) =>
  (
    await salesforce<{ records: Record<string, any>[] }>(
      "GET",
      `/query?q=${encodeURIComponent(`SELECT Id, IsConverted, HubSpot_Contact_Id__c FROM Lead WHERE Id = '${id}'`)}`,
    )
  ).records[0];

/**
 * A real nightly report (the cron, for today), with these contacts as its longest-waiting stale
 * MQLs, in D1 history and as the latest in KV; its day.
 */
async function reportNaming(contactIds: string[]): Promise<string> {
  const controller = createScheduledController({
    cron: NIGHTLY_CRON,
    scheduledTime: Date.now() + 86_400_000,
  });
  await worker.scheduled(controller, env, createExecutionContext());
  const report = ReportSchema.parse(await env.KV.get(FUNNEL_LATEST_KEY, "json"));
  expect(report.sales).toBeDefined();
  const handedOffAt = new Date().toISOString();
  report.sales!.staleMqls.oldest = contactIds.map((contactId) => ({ contactId, handedOffAt }));
  const json = JSON.stringify(report);
  await env.KV.put(FUNNEL_LATEST_KEY, json);
  await env.DB.prepare("UPDATE funnel_reports SET report = ? WHERE day = ?")
    .bind(json, report.date)
    .run();
  return report.date;
}

async function staleInReports(day: string) {
  const row = await env.DB.prepare("SELECT report FROM funnel_reports WHERE day = ?")
    .bind(day)
    .first<{ report: string }>();
  const d1 = ReportSchema.parse(JSON.parse(row!.report));
  const kv = ReportSchema.parse(await env.KV.get(FUNNEL_LATEST_KEY, "json"));
  const ids = (r: typeof d1) => r.sales!.staleMqls.oldest.map((m) => m.contactId);
  return { d1: ids(d1), kv: ids(kv) };
}

const privacyCount = async () =>
  (
    await env.DB.prepare(
      "SELECT value FROM daily_counters WHERE day = ? AND name = 'privacy_deletions'",
    )
      .bind(utcDay(Date.now()))
      .first<{ value: number }>()
  )?.value ?? 0;

describe("privacy deletion", () => {
  it("leaves no row with the contact's id or email in any table, and deletes its unconverted Lead", async () => {
    const { contactId, leadId, email, other } = await seededContact();
    const day = await reportNaming([contactId, other]);
    const counted = await privacyCount();
    const result = await deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await leadById(leadId)).toBeUndefined();
    expect((await salesforceLeads()).some((l) => l.HubSpot_Contact_Id__c === contactId)).toBe(
      false,
    );
    // Only a count stays; the contact merged into it keeps its own row, no longer pointing at it.
    expect(await privacyCount()).toBe(counted + 1);
    expect(await leadRow(other)).toMatchObject({ status: "merged", merged_into: null });
    // The reports' stale-MQL lists, in D1 and the latest in KV, no longer name it.
    expect(await staleInReports(day)).toEqual({ d1: [other], kv: [other] });

    // The same deletion again (HubSpot retries): done again, nothing comes back.
    const again = await deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
  });

  it("purges again what a late event for a deleted contact brings back, keeping only a keyed hash", async () => {
    const { contactId, leadId, email } = await seededContact();
    const created = leadEvent(contactId);
    await deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    // HubSpot has erased the contact; its retry of an older event arrives a while later.
    await fetch(`${hubspotUrl()}/crm/v3/objects/contacts/${contactId}`, {
      method: "DELETE",
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    const counted = await privacyCount();
    const late = await deliver([{ ...created, key: `${created.key}:late` }]);
    expect(late.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await privacyCount()).toBe(counted);
    // The tombstone is not the id, nor a bare hash of it that anyone could recompute.
    const { results } = await env.DB.prepare("SELECT token FROM privacy_tombstones").all<{
      token: string;
    }>();
    const bare = [
      ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(contactId))),
    ]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.token === contactId || r.token === bare)).toBe(false);
  });

  it("keeps a converted Lead (sales' records) and still purges D1", async () => {
    const { contactId, leadId, email } = await seededContact({ convert: true });
    const result = await deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await leadById(leadId)).toMatchObject({ IsConverted: true });
  });

  it('with "flag", unlinks the Lead from the contact (an org without the checkbox) and purges D1', async () => {
    const { contactId, leadId, email } = await seededContact();
    const result = await deliver(
      [leadEvent(contactId, "contact.privacyDeletion")],
      1,
      withChoice("flag"),
    );
    expect(result.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await leadById(leadId)).toMatchObject({
      IsConverted: false,
      HubSpot_Contact_Id__c: null,
    });
    // The next pull does not bring the unlinked Lead back into the mirror.
    await patchLead(leadId, { Status: "Closed - Not Converted" });
    await runSync();
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
  });

  it('with "keep", leaves Salesforce alone and purges D1', async () => {
    const { contactId, leadId, email } = await seededContact();
    const result = await deliver(
      [leadEvent(contactId, "contact.privacyDeletion")],
      1,
      withChoice("keep"),
    );
    expect(result.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await leadById(leadId)).toMatchObject({ HubSpot_Contact_Id__c: contactId });
  });

  it("purges D1 at once when Salesforce fails, and deletes the Lead on the retry", async () => {
    const { contactId, leadId, email } = await seededContact();
    await setSalesforceFaults([{ kind: "status", status: 503, path: "/services/data/" }]);
    const failed = await deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    expect(failed.explicitAcks).toHaveLength(0);
    expect(failed.explicitRetries).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
    expect(await leadById(leadId).catch(() => "unreadable")).toBe("unreadable");

    await setSalesforceFaults([]);
    expect(await leadById(leadId)).toMatchObject({ Id: leadId });
    const retried = await deliver([leadEvent(contactId, "contact.privacyDeletion")], 2);
    expect(retried.explicitAcks).toHaveLength(1);
    expect(await leadById(leadId)).toBeUndefined();
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
  });

  it("takes a Lead deleted by someone else in the meantime (404) as done", async () => {
    const { contactId, leadId, email } = await seededContact();
    await fetch(`${salesforceUrl()}/__sandbox/requests`, { method: "DELETE" });
    // The handoff's DELETE waits in the sandbox; meanwhile an admin deletes the Lead.
    await setSalesforceFaults([
      { kind: "latency", ms: 3_000, method: "DELETE", path: "/sobjects/Lead/", times: 1 },
    ]);
    const delivering = deliver([leadEvent(contactId, "contact.privacyDeletion")]);
    await eventually(
      async () => {
        const { requests } = await fetch(`${salesforceUrl()}/__sandbox/requests`).then((r) =>
          r.json<{ requests: { method: string; path: string }[] }>(),
        );
        return requests.some((r) => r.method === "DELETE" && r.path.includes(leadId)) || undefined;
      },
      10_000,
      "the handoff's DELETE to reach the sandbox",
    );
    await salesforce("DELETE", `/sobjects/Lead/${leadId}`);
    const result = await delivering;
    expect(result.explicitAcks).toHaveLength(1);
    expect(await traces(contactId, [leadId], email)).toEqual(nothingLeft);
  });
});
