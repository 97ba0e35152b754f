import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { eventsOf, type LeadQueueBody, originOf } from "../../shared/contracts/webhook";
import { MAX_DELIVERIES } from "../../shared/retryable";
import { judgeAgain } from "../../workers/admin/enqueue";
import { createApp } from "../../workers/app";
import { LIVE_QUIET_MS, MAX_YIELD_MS, yieldToLiveLeads } from "../../workers/handoff/live-first";
import { CONTACT_PROPERTIES } from "../../workers/handoff/mql";
import { QUEUES } from "../../workers/queues";
import { hmacSha256Base64 } from "../../workers/webhook/signature";
import { ADMIN_TOKEN } from "./admin-client";
import { deliver, keepingQueue, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotCounts,
  hubspotUrl,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
} from "./sandboxes";

let run = 0;
const unique = () => `lane${Date.now().toString(36)}${++run}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The test env with both lanes (and the backfill steps) recording instead of delivering. */
function lanes(extra: Partial<Env> = {}) {
  const live = keepingQueue();
  const backfill = keepingQueue();
  const steps = keepingQueue();
  const bindings = {
    ...env,
    LEAD_EVENTS: live.queue,
    LEAD_BACKFILL: backfill.queue,
    ADMIN_JOBS: steps.queue,
    ...extra,
  } as Env;
  return { bindings, live: live.sent, backfill: backfill.sent, steps: steps.sent };
}

const contactIdsIn = (sent: { body: unknown }[]) =>
  sent.flatMap(({ body }) => eventsOf(body as LeadQueueBody).map((e) => e.contactId));
const originsIn = (sent: { body: unknown }[]) => [
  ...new Set(sent.flatMap(({ body }) => eventsOf(body as LeadQueueBody).map(originOf))),
];

/** A request to the Worker's app with the bindings given, answered and its waitUntil work done. */
async function call(bindings: Env, request: Request) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

const adminPost = (path: string, body: unknown) =>
  new Request(`http://leadbridge.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function signedWebhook(contactId: string) {
  const uri = "https://leadbridge.test/webhooks/hubspot";
  const body = JSON.stringify([
    {
      eventId: Date.now(),
      subscriptionId: 1,
      portalId: 62515,
      appId: 54321,
      occurredAt: Date.now(),
      subscriptionType: "contact.creation",
      attemptNumber: 0,
      objectId: Number(contactId),
      changeSource: "CRM",
    },
  ]);
  const timestamp = Date.now();
  return new Request(uri, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": await hmacSha256Base64(
        "sandbox-client-secret",
        `POST${uri}${body}${timestamp}`,
      ),
      "x-hubspot-request-timestamp": String(timestamp),
    },
    body,
  });
}

async function judgementsOf(id: string) {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM audit WHERE contact_id = ? AND step = 'enriched'",
  )
    .bind(id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Two qualifying contacts of one company, created alone in the window [since, until]. */
async function twoContactsInAWindow(companyName: string) {
  await sleep(5);
  const since = new Date().toISOString();
  const company = await createCompany({ name: companyName });
  const ids = [
    await createContact(qualifyingContact(unique()), company),
    await createContact(qualifyingContact(unique()), company),
  ];
  await sleep(5);
  return { since, until: new Date().toISOString(), ids };
}

beforeEach(async () => {
  await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
  await env.KV.delete("salesforce:usage");
});

describe("the backfill lane", () => {
  it("takes a backfill's and a resync's contacts; a webhook's go to lead-events", async () => {
    const { since, until, ids } = await twoContactsInAWindow("Lane Robotics");

    const backfill = lanes();
    const started = await call(backfill.bindings, adminPost("/admin/backfill", { since, until }));
    expect(started.status).toBe(202);
    // The one step the two contacts need, run by the real admin-jobs consumer.
    const step = await deliver([backfill.steps[0]!.body], 1, backfill.bindings, QUEUES.adminJobs);
    expect(step.explicitAcks).toEqual(step.ids);
    expect(contactIdsIn(backfill.backfill).sort()).toEqual([...ids].sort());
    expect(originsIn(backfill.backfill)).toEqual(["backfill"]);
    expect(backfill.live).toEqual([]);

    const resync = lanes();
    expect(
      (await call(resync.bindings, adminPost("/admin/resync", { contactIds: ids }))).status,
    ).toBe(202);
    expect(contactIdsIn(resync.backfill).sort()).toEqual([...ids].sort());
    expect(originsIn(resync.backfill)).toEqual(["resync"]);
    expect(resync.live).toEqual([]);

    const webhook = lanes();
    expect((await call(webhook.bindings, await signedWebhook(ids[0]!))).status).toBe(200);
    expect(contactIdsIn(webhook.live)).toEqual([ids[0]]);
    expect(originsIn(webhook.live)).toEqual(["webhook"]);
    expect(webhook.backfill).toEqual([]);

    // The backfill lane's own consumer hands each contact off once, however often a message comes.
    const messages = backfill.backfill.map((m) => m.body);
    const first = await deliver(messages, 1, env, QUEUES.leadBackfill);
    expect(first.explicitAcks).toEqual(first.ids);
    const again = await deliver(messages, 2, env, QUEUES.leadBackfill);
    expect(again.explicitAcks).toEqual(again.ids);
    const leads = (await salesforceLeads()).filter((l) => ids.includes(l.HubSpot_Contact_Id__c));
    expect(leads).toHaveLength(2);
    for (const id of ids) {
      expect(await judgementsOf(id), id).toBe(1);
      expect(await leadRow(id)).toMatchObject({ status: "handed_off", handoff_origin: "backfill" });
    }
  });

  it("hands a backfill's contacts off with what its search read, reading one again only if judged since", async () => {
    const { since, until, ids } = await twoContactsInAWindow("Snapshot Robotics");
    const backfill = lanes();
    await call(backfill.bindings, adminPost("/admin/backfill", { since, until }));
    await deliver([backfill.steps[0]!.body], 1, backfill.bindings, QUEUES.adminJobs);
    const events = backfill.backfill.flatMap(({ body }) => eventsOf(body as LeadQueueBody));
    expect(events.map((e) => e.contactId).sort()).toEqual([...ids].sort());
    for (const e of events) {
      // Every property the handoff reads, null when HubSpot has none.
      expect(Object.keys(e.snapshot!.properties)).toEqual(
        expect.arrayContaining([...CONTACT_PROPERTIES]),
      );
      expect(e.snapshot!.properties.email).toMatch(/@/);
    }

    const calls = async () => (await hubspotCounts()).byEndpoint;
    const delta = (before: Record<string, number>, after: Record<string, number>, e: string) =>
      (after[e] ?? 0) - (before[e] ?? 0);
    const CONTACT_READ = "POST /crm/v3/objects/contacts/batch/read";
    const ASSOCIATION_READ = "POST /crm/v4/associations/:fromObjectType/:toObjectType/batch/read";
    const before = await calls();
    const first = await deliver(
      backfill.backfill.map((m) => m.body),
      1,
      env,
      QUEUES.leadBackfill,
    );
    expect(first.explicitAcks).toEqual(first.ids);
    const after = await calls();
    expect(delta(before, after, CONTACT_READ)).toBe(0);
    expect(delta(before, after, ASSOCIATION_READ)).toBe(1);
    const leads = (await salesforceLeads()).filter((l) => ids.includes(l.HubSpot_Contact_Id__c));
    expect(leads).toHaveLength(2);
    for (const id of ids) expect(await leadRow(id)).toMatchObject({ status: "handed_off" });

    // A later backfill's snapshot of the first, taken before its lead row last changed (and
    // saying something HubSpot no longer does): the contact is read again and judged on that.
    const [id] = ids as [string];
    const old = events.find((e) => e.contactId === id)!;
    const stale = {
      ...judgeAgain("62515", id, `backfill:stale:${id}`, "backfill"),
      snapshot: {
        at: (await leadRow(id))!.updated_at - 1,
        properties: { ...old.snapshot!.properties, email: "someone@gmail.com" },
      },
    };
    const beforeStale = await calls();
    const again = await deliver([{ events: [stale] }], 1, env, QUEUES.leadBackfill);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(delta(beforeStale, await calls(), CONTACT_READ)).toBe(1);
    const lead = (await salesforceLeads()).find((l) => l.HubSpot_Contact_Id__c === id);
    expect(lead?.Email).toBe(old.snapshot!.properties.email);
    expect(await leadRow(id)).toMatchObject({ status: "handed_off", no_longer_qualifies: null });
  });

  it("writes a batch's refusals and handoffs together, and reads a company once a minute; the live lane does neither", async () => {
    const company = await createCompany({ name: `Shared Robotics ${unique()}` });
    const pair = async () => [
      await createContact(qualifyingContact(unique()), company),
      await createContact(
        qualifyingContact(unique(), { email: `dev${unique()}@gmail.com` }),
        company,
      ),
    ];
    const UPDATE = "POST /crm/v3/objects/contacts/batch/update";
    const COMPANY_READ = "POST /crm/v3/objects/companies/batch/read";
    const counted = async (lane: string, ids: string[]) => {
      const before = (await hubspotCounts()).byEndpoint;
      const events = ids.map((id) =>
        lane === QUEUES.leadBackfill
          ? judgeAgain("62515", id, `backfill:pair:${id}`, "backfill")
          : leadEvent(id),
      );
      const result = await deliver([{ events }], 1, env, lane);
      expect(result.explicitAcks).toEqual(result.ids);
      const after = (await hubspotCounts()).byEndpoint;
      // HubSpot was told each decision: the handoff, and the refusal.
      const told = await Promise.all(
        ids.map(async (id) => (await rawContact(id)).properties.leadbridge_status),
      );
      expect(told).toEqual(["handed_off", "rejected"]);
      return {
        updates: (after[UPDATE] ?? 0) - (before[UPDATE] ?? 0),
        companyReads: (after[COMPANY_READ] ?? 0) - (before[COMPANY_READ] ?? 0),
      };
    };
    // The refusal's feedback waits for the push and goes in the same write; the company is read.
    expect(await counted(QUEUES.leadBackfill, await pair())).toEqual({
      updates: 1,
      companyReads: 1,
    });
    // Within the minute the same company is not read again.
    expect(await counted(QUEUES.leadBackfill, await pair())).toEqual({
      updates: 1,
      companyReads: 0,
    });
    // Live: the refusal is told while the qualified lead is pushed, and the company is read now.
    expect(await counted(QUEUES.leadEvents, await pair())).toEqual({ updates: 2, companyReads: 1 });
  });

  it("reads a carried contact privacy-deleted since the search again, and hands nothing off", async () => {
    const id = await createContact(qualifyingContact(unique()));
    const properties: Record<string, string | null> = Object.fromEntries(
      CONTACT_PROPERTIES.map((p) => [p, null]),
    );
    Object.assign(properties, qualifyingContact(unique()));
    const carried = {
      ...judgeAgain("62515", id, `backfill:deleted:${id}`, "backfill"),
      snapshot: { at: Date.now(), properties },
    };
    // HubSpot erases the contact after the search: the deletion's event, then the record gone.
    await deliver([leadEvent(id, "contact.privacyDeletion")]);
    await fetch(`${hubspotUrl()}/crm/v3/objects/contacts/${id}`, {
      method: "DELETE",
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    const before = (await hubspotCounts()).byEndpoint;
    const result = await deliver([{ events: [carried] }], 1, env, QUEUES.leadBackfill);
    expect(result.explicitAcks).toEqual(result.ids);
    const CONTACT_READ = "POST /crm/v3/objects/contacts/batch/read";
    const after = (await hubspotCounts()).byEndpoint;
    expect((after[CONTACT_READ] ?? 0) - (before[CONTACT_READ] ?? 0)).toBe(1);
    expect((await salesforceLeads()).some((l) => l.HubSpot_Contact_Id__c === id)).toBe(false);
    expect(await leadRow(id)).toBeNull();
  });

  it("gives way to live leads: waits while a webhook delivery is being handed off, for a while at most", async () => {
    // A clock of its own, far ahead of every delivery other tests recorded.
    let clock = Date.now() + 1e9;
    const fake = {
      now: () => clock,
      sleep: async (ms: number) => {
        clock += ms;
      },
    };
    expect(await yieldToLiveLeads(env.DB, fake)).toBe(0);
    const delivery = (id: string, at: number) =>
      env.DB.prepare(
        "INSERT INTO webhook_deliveries (id, day, events, ignored, received_at) VALUES (?, '2099-01-01', 0, 0, ?)",
      )
        .bind(id, at)
        .run();
    const id = unique();
    try {
      // A delivery just taken by the live consumer: the backfill batch waits until it is quiet.
      await delivery(`${id}-a`, clock);
      const waited = await yieldToLiveLeads(env.DB, fake);
      expect(waited).toBeGreaterThanOrEqual(LIVE_QUIET_MS);
      expect(waited).toBeLessThan(MAX_YIELD_MS);
      // Deliveries that keep coming hold it back no longer than MAX_YIELD_MS.
      let n = 0;
      const busy = {
        now: () => clock,
        sleep: async (ms: number) => {
          clock += ms;
          await delivery(`${id}-b${++n}`, clock);
        },
      };
      await delivery(`${id}-b0`, clock);
      expect(await yieldToLiveLeads(env.DB, busy)).toBe(MAX_YIELD_MS);
      // A caller with less time left gives way for that long at most.
      expect(await yieldToLiveLeads(env.DB, { ...busy, maxMs: 1_000 })).toBe(1_000);
      expect(await yieldToLiveLeads(env.DB, { ...busy, maxMs: 0 })).toBe(0);
    } finally {
      await env.DB.batch([
        env.DB.prepare("DELETE FROM webhook_deliveries WHERE id LIKE ?").bind(`${id}-%`),
        env.DB.prepare("DELETE FROM daily_counters WHERE day = '2099-01-01'"),
      ]);
    }
  });

  it("sends held work back to the backfill lane, not ahead of live leads", async () => {
    const company = await createCompany({ name: "Held Robotics" });
    const id = await createContact(qualifyingContact(unique()), company);
    // Salesforce's daily budget is spent: the contact waits in a fresh message.
    await env.KV.put(
      "salesforce:usage",
      JSON.stringify({ used: 85_000, max: 100_000, at: Date.now() }),
    );
    const held = lanes();
    const message = { events: [judgeAgain("62515", id, `backfill:lane:${id}`, "backfill")] };
    const result = await deliver([message], 1, held.bindings, QUEUES.leadBackfill);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(contactIdsIn(held.backfill)).toEqual([id]);
    expect(held.backfill[0]!.delaySeconds).toBeGreaterThanOrEqual(60);
    expect(held.live).toEqual([]);

    // D1 failing on the last delivery the queue allows: sent again to the backfill lane too.
    await env.KV.delete("salesforce:usage");
    const outage = lanes({ LEADBRIDGE_TEST_D1_FAULTS: "on" } as Partial<Env>);
    const waited = await deliver([message], MAX_DELIVERIES, outage.bindings, QUEUES.leadBackfill);
    expect(waited.explicitAcks).toEqual(waited.ids);
    expect(contactIdsIn(outage.backfill)).toEqual([id]);
    expect(outage.live).toEqual([]);
  });

  it("replays a dead letter to its origin's lane", async () => {
    const webhookId = unique();
    const backfillId = unique();
    const letter = (key: string, body: unknown) =>
      env.DB.prepare(
        `INSERT INTO dead_letters (message_id, body, kind, reason, attempts, received_at)
         VALUES (?, ?, 'salesforce_unavailable', 'salesforce_unavailable: test', 6, ?)
         RETURNING id`,
      )
        .bind(key, JSON.stringify(body), Date.now())
        .first<{ id: number }>();
    const now = Date.now();
    const fromWebhook = await letter(`lane-${webhookId}`, {
      contactId: webhookId,
      events: [
        {
          key: `62515:${webhookId}:contact.creation`,
          portalId: "62515",
          eventId: webhookId,
          type: "contact.creation",
          contactId: webhookId,
          occurredAt: now,
          receivedAt: now,
        },
      ],
    });
    const fromBackfill = await letter(`lane-${backfillId}`, {
      contactId: backfillId,
      events: [judgeAgain("62515", backfillId, `backfill:lane:${backfillId}`, "backfill")],
    });
    const replay = lanes();
    const res = await call(
      replay.bindings,
      adminPost("/admin/dead-letters/replay", { ids: [fromWebhook!.id, fromBackfill!.id] }),
    );
    expect(res.status).toBe(200);
    expect(res.body.replayed.sort()).toEqual([fromWebhook!.id, fromBackfill!.id].sort());
    expect(contactIdsIn(replay.live)).toEqual([webhookId]);
    expect(contactIdsIn(replay.backfill)).toEqual([backfillId]);
  });
});
