import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SyncHealthSchema } from "../../shared/contracts/admin";
import { DEPENDENCIES } from "../../shared/contracts/outcomes";
import { PAUSE_CAP_SECONDS, PAUSE_FIRST_SECONDS, pauseDelaySeconds } from "../../shared/pause";
import { MAX_DELIVERIES } from "../../shared/retryable";
import { admin } from "./admin-client";
import { auditSteps, deliver, keepingQueue, leadEvent, leadRow } from "./queue-harness";
import {
  createCompany,
  createContact,
  hubspotUrl,
  qualifyingContact,
  rawContact,
  salesforceLeads,
  setHubSpotFaults,
  setSalesforceFaults,
  setSalesforceLimits,
} from "./sandboxes";

let run = 0;
const unique = () => `op${Date.now().toString(36)}${++run}`;
const COLLECTIONS = "/composite/sobjects/Lead/HubSpot_Contact_Id__c";

const setHubSpotLimits = async (limits: Record<string, unknown>) => {
  const res = await fetch(`${hubspotUrl()}/__sandbox/limits`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(limits),
  });
  expect(res.ok).toBe(true);
};

beforeEach(async () => {
  await Promise.all([
    setHubSpotFaults([]),
    setSalesforceFaults([]),
    setSalesforceLimits({ expireEvery: null, used: 0 }),
    ...DEPENDENCIES.map((d) => env.KV.delete(`pause:${d}`)),
    env.KV.delete("salesforce:token"),
    env.KV.delete("salesforce:usage"),
  ]);
});
afterEach(async () => {
  await setHubSpotLimits({ daily: 1_000_000, resetWindow: true });
});

/** The test env (with `extra`), its queues recording what the consumer sends. */
function recorded(extra: Partial<Record<string, unknown>> = {}) {
  const leadEvents = keepingQueue();
  const deadLetters = keepingQueue();
  const bindings = {
    ...env,
    ...extra,
    LEAD_EVENTS: leadEvents.queue,
    LEAD_EVENTS_DLQ: deadLetters.queue,
  } as Env;
  return { bindings, leadEvents: leadEvents.sent, deadLetters: deadLetters.sent };
}

async function qualifying(): Promise<string> {
  const company = await createCompany({ name: "Outage Robotics" });
  return createContact(qualifyingContact(unique()), company);
}

const leadsFor = async (contactId: string) =>
  (await salesforceLeads()).filter((l) => l.HubSpot_Contact_Id__c === contactId);

async function pausedNow() {
  const res = await admin("GET", "/admin/sync-health?hours=1");
  expect(res.status).toBe(200);
  return SyncHealthSchema.parse(res.body).paused;
}

async function deadLetterRows(contactId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE body LIKE ?")
    .bind(`%"contactId":"${contactId}"%`)
    .first<{ n: number }>();
  return row!.n;
}

/** A D1 binding whose transactions fail as D1 does when it is down; single reads still work. */
function d1FailingWrites(): D1Database {
  return new Proxy(env.DB, {
    get: (target, prop) =>
      prop === "batch"
        ? () => Promise.reject(new Error("D1_ERROR: Network connection lost."))
        : (Reflect.get(target, prop).bind?.(target) ?? Reflect.get(target, prop)),
  });
}

interface Outage {
  name: string;
  dependency: (typeof DEPENDENCIES)[number];
  reason: string;
  /** Starts the outage; returns the bindings the consumer runs with while it lasts. */
  start(): Promise<Partial<Record<string, unknown>>>;
  /** Ends the outage. */
  clear(): Promise<void>;
  /** HubSpot's Retry-After for its daily limit is hours away: every wait is the longest. */
  longestWaitFirst?: boolean;
  /** The batch fails after Salesforce took the lead (its transaction is what fails). */
  failsAfterPush?: boolean;
  /** The line sync health shows, when it says more than "<dependency> unavailable since". */
  message?: RegExp;
}

/** Sync health's line for refused credentials: what refuses what, since when, what to fix. */
const HUBSPOT_TOKEN_REFUSED =
  /^paused: HubSpot refuses Leadbridge's token since \S+Z \(hubspot_auth\): deploy the HubSpot private app's current access token as the HUBSPOT_ACCESS_TOKEN secret .*scopes/;
const SALESFORCE_REFUSED =
  /^paused: Salesforce refuses Leadbridge's credentials since \S+Z \(salesforce_auth\): .*SALESFORCE_CLIENT_SECRET/;

const OUTAGES: Outage[] = [
  {
    name: "HubSpot answering 429 on every call",
    dependency: "hubspot",
    reason: "hubspot_rate_limited",
    start: async () => {
      await setHubSpotFaults([{ kind: "rate_limit", ms: 100 }]);
      return {};
    },
    clear: async () => void (await setHubSpotFaults([])),
  },
  {
    name: "HubSpot's daily limit spent",
    dependency: "hubspot",
    reason: "hubspot_rate_limited",
    start: async () => {
      await setHubSpotLimits({ daily: 1, resetWindow: true });
      return {};
    },
    clear: () => setHubSpotLimits({ daily: 1_000_000, resetWindow: true }),
    longestWaitFirst: true,
  },
  {
    name: "HubSpot answering 503 on every call",
    dependency: "hubspot",
    reason: "hubspot_unavailable",
    start: async () => {
      await setHubSpotFaults([{ kind: "status", status: 503 }]);
      return {};
    },
    clear: async () => void (await setHubSpotFaults([])),
  },
  {
    name: "Salesforce answering 503 on every API call",
    dependency: "salesforce",
    reason: "salesforce_unavailable",
    start: async () => {
      await setSalesforceFaults([{ kind: "status", status: 503, path: "/services/data/" }]);
      return {};
    },
    clear: async () => void (await setSalesforceFaults([])),
  },
  {
    name: "a Salesforce session that stays invalid after re-authorizing",
    dependency: "salesforce",
    reason: "salesforce_auth",
    message: SALESFORCE_REFUSED,
    start: async () => {
      await setSalesforceFaults([{ kind: "expire_session", path: COLLECTIONS }]);
      return {};
    },
    clear: async () => void (await setSalesforceFaults([])),
  },
  {
    name: "Salesforce refusing the client credentials (invalid_client)",
    dependency: "salesforce",
    reason: "salesforce_auth",
    message: SALESFORCE_REFUSED,
    start: async () => ({ SALESFORCE_CLIENT_SECRET: "a-rotated-secret" }),
    clear: async () => {},
  },
  {
    // HubSpot answers 401 INVALID_AUTHENTICATION to every call; fixed by deploying the token.
    name: "HubSpot refusing Leadbridge's token (a revoked private app token)",
    dependency: "hubspot",
    reason: "hubspot_auth",
    start: async () => ({ HUBSPOT_ACCESS_TOKEN: "a-revoked-private-app-token" }),
    clear: async () => {},
    message: HUBSPOT_TOKEN_REFUSED,
  },
  {
    // Reads work, the feedback write is refused with 403 MISSING_SCOPES: fixed by granting it.
    name: "HubSpot refusing a scope the private app lacks (403 MISSING_SCOPES on writes)",
    dependency: "hubspot",
    reason: "hubspot_auth",
    start: async () => {
      await setHubSpotFaults([
        { kind: "missing_scopes", path: "/crm/v3/objects/contacts/batch/update" },
      ]);
      return {};
    },
    clear: async () => void (await setHubSpotFaults([])),
    failsAfterPush: true,
    message: HUBSPOT_TOKEN_REFUSED,
  },
  {
    name: "D1 failing after the consumer's first reads (the batch's transaction)",
    dependency: "d1",
    reason: "d1_unavailable",
    start: async () => ({ DB: d1FailingWrites() }),
    clear: async () => {},
    failsAfterPush: true,
  },
];

describe("a sustained outage pauses the handoff", () => {
  for (const outage of OUTAGES) {
    it(`${outage.name}: waits with growing delays, is sent again on its last delivery, never dead-lettered, then handed off once`, async () => {
      const id = await qualifying();
      const message = { events: [leadEvent(id)] };
      const down = recorded(await outage.start());

      // Deliveries before the last: retried, later each time, nothing acked.
      const delays: number[] = [];
      for (const attempts of [1, 2]) {
        const result = await deliver([message], attempts, down.bindings);
        expect(result.explicitAcks, `delivery ${attempts}`).toEqual([]);
        expect(result.explicitRetries).toHaveLength(1);
        delays.push(result.explicitRetries[0]!.delaySeconds!);
      }
      if (outage.longestWaitFirst) expect(delays).toEqual([PAUSE_CAP_SECONDS, PAUSE_CAP_SECONDS]);
      else {
        expect(delays[0]).toBeGreaterThanOrEqual(PAUSE_FIRST_SECONDS);
        expect(delays[1]).toBeGreaterThan(delays[0]!);
        expect(delays[1]).toBeLessThanOrEqual(PAUSE_CAP_SECONDS);
      }

      // Sync health says what the handoff waits for, while it does.
      const paused = await pausedNow();
      expect(paused).toEqual([
        expect.objectContaining({ dependency: outage.dependency, reason: outage.reason }),
      ]);
      expect(paused[0]!.message).toMatch(
        outage.message ?? /^paused: (HubSpot|Salesforce|D1) unavailable since /,
      );

      // The last delivery the queue allows: sent again as a fresh message, never to the DLQ.
      const last = await deliver([message], MAX_DELIVERIES, down.bindings);
      expect(last.explicitRetries).toEqual([]);
      expect(last.explicitAcks).toEqual(last.ids);
      expect(down.deadLetters).toEqual([]);
      expect(down.leadEvents).toHaveLength(1);
      expect(down.leadEvents[0]!.delaySeconds).toBeGreaterThanOrEqual(PAUSE_FIRST_SECONDS);
      expect(down.leadEvents[0]!.delaySeconds).toBeLessThanOrEqual(PAUSE_CAP_SECONDS);
      expect(await leadsFor(id)).toHaveLength(outage.failsAfterPush ? 1 : 0);
      expect(await deadLetterRows(id)).toBe(0);

      // The outage ends: the re-sent work resumes by itself, handed off once with its feedback,
      // and a copy coming again changes nothing.
      await outage.clear();
      for (const copy of [1, 2]) {
        const result = await deliver([down.leadEvents[0]!.body], 1);
        expect(result.explicitAcks, `copy ${copy}`).toHaveLength(1);
      }
      expect(await leadsFor(id)).toHaveLength(1);
      expect((await leadRow(id))?.status).toBe("handed_off");
      expect((await rawContact(id)).properties.leadbridge_status).toBe("handed_off");
      expect((await auditSteps(id)).filter((s) => s === "pushed")).toHaveLength(1);
      expect(await pausedNow()).toEqual([]);
    });
  }

  it("a 403 that is not about the token's scopes is the contact's own: lettered, no pause", async () => {
    const id = await qualifying();
    await setHubSpotFaults([
      { kind: "status", status: 403, path: "/crm/v3/objects/contacts/batch/update" },
    ]);
    const down = recorded();
    const result = await deliver([{ events: [leadEvent(id)] }], MAX_DELIVERIES, down.bindings);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(down.leadEvents).toEqual([]);
    expect(down.deadLetters.map((d) => d.body)).toEqual([
      expect.objectContaining({ kind: "hubspot_error" }),
    ]);
    expect(await pausedNow()).toEqual([]);
  });

  it("counts work held for a refused HubSpot token under auth in sync health", async () => {
    const id = await qualifying();
    await deliver([leadEvent(id)], 1, recorded({ HUBSPOT_ACCESS_TOKEN: "a-wrong-token" }).bindings);
    expect(await auditSteps(id)).toContain("held");
    const res = await admin("GET", "/admin/sync-health?hours=1");
    const auth = SyncHealthSchema.parse(res.body).errors.find((e) => e.kind === "auth");
    expect(auth?.contacts).toContain(id);
    expect(auth?.codes.hubspot_auth).toBeGreaterThanOrEqual(1);
  });

  it("audits paused work as held, not failed", async () => {
    const id = await qualifying();
    await setHubSpotFaults([{ kind: "status", status: 503 }]);
    await deliver([leadEvent(id)], 1, recorded().bindings);
    expect(await auditSteps(id)).toContain("held");
    expect(await auditSteps(id)).not.toContain("error");
  });
});

describe("a contact's own error during a pause", () => {
  it("dead-letters only that contact on the last delivery; the paused contact is sent again", async () => {
    const locked = await qualifying();
    // A refusal's feedback cannot be written (HubSpot down for writes): that contact pauses.
    const refused = await createContact(
      qualifyingContact(unique(), { email: `o.${unique()}@gmail.com` }),
    );
    await setSalesforceFaults([{ kind: "lock_row", path: COLLECTIONS }]);
    await setHubSpotFaults([
      { kind: "status", status: 503, path: "/crm/v3/objects/contacts/batch/update" },
    ]);
    const down = recorded();
    const message = { events: [leadEvent(locked), leadEvent(refused)] };
    const result = await deliver([message], MAX_DELIVERIES, down.bindings);
    expect(result.explicitAcks).toEqual(result.ids);

    // The record Salesforce would not take is the contact's own trouble: its dead letter.
    expect(down.deadLetters.map((d) => d.body)).toEqual([
      expect.objectContaining({
        event: { contactId: locked, events: [message.events[0]] },
        kind: "salesforce_transient",
      }),
    ]);
    // HubSpot failing is nobody's own: the refused contact waits in a fresh message.
    expect(down.leadEvents.map((s) => s.body)).toEqual([{ events: [message.events[1]] }]);

    await Promise.all([setHubSpotFaults([]), setSalesforceFaults([])]);
    expect((await deliver([down.leadEvents[0]!.body], 1)).explicitAcks).toHaveLength(1);
    const contact = await rawContact(refused);
    expect(contact.properties.leadbridge_status).toBe("rejected");
    expect(contact.notes).toHaveLength(1);
  });
});

describe("pause delays", () => {
  it("start at 15 s, double with each delivery, never fall below the pause's age, and stop at 15 minutes", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => pauseDelaySeconds(a))).toEqual([
      15, 30, 60, 120, 240, 480, 900,
    ]);
    const now = Date.now();
    expect(pauseDelaySeconds(1, now - 200_000, now)).toBe(200);
    expect(pauseDelaySeconds(1, now - 5 * 60 * 60_000, now)).toBe(PAUSE_CAP_SECONDS);
    expect(pauseDelaySeconds(3, now - 1000, now)).toBe(60);
  });
});
