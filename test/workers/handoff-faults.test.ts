import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { MAX_DELIVERIES } from "../../workers/handoff/consumer";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotCounts,
  qualifyingContact,
  rawContact,
  salesforceCounts,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
  setSalesforceLimits,
} from "./sandboxes";

let run = 0;
const unique = () => `f${Date.now().toString(36)}${++run}`;
const leadsFor = async (contactId: string) => (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);
const COLLECTIONS = "/composite/sobjects/Lead/HubSpot_Contact_Id__c";

async function qualifying(n = 1): Promise<string[]> {
  const company = await createCompany({ name: "Faulty Robotics" });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await createContact(qualifyingContact(unique()), company));
  return ids;
}

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([]), setSalesforceLimits({ expireEvery: null, used: 0 })]);
  await env.KV.delete("salesforce:usage");
  await env.KV.delete("salesforce:token");
});

describe("Salesforce faults", () => {
  it("retries records Salesforce could not lock, then hands them off once", async () => {
    const ids = await qualifying(3);
    await setSalesforceFaults([{ kind: "lock_row", path: COLLECTIONS, every: 2, times: 1 }]);
    const first = await deliver(ids.map((id) => leadEvent(id)));
    expect(first.explicitRetries).toHaveLength(1);
    expect(first.explicitAcks).toHaveLength(2);
    const retried = ids[first.ids.indexOf(first.explicitRetries[0]!.msgId)]!;
    expect(first.explicitRetries[0]!.delaySeconds).toBeGreaterThanOrEqual(10);
    expect(await auditSteps(retried)).toContain("push_retry");

    const second = await deliver([leadEvent(retried)], 2);
    expect(second.explicitAcks).toHaveLength(1);
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
  });

  it("retries the whole push when Salesforce answers 503", async () => {
    const [id] = await qualifying();
    await setSalesforceFaults([{ kind: "status", status: 503, path: COLLECTIONS, times: 1 }]);
    const first = await deliver([leadEvent(id!)]);
    expect(first.explicitRetries).toHaveLength(1);
    expect(await leadsFor(id!)).toHaveLength(0);
    const second = await deliver([leadEvent(id!)], 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await leadsFor(id!)).toHaveLength(1);
  });

  it("authorizes again when the session expires, without losing the batch", async () => {
    const [id] = await qualifying();
    await deliver([leadEvent((await qualifying())[0]!)]); // warms the cached token
    await setSalesforceFaults([{ kind: "expire_session", path: COLLECTIONS, times: 1 }]);
    const result = await deliver([leadEvent(id!)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await leadsFor(id!)).toHaveLength(1);
  });

  it("holds work past the daily limit without dropping or dead-lettering it, and still sends refusals", async () => {
    const [id] = await qualifying();
    const refused = await createContact(qualifyingContact(unique(), { email: "someone@gmail.com" }));
    await setSalesforceFaults([{ kind: "request_limit", path: COLLECTIONS }]);
    const result = await deliver([leadEvent(id!), leadEvent(refused)], MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(2); // held work is re-enqueued as a fresh message
    expect(await auditSteps(id!)).toContain("held");
    expect((await rawContact(refused)).properties.leadbridge_status).toBe("rejected");
    expect(await leadsFor(id!)).toHaveLength(0);
    const dead = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE body LIKE ?").bind(`%"contactId":"${id}"%`).first<{ n: number }>();
    expect(dead!.n).toBe(0);
  });

  it("holds work when API usage is above the configured share, without calling Salesforce", async () => {
    const [id] = await qualifying();
    await env.KV.put("salesforce:usage", JSON.stringify({ used: 85_000, max: 100_000, at: Date.now() }));
    const before = (await salesforceCounts()).total;
    const result = await deliver([leadEvent(id!)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await salesforceCounts()).total).toBe(before);
    expect(await auditSteps(id!)).toContain("held");
    expect((await leadRow(id!))?.status).not.toBe("handed_off");
  });
});

describe("HubSpot faults", () => {
  it("waits out a 429 as HubSpot's headers say and carries on", async () => {
    const [id] = await qualifying();
    await setHubSpotFaults([{ kind: "rate_limit", path: "/crm/v3/objects/contacts/batch/read", times: 1 }]);
    const result = await deliver([leadEvent(id!)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await rawContact(id!)).properties.leadbridge_status).toBe("handed_off");
  });

  it("a failure after the Salesforce push retries the batch and still leaves one lead", async () => {
    const ids = await qualifying(2);
    await setHubSpotFaults([{ kind: "status", status: 500, path: "/crm/v3/objects/contacts/batch/update", times: 2 }]);
    const first = await deliver(ids.map((id) => leadEvent(id)));
    expect(first.explicitRetries).toHaveLength(2);
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
    expect(await auditSteps(ids[0]!)).toContain("error");

    const second = await deliver(ids.map((id) => leadEvent(id)), 2);
    expect(second.explicitAcks).toHaveLength(2);
    for (const id of ids) {
      expect(await leadsFor(id)).toHaveLength(1);
      expect((await rawContact(id)).properties.leadbridge_status).toBe("handed_off");
    }
  });

  it("a consumer that dies mid-batch loses nothing and duplicates nothing", async () => {
    const ids = await qualifying(3);
    await setHubSpotFaults([{ kind: "latency", ms: 50, path: "/crm/v3/objects/notes" }]);
    // Throwing from inside the handler: the runtime retries every message not acked.
    const batch = createMessageBatch("lead-events", ids.map((id, i) => ({ id: `crash-${i}-${unique()}`, timestamp: new Date(), attempts: 1, body: leadEvent(id) })));
    const crashing = { ...env, DB: new Proxy(env.DB, { get: (t, p) => (p === "batch" ? () => Promise.reject(new Error("D1 went away")) : Reflect.get(t, p).bind?.(t) ?? Reflect.get(t, p)) }) };
    const ctx = createExecutionContext();
    await worker.queue(batch, crashing as Env, ctx).catch(() => {});
    const outcome = (await getQueueResult(batch, ctx)) as unknown as { explicitAcks: string[] };
    expect(outcome.explicitAcks).toHaveLength(0);
    const again = await deliver(ids.map((id) => leadEvent(id)), 2);
    expect(again.explicitAcks).toHaveLength(3);
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
  });

  it("counts its HubSpot calls: three batch reads, one status write per batch", async () => {
    const ids = await qualifying(5);
    const before = (await hubspotCounts()).byEndpoint;
    await deliver(ids.map((id) => leadEvent(id)));
    const after = (await hubspotCounts()).byEndpoint;
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect(delta("POST /crm/v3/objects/contacts/batch/read")).toBe(1);
    expect(delta("POST /crm/v3/objects/companies/batch/read")).toBe(1);
    expect(delta("POST /crm/v4/associations/:fromObjectType/:toObjectType/batch/read")).toBe(1);
    expect(delta("POST /crm/v3/objects/contacts/batch/update")).toBe(1);
  });
});

describe("dead letters", () => {
  it("sends a poison message to the DLQ with its reason", async () => {
    const result = await deliver([{ not: "an event" }]);
    expect(result.explicitAcks).toHaveLength(1);
    const dlq = createMessageBatch("lead-events-dlq", [{ id: `dlq-${unique()}`, timestamp: new Date(), attempts: 1, body: { event: { not: "an event" }, reason: "not a lead event: message.key: invalid", attempts: 1 } }]);
    const ctx = createExecutionContext();
    await worker.queue(dlq, env, ctx);
    const row = await env.DB.prepare("SELECT reason, body FROM dead_letters ORDER BY id DESC LIMIT 1").first<{ reason: string; body: string }>();
    expect(row).toEqual({ reason: "not a lead event: message.key: invalid", body: '{"not":"an event"}' });
  });

  it("dead-letters a message that fails on its last delivery", async () => {
    const [id] = await qualifying();
    await setSalesforceFaults([{ kind: "status", status: 503, path: COLLECTIONS, times: 1 }]);
    const result = await deliver([leadEvent(id!)], MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.explicitRetries).toHaveLength(0);
    // The DLQ consumer (real local queue) records it with the reason.
    const recorded = () =>
      env.DB.prepare("SELECT reason FROM dead_letters WHERE body LIKE ?").bind(`%"contactId":"${id}"%`).first<{ reason: string }>();
    await expect.poll(recorded, { timeout: 15_000, interval: 250 }).toMatchObject({ reason: expect.stringMatching(/^salesforce_unavailable: Salesforce call failed \(SERVER_UNAVAILABLE\)/) });
  });
});
