import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { backoffSeconds, MAX_DELIVERIES, retryWindowSeconds } from "../../shared/retryable";
import worker from "../../workers/index";
import { auditSteps, deliver, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  createContacts,
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
const leadsFor = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);
const COLLECTIONS = "/composite/sobjects/Lead/HubSpot_Contact_Id__c";

async function qualifying(n = 1): Promise<string[]> {
  const company = await createCompany({ name: "Faulty Robotics" });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await createContact(qualifyingContact(unique()), company));
  return ids;
}

beforeEach(async () => {
  await Promise.all([
    setHubSpotFaults([]),
    setSalesforceFaults([]),
    setSalesforceLimits({ expireEvery: null, used: 0 }),
  ]);
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
    const refused = await createContact(
      qualifyingContact(unique(), { email: "someone@gmail.com" }),
    );
    await setSalesforceFaults([{ kind: "request_limit", path: COLLECTIONS }]);
    const result = await deliver([leadEvent(id!), leadEvent(refused)], MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(2); // held work is re-enqueued as a fresh message
    expect(await auditSteps(id!)).toContain("held");
    expect((await rawContact(refused)).properties.leadbridge_status).toBe("rejected");
    expect(await leadsFor(id!)).toHaveLength(0);
    const dead = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE body LIKE ?")
      .bind(`%"contactId":"${id}"%`)
      .first<{ n: number }>();
    expect(dead!.n).toBe(0);
  });

  it("holds work when API usage is above the configured share, without calling Salesforce", async () => {
    const [id] = await qualifying();
    await env.KV.put(
      "salesforce:usage",
      JSON.stringify({ used: 85_000, max: 100_000, at: Date.now() }),
    );
    const before = (await salesforceCounts()).total;
    const result = await deliver([leadEvent(id!)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await salesforceCounts()).total).toBe(before);
    expect(await auditSteps(id!)).toContain("held");
    expect((await leadRow(id!))?.status).not.toBe("handed_off");
  });
});

describe("the Salesforce API budget, from Sforce-Limit-Info", () => {
  it("learns usage from Salesforce's answers, holds the next push past the share, and honours a higher share", async () => {
    const [first, second] = await qualifying(2);
    await setSalesforceLimits({ used: 84_000 });
    expect((await deliver([leadEvent(first!)])).explicitAcks).toHaveLength(1);
    expect((await leadRow(first!))?.status).toBe("handed_off");
    // Recorded from the header of the calls just made.
    const usage = (await env.KV.get("salesforce:usage", "json")) as { used: number; max: number };
    expect(usage.used).toBeGreaterThan(84_000);
    expect(usage.max).toBe(100_000);

    const before = (await salesforceCounts()).total;
    await deliver([leadEvent(second!)]);
    expect((await salesforceCounts()).total).toBe(before);
    expect(await auditSteps(second!)).toContain("held");

    await deliver([leadEvent(second!)], 1, { ...env, SALESFORCE_DAILY_BUDGET_SHARE: "0.9" } as Env);
    expect((await leadRow(second!))?.status).toBe("handed_off");
  });
});

describe("HubSpot faults", () => {
  it("waits out a 429 as HubSpot's headers say and carries on", async () => {
    const [id] = await qualifying();
    await setHubSpotFaults([
      { kind: "rate_limit", path: "/crm/v3/objects/contacts/batch/read", times: 1 },
    ]);
    const result = await deliver([leadEvent(id!)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await rawContact(id!)).properties.leadbridge_status).toBe("handed_off");
  });

  it("a failure after the Salesforce push retries the batch and still leaves one lead", async () => {
    const ids = await qualifying(2);
    await setHubSpotFaults([
      { kind: "status", status: 500, path: "/crm/v3/objects/contacts/batch/update", times: 2 },
    ]);
    const first = await deliver(ids.map((id) => leadEvent(id)));
    expect(first.explicitRetries).toHaveLength(2);
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
    expect(await auditSteps(ids[0]!)).toContain("feedback_retry");
    const pushes = (await salesforceCounts()).total;

    const second = await deliver(
      ids.map((id) => leadEvent(id)),
      2,
    );
    expect(second.explicitAcks).toHaveLength(2);
    expect((await salesforceCounts()).total).toBe(pushes); // recorded as pushed: not pushed again
    for (const id of ids) {
      expect(await leadsFor(id)).toHaveLength(1);
      expect((await rawContact(id)).properties.leadbridge_status).toBe("handed_off");
    }
  });

  it("a consumer that dies mid-batch loses nothing and duplicates nothing", async () => {
    const ids = await qualifying(3);
    await setHubSpotFaults([{ kind: "latency", ms: 50, path: "/crm/v3/objects/notes" }]);
    // Throwing from inside the handler: the runtime retries every message not acked.
    const batch = createMessageBatch(
      "lead-events",
      ids.map((id, i) => ({
        id: `crash-${i}-${unique()}`,
        timestamp: new Date(),
        attempts: 1,
        body: leadEvent(id),
      })),
    );
    const crashing = {
      ...env,
      DB: new Proxy(env.DB, {
        get: (t, p) =>
          p === "batch"
            ? () => Promise.reject(new Error("D1 went away"))
            : (Reflect.get(t, p).bind?.(t) ?? Reflect.get(t, p)),
      }),
    };
    const ctx = createExecutionContext();
    await worker.queue(batch, crashing as Env, ctx).catch(() => {});
    const outcome = (await getQueueResult(batch, ctx)) as unknown as { explicitAcks: string[] };
    expect(outcome.explicitAcks).toHaveLength(0);
    const again = await deliver(
      ids.map((id) => leadEvent(id)),
      2,
    );
    expect(again.explicitAcks).toHaveLength(3);
    for (const id of ids) expect(await leadsFor(id)).toHaveLength(1);
  });

  it("a consumer that dies after posting refusal notes never posts them twice", async () => {
    const refused = await Promise.all(
      [0, 1, 2].map(() =>
        createContact(qualifyingContact(unique(), { email: `d.${unique()}@gmail.com` })),
      ),
    );
    const batch = createMessageBatch(
      "lead-events",
      refused.map((id, i) => ({
        id: `note-crash-${i}-${unique()}`,
        timestamp: new Date(),
        attempts: 1,
        body: leadEvent(id),
      })),
    );
    // The notes land, then the batch's final transaction fails: nothing records that they did.
    const crashing = {
      ...env,
      DB: new Proxy(env.DB, {
        get: (t, p) =>
          p === "batch"
            ? () => Promise.reject(new Error("D1 went away"))
            : (Reflect.get(t, p).bind?.(t) ?? Reflect.get(t, p)),
      }),
    };
    const ctx = createExecutionContext();
    await worker.queue(batch, crashing as Env, ctx).catch(() => {});
    expect(
      ((await getQueueResult(batch, ctx)) as unknown as { explicitAcks: string[] }).explicitAcks,
    ).toHaveLength(0);
    for (const id of refused) expect((await rawContact(id)).notes).toHaveLength(1);

    const again = await deliver(
      refused.map((id) => leadEvent(id)),
      2,
    );
    expect(again.explicitAcks).toHaveLength(3);
    for (const id of refused) {
      expect((await rawContact(id)).notes).toHaveLength(1);
      expect((await leadRow(id))!.feedback_key).toContain("free_email_domain");
    }
    const intents = await env.DB.prepare(
      "SELECT count(*) AS n FROM note_intents WHERE contact_id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(refused))
      .first<{ n: number }>();
    expect(intents!.n).toBe(0);
  });

  it("counts its HubSpot calls: three batch reads, one status write per batch", async () => {
    // One batch first: the rules, mapping and routing in force (D1 may hold versions an earlier
    // file saved) can name properties this isolate's first batch reads in a second call
    // (readMoreProperties). The batch counted is a steady one.
    await deliver((await qualifying(1)).map((id) => leadEvent(id)));
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
    const dlq = createMessageBatch("lead-events-dlq", [
      {
        id: `dlq-${unique()}`,
        timestamp: new Date(),
        attempts: 1,
        body: {
          event: { not: "an event" },
          reason: "not a lead event: message.key: invalid",
          attempts: 1,
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(dlq, env, ctx);
    const row = await env.DB.prepare(
      "SELECT reason, body FROM dead_letters ORDER BY id DESC LIMIT 1",
    ).first<{ reason: string; body: string }>();
    expect(row).toEqual({
      reason: "not a lead event: message.key: invalid",
      body: '{"not":"an event"}',
    });
  });

  it("dead-letters a message that fails on its last delivery", async () => {
    const [id] = await qualifying();
    // Its own record's trouble (an outage pauses instead: outage-pause.test.ts).
    await setSalesforceFaults([{ kind: "lock_row", path: COLLECTIONS, times: 1 }]);
    const result = await deliver([leadEvent(id!)], MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.explicitRetries).toHaveLength(0);
    // The DLQ consumer (real local queue) records it with the reason.
    const recorded = () =>
      env.DB.prepare("SELECT reason FROM dead_letters WHERE body LIKE ?")
        .bind(`%"contactId":"${id}"%`)
        .first<{ reason: string }>();
    await expect.poll(recorded, { timeout: 15_000, interval: 250 }).toMatchObject({
      reason: expect.stringMatching(/^salesforce_transient: Salesforce UNABLE_TO_LOCK_ROW/),
    });
  });

  it("keeps one contact per dead letter when a whole delivery gave up, so each replays alone", async () => {
    const [a, b] = ["8100001", "8100002"];
    const id = `raw-${unique()}`;
    const body = {
      events: [
        leadEvent(a),
        leadEvent(b),
        leadEvent(a, "contact.propertyChange", { propertyName: "email" }),
      ],
    };
    const dlq = createMessageBatch("lead-events-dlq", [
      { id, timestamp: new Date(), attempts: 6, body },
    ]);
    await worker.queue(dlq, env, createExecutionContext());
    const { results } = await env.DB.prepare(
      "SELECT message_id, body FROM dead_letters WHERE message_id LIKE ? ORDER BY message_id",
    )
      .bind(`${id}:%`)
      .all<{ message_id: string; body: string }>();
    expect(results.map((r) => r.message_id)).toEqual([`${id}:${a}`, `${id}:${b}`]);
    expect(JSON.parse(results[0]!.body)).toEqual({
      contactId: a,
      events: [body.events[0], body.events[2]],
    });
  });
});

describe("a delivery's contacts in one message", () => {
  const delivery = (ids: string[]) => ({
    events: ids.flatMap((id) => [
      leadEvent(id),
      leadEvent(id, "contact.propertyChange", { propertyName: "email" }),
    ]),
  });

  it("retries only the contacts that failed: the others are done once and skipped on redelivery", async () => {
    const [ok] = await qualifying();
    const refused = await createContact(
      qualifyingContact(unique(), { email: `d.${unique()}@gmail.com` }),
    );
    const message = delivery([ok!, refused]);
    await setSalesforceFaults([{ kind: "status", status: 503, path: COLLECTIONS, times: 1 }]);
    const first = await deliver([message]);
    expect(first.explicitRetries).toHaveLength(1);
    expect((await rawContact(refused)).properties.leadbridge_status).toBe("rejected");
    expect(await leadsFor(ok!)).toHaveLength(0);

    const second = await deliver([message], 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await leadsFor(ok!)).toHaveLength(1);
    expect((await auditSteps(refused)).filter((s) => s === "refused")).toHaveLength(1);
  });

  it("on the last delivery dead-letters each failing contact alone, with its events and reason", async () => {
    const ids = await qualifying(2);
    const refused = await createContact(
      qualifyingContact(unique(), { email: `d.${unique()}@gmail.com` }),
    );
    await setSalesforceFaults([{ kind: "lock_row", path: COLLECTIONS }]);
    const result = await deliver([delivery([...ids, refused])], MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(1);
    const letter = (id: string) =>
      env.DB.prepare("SELECT body, reason FROM dead_letters WHERE body LIKE ?")
        .bind(`{"contactId":"${id}"%`)
        .first<{ body: string; reason: string }>();
    for (const id of ids) {
      await expect
        .poll(() => letter(id), { timeout: 15_000, interval: 250 })
        .toMatchObject({ reason: expect.stringMatching(/^salesforce_transient/) });
      expect(
        JSON.parse((await letter(id))!.body).events.map((e: { contactId: string }) => e.contactId),
      ).toEqual([id, id]);
    }
    expect(await letter(refused)).toBeNull();
    expect((await rawContact(refused)).properties.leadbridge_status).toBe("rejected");
  });

  it("holds the contacts Salesforce cannot take today in a fresh message, and acks the delivery", async () => {
    const [id] = await qualifying();
    const refused = await createContact(
      qualifyingContact(unique(), { email: `d.${unique()}@gmail.com` }),
    );
    await env.KV.put(
      "salesforce:usage",
      JSON.stringify({ used: 85_000, max: 100_000, at: Date.now() }),
    );
    const sent: { body: unknown; delaySeconds?: number }[] = [];
    const queue = {
      ...env.LEAD_EVENTS,
      send: async (body: unknown, opts?: QueueSendOptions) =>
        void sent.push({ body, delaySeconds: opts?.delaySeconds }),
    };
    const result = await deliver([delivery([id!, refused])], 1, {
      ...env,
      LEAD_EVENTS: queue as unknown as Queue,
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(
      (sent[0]!.body as { events: { contactId: string }[] }).events.map((e) => e.contactId),
    ).toEqual([id, id]);
    expect(sent[0]!.delaySeconds).toBeGreaterThanOrEqual(60);
    expect((await rawContact(refused)).properties.leadbridge_status).toBe("rejected");
  });

  it("judges a batch naming 700 contacts; contacts of a Salesforce collection that failed retry alone and nothing is doubled", async () => {
    const company = await createCompany({ name: "Passes Robotics" });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        ...(await createContacts(
          Array.from({ length: 100 }, (_, j) =>
            j % 4
              ? qualifyingContact(unique())
              : qualifyingContact(unique(), { email: `p.${unique()}@gmail.com` }),
          ),
          company,
        )),
      );
    }
    const messages = Array.from({ length: 7 }, (_, i) => ({
      events: ids.slice(i * 100, (i + 1) * 100).map((id) => leadEvent(id)),
    }));
    const before = (await salesforceCounts()).total;
    // One of the three collections fails; the other two, and every refusal, carry on.
    await setSalesforceFaults([{ kind: "status", status: 503, path: COLLECTIONS, times: 1 }]);
    const first = await deliver(messages);
    expect(first.explicitRetries.length).toBeGreaterThan(0);
    expect(first.explicitAcks.length).toBeGreaterThan(0);
    const done = await env.DB.prepare(
      "SELECT count(*) AS n FROM leads WHERE contact_id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(ids))
      .first<{ n: number }>();
    expect(done!.n).toBeGreaterThan(0);
    expect(done!.n).toBeLessThan(700);

    const retried = first.explicitRetries.map((r) => messages[first.ids.indexOf(r.msgId)]!);
    const second = await deliver(retried, 2);
    expect(second.explicitAcks).toHaveLength(retried.length);
    const rows = await env.DB.prepare(
      "SELECT status, count(*) AS n FROM leads WHERE contact_id IN (SELECT value FROM json_each(?)) GROUP BY status ORDER BY status",
    )
      .bind(JSON.stringify(ids))
      .all<{ status: string; n: number }>();
    expect(rows.results).toEqual([
      { status: "handed_off", n: 525 },
      { status: "rejected", n: 175 },
    ]);
    const inSalesforce = new Set((await salesforceLeads()).map((l) => l.HubSpot_Contact_Id__c));
    expect(ids.filter((id) => inSalesforce.has(id))).toHaveLength(525);
    // A collection (or two) per pass and round, a token now and then: never a call per lead.
    expect((await salesforceCounts()).total - before).toBeLessThanOrEqual(10);
  });

  it("a note call that fails retries only its contacts' feedback: no status written twice, no note doubled", async () => {
    const refused = await Promise.all(
      [0, 1].map(() =>
        createContact(qualifyingContact(unique(), { email: `n.${unique()}@gmail.com` })),
      ),
    );
    await setHubSpotFaults([
      { kind: "status", status: 400, path: "/crm/v3/objects/notes/batch/create", times: 1 },
    ]);
    const message = delivery(refused);
    const first = await deliver([message]);
    expect(first.explicitRetries).toHaveLength(1);
    for (const id of refused) {
      expect((await rawContact(id)).properties.leadbridge_status).toBe("rejected");
      expect((await rawContact(id)).notes).toHaveLength(0);
      expect(await auditSteps(id)).toContain("feedback_retry");
    }
    const second = await deliver([message], 2);
    expect(second.explicitAcks).toHaveLength(1);
    for (const id of refused) expect((await rawContact(id)).notes).toHaveLength(1);
  });
});

describe("retry backoff", () => {
  it("doubles from 10 s, never below the error's own floor, capped at 12 h; a contact's window is their sum", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffSeconds(a, 10))).toEqual([10, 20, 40, 80, 160]);
    expect([1, 2, 3].map((a) => backoffSeconds(a, 30))).toEqual([30, 30, 40]);
    expect(backoffSeconds(30, 10)).toBe(12 * 60 * 60);
    // Five retries after the first delivery (max_retries in wrangler.toml, which MAX_DELIVERIES
    // follows: test/node/queue-config.test.ts), at the 30 s floor of an unavailable API.
    expect(retryWindowSeconds()).toBe(30 + 30 + 40 + 80 + 160);
  });
});
