import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { RoutingSchema } from "../../shared/contracts/routing";
import { routingVersion, saveRouting } from "../../shared/db/routings";
import { loadConfig } from "../../shared/env";
import { connectSalesforce } from "../../shared/salesforce/client";
import { d1RetrySeconds } from "../../workers/handoff/d1-outage";
import { MAX_SLA_DELIVERIES, QUEUES } from "../../workers/queues";
import { type SlaTimer, startSlaTimers } from "../../workers/sla/timers";
import { admin } from "./admin-client";
import { patchLead, salesforce } from "./outcomes-harness";
import { deliver, keepingQueue, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  qualifyingContact,
  resetSandboxes,
  salesforceCounts,
  salesforceUrl,
  setSalesforceFaults,
} from "./sandboxes";

// SLA timers (docs/sla.md) end to end in the Worker: real D1, the real lead-sla queue handler,
// jsforce against the sandbox Salesforce, alerts POSTed to the sandbox's alert sink. Time is not
// waited for: a timer's message is delivered as it would arrive once due.

const MINUTE = 60_000;
let run = 0;
const unique = () => `s${Date.now().toString(36)}${++run}`;

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${salesforceUrl()}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json<T>();
}
const sinkAlerts = async () =>
  (
    await control<{ alerts: { body: { text: string; blocks: unknown[] } }[] }>(
      "GET",
      "/__sandbox/alerts",
    )
  ).alerts;

async function createUser(name: string): Promise<string> {
  const res = await salesforce<{ id: string }>("POST", "/sobjects/User", {
    LastName: name,
    Email: `${name}@org.example`,
    Username: `${name}@org.example`,
  });
  return res.id;
}

async function createLead(ownerId: string): Promise<string> {
  const res = await salesforce<{ id: string }>("POST", "/sobjects/Lead", {
    LastName: `Lead ${unique()}`,
    Company: "Acme",
    OwnerId: ownerId,
  });
  return res.id;
}

const lead = (id: string) =>
  salesforce<{ OwnerId: string; Status: string }>("GET", `/sobjects/Lead/${id}`);

interface Org {
  alice: string;
  bob: string;
  manager: string;
  version: number;
}

/** Two reps in pool "inbound" (30 minutes, plain time) and their manager; alerts to the sink. */
async function org(
  sla: Record<string, unknown> = {},
  alertUrl = `${salesforceUrl()}/__sink/alerts`,
): Promise<Org> {
  const alice = await createUser(`alice${unique()}`);
  const bob = await createUser(`bob${unique()}`);
  const manager = await createUser(`manager${unique()}`);
  const routing = RoutingSchema.parse({
    pools: [
      {
        name: "inbound",
        members: [{ userId: alice }, { userId: bob }],
        sla: { minutes: 30, businessHours: false, ...sla },
        managerUserId: manager,
      },
    ],
    timeZone: "UTC",
    alertUrl,
  });
  const { version } = await saveRouting(env.DB, routing, "test");
  return { alice, bob, manager, version };
}

/** A Lead Leadbridge assigned to `owner` `minutesAgo` ago, and its first timer as sent. */
async function assigned(o: Org, owner: string, minutesAgo = 31) {
  const leadId = await createLead(owner);
  const contactId = unique();
  const assignedAt = Date.now() - minutesAgo * MINUTE;
  await env.DB.prepare(
    `INSERT INTO assignments (contact_id, owner_id, routing_version, pool, reason, day, assigned_at, lead_id)
     VALUES (?, ?, ?, 'inbound', 'pool', '2026-12-02', ?, ?)`,
  )
    .bind(contactId, owner, o.version, assignedAt, leadId)
    .run();
  const timers = keepingQueue();
  await startSlaTimers({ DB: env.DB, LEAD_SLA: timers.queue }, [
    { contactId, leadId, ownerId: owner, pool: "inbound", routingVersion: o.version, assignedAt },
  ]);
  expect(timers.sent).toHaveLength(1);
  return { leadId, contactId, timer: timers.sent[0]!.body as SlaTimer };
}

/** Delivers timers to the real queue handler; what it sent on to lead-sla is kept. */
async function fire(timers: SlaTimer[], attempts = 1, bindings: Partial<Env> = {}) {
  const next = keepingQueue();
  const outcome = await deliver(
    timers,
    attempts,
    { ...env, ...bindings, LEAD_SLA: next.queue },
    QUEUES.leadSla,
  );
  return { ...outcome, next: next.sent };
}

/** The test D1, failing as an outage does on the statements whose SQL matches `pattern`. */
function failingOn(pattern: RegExp): D1Database {
  const outage = async () => {
    throw new Error("D1_ERROR: Network connection lost.");
  };
  const failing: Record<string, unknown> = { first: outage, run: outage, all: outage, raw: outage };
  failing.bind = () => failing;
  return {
    prepare: (sql: string) => (pattern.test(sql) ? failing : env.DB.prepare(sql)),
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  } as unknown as D1Database;
}

const events = async (contactId: string) =>
  (
    await env.DB.prepare("SELECT * FROM sla_events WHERE contact_id = ? ORDER BY breach")
      .bind(contactId)
      .all<Record<string, any>>()
  ).results;

const ownerOf = async (contactId: string) =>
  (await env.DB.prepare("SELECT owner_id FROM assignments WHERE contact_id = ?")
    .bind(contactId)
    .first<{ owner_id: string }>())!.owner_id;

const firstTouchAt = async (contactId: string) =>
  (await env.DB.prepare("SELECT first_touch_at FROM assignments WHERE contact_id = ?")
    .bind(contactId)
    .first<{ first_touch_at: number | null }>())!.first_touch_at;

const reassignCalls = async () =>
  (await salesforceCounts()).byEndpoint["PATCH /services/data/vXX.X/composite/sobjects"] ?? 0;

beforeEach(async () => {
  await resetSandboxes();
  await env.DB.batch([
    env.DB.prepare("DELETE FROM routings"),
    env.DB.prepare("DELETE FROM assignments"),
    env.DB.prepare("DELETE FROM sla_events"),
  ]);
});

describe("SLA timers", () => {
  it("an untouched lead past its SLA raises an alert at the sink and goes to the next member; a redelivered timer does nothing more", async () => {
    const o = await org();
    const { leadId, contactId, timer } = await assigned(o, o.alice);
    expect(timer).toMatchObject({ breach: 1, leadId, pool: "inbound" });

    const first = await fire([timer]);
    expect(first.explicitRetries).toEqual([]);
    expect((await lead(leadId)).OwnerId).toBe(o.bob);
    expect(await ownerOf(contactId)).toBe(o.bob);
    const alerts = await sinkAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.body.text).toContain(`Lead ${leadId} in pool inbound`);
    expect(alerts[0]!.body.text).toContain(`Reassigned to`);
    expect(alerts[0]!.body.text).toContain(o.bob);
    expect(alerts[0]!.body.blocks.length).toBeGreaterThan(0);
    // The second breach's timer, as long as the first.
    expect(first.next).toHaveLength(1);
    const second = first.next[0]!;
    expect(second.body).toMatchObject({ breach: 2, leadId });
    expect(second.delaySeconds).toBeGreaterThanOrEqual(30 * 60 - 5);
    expect(second.delaySeconds).toBeLessThanOrEqual(30 * 60);
    expect(await events(contactId)).toMatchObject([
      { breach: 1, from_owner: o.alice, to_owner: o.bob, alert: 1 },
    ]);

    // The same timer again (at-least-once delivery): no second reassignment, alert or timer.
    const calls = await reassignCalls();
    const again = await fire([timer]);
    expect(again.explicitRetries).toEqual([]);
    expect(again.next).toEqual([]);
    expect(await reassignCalls()).toBe(calls);
    expect(await sinkAlerts()).toHaveLength(1);
    expect((await lead(leadId)).OwnerId).toBe(o.bob);
  });

  it("a second breach goes to the pool's manager and ends the timers", async () => {
    const o = await org();
    const { leadId, contactId, timer } = await assigned(o, o.alice);
    const first = await fire([timer]);
    // Delivered as it arrives once its 30 minutes are up.
    const second = { ...(first.next[0]!.body as SlaTimer), dueAt: Date.now() - 1000 };
    const escalated = await fire([second]);
    expect(escalated.next).toEqual([]);
    expect((await lead(leadId)).OwnerId).toBe(o.manager);
    expect(await ownerOf(contactId)).toBe(o.manager);
    const alerts = await sinkAlerts();
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.body.text).toContain("Second breach");
    expect(alerts[1]!.body.text).toContain(o.manager);
    expect(await events(contactId)).toMatchObject([
      { breach: 1, to_owner: o.bob },
      { breach: 2, from_owner: o.bob, to_owner: o.manager },
    ]);
  });

  it("a touched lead raises nothing: a Task logged with jsforce, a status change, an owner a person chose; one query for the batch", async () => {
    const o = await org();
    const withTask = await assigned(o, o.alice);
    const worked = await assigned(o, o.alice);
    const takenOver = await assigned(o, o.bob);
    const conn = await connectSalesforce(loadConfig(env));
    const task = await conn
      .sobject("Task")
      .create({ WhoId: withTask.leadId, Subject: "Call", Status: "Completed" });
    expect(task.success).toBe(true);
    await patchLead(worked.leadId, { Status: "Working - Contacted" });
    const carol = await createUser(`carol${unique()}`);
    await patchLead(takenOver.leadId, { OwnerId: carol });

    await control("POST", "/__sandbox/counts/reset");
    const outcome = await fire([withTask.timer, worked.timer, takenOver.timer]);
    expect(outcome.explicitRetries).toEqual([]);
    expect(outcome.next).toEqual([]);
    expect((await salesforceCounts()).byEndpoint["GET /services/data/vXX.X/query"]).toBe(1);
    expect(await reassignCalls()).toBe(0);
    expect(await sinkAlerts()).toEqual([]);
    for (const l of [withTask, worked, takenOver]) expect(await events(l.contactId)).toEqual([]);
    expect((await lead(withTask.leadId)).OwnerId).toBe(o.alice);
    // The Task is the open Lead's first touch, which the outcome sync (following the Lead's own
    // changes) never sees: recorded here. A status change is the outcome sync's to record.
    const created = (await conn.sobject("Task").retrieve(task.id!)) as { CreatedDate: string };
    expect(await firstTouchAt(withTask.contactId)).toBe(Date.parse(created.CreatedDate));
    expect(await firstTouchAt(worked.contactId)).toBeNull();
    expect(await firstTouchAt(takenOver.contactId)).toBeNull();
  });

  it("an alert the URL refuses is retried with the queue's retry and then delivered once", async () => {
    const o = await org();
    const { leadId, contactId, timer } = await assigned(o, o.alice);
    await setSalesforceFaults([{ kind: "status", path: "/__sink/alerts", status: 503, times: 1 }]);

    const failed = await fire([timer]);
    expect(failed.explicitRetries).toEqual([
      { msgId: failed.ids[0], delaySeconds: expect.any(Number) },
    ]);
    expect(failed.explicitRetries[0]!.delaySeconds).toBeGreaterThan(0);
    expect(await sinkAlerts()).toEqual([]);
    // The reassignment is done and recorded: the retry does not repeat it.
    expect((await lead(leadId)).OwnerId).toBe(o.bob);
    const calls = await reassignCalls();

    const retried = await fire([timer], 2);
    expect(retried.explicitRetries).toEqual([]);
    expect(await sinkAlerts()).toHaveLength(1);
    expect(await reassignCalls()).toBe(calls);
    expect((await lead(leadId)).OwnerId).toBe(o.bob);
    expect(await events(contactId)).toMatchObject([{ alert_attempts: 2 }]);

    await fire([timer], 3);
    expect(await sinkAlerts()).toHaveLength(1);
  });

  it("an alert URL nobody answers (a closed port) is retried, and goes to the URL an admin sets meanwhile", async () => {
    // workerd logs the refused connection as an "uncaught exception" of its own; the consumer's
    // fetch still rejects, and that rejection is what it handles.
    const o = await org({}, "http://127.0.0.1:9/alerts");
    const { contactId, timer } = await assigned(o, o.alice);
    const failed = await fire([timer]);
    expect(failed.explicitRetries).toHaveLength(1);
    expect(await events(contactId)).toMatchObject([{ alert_attempts: 1, alerted_at: null }]);

    // The admin fixes the URL in a new routing version: the owed alert follows the routing in force.
    const fixed = RoutingSchema.parse({
      ...(await routingVersion(env.DB, o.version))!.routing,
      alertUrl: `${salesforceUrl()}/__sink/alerts`,
    });
    await saveRouting(env.DB, fixed, "test");
    const retried = await fire([timer], 2);
    expect(retried.explicitRetries).toEqual([]);
    expect(await sinkAlerts()).toHaveLength(1);
  });

  it("a timer still owed on its last delivery is sent again rather than dropped", async () => {
    const o = await org();
    const { timer } = await assigned(o, o.alice);
    await setSalesforceFaults([{ kind: "status", path: "/__sink/alerts", status: 500, times: 1 }]);
    const last = await fire([timer], 6);
    expect(last.explicitRetries).toEqual([]);
    expect(last.explicitAcks).toEqual(last.ids);
    // The breach-2 timer and the same breach-1 timer again, to finish its alert.
    expect(last.next.map((n) => (n.body as SlaTimer).breach).sort()).toEqual([1, 2]);
  });

  it("while D1 is down a timer waits, longer with each delivery, and on its last delivery is sent again instead of dropped", async () => {
    const o = await org();
    const { leadId, timer } = await assigned(o, o.alice);
    const down = { LEADBRIDGE_TEST_D1_FAULTS: "on" } as Partial<Env>;
    for (let attempts = 1; attempts < MAX_SLA_DELIVERIES; attempts++) {
      const waiting = await fire([timer], attempts, down);
      expect(waiting.explicitAcks).toEqual([]);
      expect(waiting.retryBatch.retry).toBe(false);
      expect(waiting.explicitRetries).toEqual([
        { msgId: waiting.ids[0], delaySeconds: d1RetrySeconds(attempts) },
      ]);
      expect(waiting.next).toEqual([]);
    }
    const last = await fire([timer], MAX_SLA_DELIVERIES, down);
    expect(last.explicitRetries).toEqual([]);
    expect(last.explicitAcks).toEqual(last.ids);
    expect(last.next).toEqual([{ body: timer, delaySeconds: d1RetrySeconds(MAX_SLA_DELIVERIES) }]);
    expect(await sinkAlerts()).toEqual([]);

    // D1 is back: the timer sent again is handled as the original would have been.
    const back = await fire([last.next[0]!.body as SlaTimer]);
    expect(back.explicitAcks).toEqual(back.ids);
    expect((await lead(leadId)).OwnerId).toBe(o.bob);
    expect(await sinkAlerts()).toHaveLength(1);
  });

  it("D1 failing in the middle of a batch puts off only the timers not settled yet", async () => {
    const o = await org();
    const worked = await assigned(o, o.alice);
    const untouched = await assigned(o, o.alice);
    await patchLead(worked.leadId, { Status: "Working - Contacted" });
    // The batch's reads answer; recording the breach fails.
    const outcome = await fire([worked.timer, untouched.timer], 1, {
      DB: failingOn(/INSERT INTO sla_events/),
    });
    const [workedId, untouchedId] = outcome.ids;
    expect(outcome.explicitAcks).toEqual([workedId]);
    expect(outcome.explicitRetries).toEqual([
      { msgId: untouchedId, delaySeconds: d1RetrySeconds(1) },
    ]);
    expect(await events(untouched.contactId)).toEqual([]);
    expect(await reassignCalls()).toBe(0);
    expect(await sinkAlerts()).toEqual([]);
  });

  it("a timer that fires before its SLA is due (a 12-hour hop) is sent on with what remains", async () => {
    const o = await org({ minutes: 24 * 60 });
    const { timer } = await assigned(o, o.alice, 0);
    const early = await fire([timer]);
    expect(early.next).toHaveLength(1);
    expect(early.next[0]!.delaySeconds).toBe(43_200);
    expect(await sinkAlerts()).toEqual([]);
  });

  it("the outcome sync records the first touch, and the timer then needs no Salesforce call", async () => {
    const o = await org();
    const { leadId, contactId, timer } = await assigned(o, o.alice);
    await env.DB.prepare(
      `INSERT INTO leads (contact_id, portal_id, lead_id, status, salesforce_lead_id, updated_at, handed_off_at)
       VALUES (?, '62515', ?, 'handed_off', ?, ?, ?)`,
    )
      .bind(contactId, `62515:${contactId}`, leadId, Date.now(), Date.now())
      .run();
    await patchLead(leadId, { HubSpot_Contact_Id__c: contactId, Status: "Working - Contacted" });
    const sync = await admin("POST", "/admin/outcomes/run");
    expect(sync.status).toBe(200);
    const row = await env.DB.prepare("SELECT first_touch_at FROM assignments WHERE contact_id = ?")
      .bind(contactId)
      .first<{ first_touch_at: number | null }>();
    expect(row?.first_touch_at).toEqual(expect.any(Number));

    await control("POST", "/__sandbox/counts/reset");
    const outcome = await fire([timer]);
    expect(outcome.explicitAcks).toEqual(outcome.ids);
    expect((await salesforceCounts()).total).toBe(0);
    expect(await events(contactId)).toEqual([]);
  });

  it("the handoff starts the first timer of a Lead it created for an assigned contact", async () => {
    const o = await org();
    const company = await createCompany({ name: `SLA Co ${unique()}` });
    const contactId = await createContact(qualifyingContact(unique()), company);
    const assignedAt = Date.now();
    // As the assignment engine writes it before the upsert.
    await env.DB.prepare(
      `INSERT INTO assignments (contact_id, owner_id, routing_version, pool, reason, day, assigned_at)
       VALUES (?, ?, ?, 'inbound', 'pool', '2026-12-02', ?)`,
    )
      .bind(contactId, o.alice, o.version, assignedAt)
      .run();
    const timers = keepingQueue();
    await deliver([leadEvent(contactId)], 1, { ...env, LEAD_SLA: timers.queue });
    const leadId = (await leadRow(contactId))?.salesforce_lead_id;
    expect(leadId).toEqual(expect.any(String));
    expect(timers.sent).toEqual([
      {
        body: {
          contactId,
          leadId,
          pool: "inbound",
          routingVersion: o.version,
          breach: 1,
          dueAt: assignedAt + 30 * MINUTE,
        },
        delaySeconds: expect.any(Number),
      },
    ]);
    expect(timers.sent[0]!.delaySeconds).toBeGreaterThan(30 * 60 - 30);
  });
});
