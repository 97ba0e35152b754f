import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { createClients } from "../../shared/clients";
import { loadConfig } from "../../shared/env";
import { createLogger } from "../../shared/log";
import { acquireLease, LEASE_MS } from "../../workers/outcomes/lease";
import { runOutcomeSync } from "../../workers/outcomes/run";
import { admin } from "./admin-client";
import {
  clearRequestLogs,
  convertLead,
  handOff,
  hubspotSide,
  outcomeRow,
  patchLead,
  runSync,
  salesNotes,
} from "./outcomes-harness";
import {
  salesforceUrl,
  setHubSpotFaults,
  setLeadbridgeOptions,
  setSalesforceFaults,
} from "./sandboxes";

// Faults during the outcome sync: HubSpot 429s and 5xx during the write-back, Salesforce sessions
// expiring during the pull, a run that dies after posting a note. After the faults clear and the
// sync runs again, every contact is right, no note is doubled, nothing is lost.

const BATCH_UPDATE = "/crm/v3/objects/contacts/batch/update";
const NOTES = "/crm/v3/objects/notes/batch/create";

afterEach(async () => {
  await setHubSpotFaults([]);
  await setSalesforceFaults([]);
  await setLeadbridgeOptions("leadbridge_sales_stage");
});

async function refuseAndAccept() {
  const [refused, accepted] = await handOff(2);
  await patchLead(refused!.leadId, {
    Status: "Closed - Not Converted",
    Disqualification_Reason__c: "No authority",
  });
  await patchLead(accepted!.leadId, { Status: "Working - Contacted" });
  return { refused: refused!, accepted: accepted! };
}

async function expectRight(c: { refused: { contactId: string }; accepted: { contactId: string } }) {
  const refused = await hubspotSide(c.refused.contactId);
  expect(refused).toMatchObject({ stage: "sales_rejected", feedback: "No authority" });
  expect(salesNotes(refused.notes)).toHaveLength(1);
  expect(await hubspotSide(c.accepted.contactId)).toMatchObject({
    stage: "accepted",
    lifecycle: "salesqualifiedlead",
  });
  for (const id of [c.refused.contactId, c.accepted.contactId]) {
    const row = await outcomeRow(id);
    expect(row!.written_version).toBe(row!.version);
    expect(row!.last_error).toBeNull();
  }
}

describe("outcome sync faults", () => {
  it("HubSpot 429s past the inline waits leave the contacts pending; the next run writes them once", async () => {
    const c = await refuseAndAccept();
    await setHubSpotFaults([{ kind: "rate_limit", path: BATCH_UPDATE, ms: 50 }]);
    const failed = await runSync();
    expect(failed.written.failed).toBeGreaterThanOrEqual(2);
    expect(failed.pending).toBeGreaterThanOrEqual(2);
    expect(failed.complete).toBe(false);
    const row = await outcomeRow(c.refused.contactId);
    expect(row).toMatchObject({ written_version: 0, attempts: 1 });
    expect(row!.last_error).toContain("hubspot_rate_limited");
    expect(salesNotes((await hubspotSide(c.refused.contactId)).notes)).toHaveLength(0);

    await setHubSpotFaults([]);
    const again = await runSync();
    expect(again.written.failed).toBe(0);
    await expectRight(c);
  });

  it("a HubSpot 5xx on the notes leaves the note owed; the retry looks on the timeline and posts it once", async () => {
    const c = await refuseAndAccept();
    await setHubSpotFaults([{ kind: "status", status: 503, path: NOTES }]);
    const failed = await runSync();
    expect(failed.written.notes).toBe(0);
    expect(failed.written.failed).toBeGreaterThanOrEqual(1);
    // The properties landed; the note did not, and its intent is on the row.
    expect((await hubspotSide(c.refused.contactId)).stage).toBe("sales_rejected");
    expect((await outcomeRow(c.refused.contactId))!.note_intent_at).toBeGreaterThan(0);

    await setHubSpotFaults([]);
    const again = await runSync();
    expect(again.written.notes).toBeGreaterThanOrEqual(1);
    await expectRight(c);
  });

  it("a run that dies after posting a note finds it on the timeline and does not post it again", async () => {
    const c = await refuseAndAccept();
    // D1 fails the transaction that records what was written: the isolate "died" after the calls.
    const settles = /written_version = MAX/;
    const dying = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "prepare")
          return (sql: string) => {
            const statement = target.prepare(sql);
            if (!settles.test(sql)) return statement;
            return new Proxy(statement, {
              get: (s, p) =>
                p === "bind"
                  ? (...args: unknown[]) => {
                      const bound = s.bind(...args);
                      doomed.add(bound);
                      return bound;
                    }
                  : Reflect.get(s, p, s),
            });
          };
        if (prop === "batch")
          return (statements: D1PreparedStatement[]) =>
            statements.some((s) => doomed.has(s))
              ? Promise.reject(new Error("D1 went away"))
              : target.batch(statements);
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const doomed = new WeakSet<object>();
    const config = loadConfig(env);
    await expect(
      runOutcomeSync({
        db: dying,
        kv: env.KV,
        clients: createClients(config, env),
        budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
        disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
        log: createLogger({ test: "dying" }, "error"),
      }),
    ).rejects.toThrow("D1 went away");
    expect(salesNotes((await hubspotSide(c.refused.contactId)).notes)).toHaveLength(1);
    expect((await outcomeRow(c.refused.contactId))!.written_version).toBe(0);

    const again = await runSync();
    expect(again.written.notes).toBe(0);
    await expectRight(c);
    const view = await admin("GET", `/admin/leads/${c.refused.contactId}`);
    expect(
      (view.body.audit as { step: string; detail: Record<string, unknown> }[]).find(
        (a) => a.step === "sales_stage_written",
      )?.detail,
    ).toMatchObject({ noteFound: true });
  });

  it("a sales stage HubSpot refuses for one contact fails that contact alone; it waits, shown in sync health, and is written once the portal takes it", async () => {
    const c = await refuseAndAccept();
    const [atFault] = await handOff(1);
    // Sales marks the Lead converted; the portal's leadbridge_sales_stage predates that option:
    // HubSpot refuses (400) any batch update that carries it.
    await patchLead(atFault!.leadId, { Status: "Closed - Converted" });
    await setLeadbridgeOptions("leadbridge_sales_stage", (v) => v !== "converted");

    const first = await runSync();
    expect(first.written).toMatchObject({ failed: 0, refused: 1 });
    expect(first.written.contacts).toBeGreaterThanOrEqual(2);
    expect(first.written.notes).toBeGreaterThanOrEqual(1);
    expect(first.refused).toBeGreaterThanOrEqual(1);
    await expectRight(c);
    expect((await hubspotSide(atFault!.contactId)).stage).toBeNull();
    const refused = await outcomeRow(atFault!.contactId);
    expect(refused).toMatchObject({ stage: "converted", written_version: 0, attempts: 1 });
    expect(refused!.last_error).toMatch(/^hubspot_error \(400\)/);
    // Not tried again at every run: an hour away, doubling to a day.
    expect(refused!.retry_at).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    expect(refused!.retry_at).toBeLessThanOrEqual(Date.now() + 60 * 60 * 1000);

    const next = await runSync();
    expect(next.written.refused).toBe(0);
    expect(await outcomeRow(atFault!.contactId)).toMatchObject({
      attempts: 1,
      retry_at: refused!.retry_at,
    });

    // Sync health names the contact and the code, not its values.
    const health = await admin("GET", "/admin/sync-health?hours=1");
    const other = (
      health.body.errors as { kind: string; contacts: string[]; codes: Record<string, number> }[]
    ).find((e) => e.kind === "other")!;
    expect(other.contacts).toContain(atFault!.contactId);
    expect(other.codes.sales_stage_refused).toBeGreaterThanOrEqual(1);

    // The admin adds the option; once its hour has passed, the next run writes it.
    await setLeadbridgeOptions("leadbridge_sales_stage");
    await env.DB.prepare("UPDATE sales_outcomes SET retry_at = ? WHERE contact_id = ?")
      .bind(Date.now() - 1, atFault!.contactId)
      .run();
    const healed = await runSync();
    expect(healed.written.contacts).toBeGreaterThanOrEqual(1);
    expect((await hubspotSide(atFault!.contactId)).stage).toBe("converted");
    expect(await outcomeRow(atFault!.contactId)).toMatchObject({
      written_version: 1,
      attempts: 0,
      last_error: null,
      retry_at: null,
    });
  });

  it("a contact HubSpot refused is tried again at once when sales changes its Lead", async () => {
    const [atFault] = await handOff(1);
    await patchLead(atFault!.leadId, { Status: "Closed - Converted" });
    await setLeadbridgeOptions("leadbridge_sales_stage", (v) => v !== "converted");
    expect((await runSync()).written.refused).toBe(1);

    await patchLead(atFault!.leadId, { Status: "Working - Contacted" });
    const run = await runSync();
    expect(run.written.refused).toBe(0);
    expect(await hubspotSide(atFault!.contactId)).toMatchObject({
      stage: "accepted",
      lifecycle: "salesqualifiedlead",
    });
    expect(await outcomeRow(atFault!.contactId)).toMatchObject({ attempts: 0, retry_at: null });
  });

  it("a Salesforce session that expires during the pull is authorized again; nothing is lost", async () => {
    const c = await refuseAndAccept();
    await setSalesforceFaults([{ kind: "expire_session", path: "/query", times: 1 }]);
    const run = await runSync();
    expect(run.skipped).toBeUndefined();
    await expectRight(c);
  });

  it("a pull that fails part-way keeps the pages it saved; the next run goes on from the cursors", async () => {
    const c = await refuseAndAccept();
    const [converted] = await handOff(1);
    const conversion = await convertLead(converted!.leadId);
    // The Opportunity query is answered and its page saved; the Lead query that follows fails.
    await setSalesforceFaults([
      { kind: "status", status: 503, path: "/query", every: 2, times: 1 },
    ]);
    const broken = await runSync();
    expect(broken.skipped).toBe("salesforce_unavailable");
    const saved = await env.DB.prepare("SELECT stage_name FROM sf_opportunities WHERE id = ?")
      .bind(conversion.opportunityId)
      .first<{ stage_name: string }>();
    expect(saved?.stage_name).toBeTruthy();

    await setSalesforceFaults([]);
    const next = await runSync();
    expect(next.skipped).toBeUndefined();
    await expectRight(c);
    expect(await hubspotSide(converted!.contactId)).toMatchObject({
      stage: "LeadIn",
      lifecycle: "opportunity",
    });
  });

  it("over the Salesforce budget skips the pull and still writes what is pending", async () => {
    const c = await refuseAndAccept();
    await setHubSpotFaults([{ kind: "status", status: 500, path: BATCH_UPDATE }]);
    await runSync();
    await setHubSpotFaults([]);
    await env.KV.put("salesforce:usage", JSON.stringify({ used: 99, max: 100, at: Date.now() }));
    try {
      await clearRequestLogs();
      const run = await runSync();
      expect(run.skipped).toBe("salesforce_budget");
      expect(run.pulled).toEqual({});
      const requests = await fetch(`${salesforceUrl()}/__sandbox/requests`).then((r) =>
        r.json<{ requests: unknown[] }>(),
      );
      expect(requests.requests).toHaveLength(0);
      await expectRight(c);
    } finally {
      await env.KV.delete("salesforce:usage");
    }
  });

  it("answers 409 while another sync holds the lease, and runs once it is let go", async () => {
    const held = await acquireLease(env.DB, "someone-else", Date.now());
    if ("heldUntil" in held) throw new Error("lease already held");
    try {
      const res = await admin("POST", "/admin/outcomes/run");
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("conflict");
      expect(res.body.error.message).toContain("outcome sync is running");
    } finally {
      await held.release();
    }
    expect((await admin("POST", "/admin/outcomes/run")).status).toBe(200);
  });

  it("lets the next run in once a lease expires, and the run that outlived it learns it lost it", async () => {
    const start = Date.now();
    const first = await acquireLease(env.DB, "slow-run", start);
    if ("heldUntil" in first) throw new Error("lease already held");
    expect(await first.renew(start + 1000)).toBe(true);
    const busy = await acquireLease(env.DB, "next-run", start + 2000);
    expect(busy).toEqual({ heldUntil: start + 1000 + LEASE_MS });
    const next = await acquireLease(env.DB, "next-run", start + 1000 + LEASE_MS);
    if ("heldUntil" in next) throw new Error("the expired lease was not taken over");
    expect(await first.renew(start + 1001 + LEASE_MS)).toBe(false);
    await first.release(); // not its own any more: changes nothing
    expect("heldUntil" in (await acquireLease(env.DB, "third", start + 1002 + LEASE_MS))).toBe(
      true,
    );
    await next.release();
  });
});
