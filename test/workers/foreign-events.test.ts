import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LeadEventsMessageSchema } from "../../shared/contracts/webhook";
import { createApp } from "../../workers/app";
import { hmacSha256Base64 } from "../../workers/webhook/signature";
import { deliver, recordingQueue } from "./queue-harness";

const URI = "https://leadbridge.test/webhooks/hubspot";
const SECRET = "sandbox-client-secret";
// The portal and app the test Worker is configured for (vitest.config.ts).
const PORTAL = 62515;
const APP = 54321;

/** HubSpot's POST of these events, signed with v3 as HubSpot signs it. */
async function signed(events: unknown[]): Promise<Request> {
  const body = JSON.stringify(events);
  const timestamp = Date.now();
  return new Request(URI, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": await hmacSha256Base64(SECRET, `POST${URI}${body}${timestamp}`),
      "x-hubspot-request-timestamp": String(timestamp),
    },
    body,
  });
}

/** The Worker's fetch with a queue that only records what the intake sends. */
async function intake(events: unknown[]) {
  const { queue, sent } = recordingQueue();
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    await signed(events),
    { ...env, LEAD_EVENTS: queue } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { res, body: (await res.json()) as Record<string, unknown>, sent };
}

let sequence = 0;
const event = (extra: Record<string, unknown> = {}) => {
  const n = ++sequence;
  return {
    eventId: 7_300_000 + n,
    subscriptionId: 1,
    portalId: PORTAL,
    appId: APP,
    occurredAt: Date.now(),
    subscriptionType: "contact.creation",
    attemptNumber: 0,
    objectId: 730_000 + n,
    changeSource: "CRM",
    ...extra,
  };
};

const counter = async (name: string, day: string) =>
  (
    await env.DB.prepare("SELECT value FROM daily_counters WHERE day = ? AND name = ?")
      .bind(day, name)
      .first<{ value: number }>()
  )?.value ?? 0;

const today = () => new Date().toISOString().slice(0, 10);

describe("webhook intake: other portals and apps, HubSpot's retries", () => {
  it("ignores and counts events for another portal or app: never queued, never judged", async () => {
    const ours = event();
    const otherPortal = event({ portalId: 99_999 });
    const otherApp = event({ appId: "11111" });
    const otherPortalDeal = event({ portalId: 99_999, subscriptionType: "deal.creation" });
    const { res, body, sent } = await intake([ours, otherPortal, otherApp, otherPortalDeal]);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ accepted: 1, ignored: 0, foreign: 3 });
    expect(sent).toHaveLength(1);
    const message = LeadEventsMessageSchema.parse(sent[0]);
    expect(message.events.map((e) => e.contactId)).toEqual([String(ours.objectId)]);
    expect(message.delivery).toMatchObject({ events: 4, ignored: 0, foreign: 3 });
  });

  it("counts foreign events where webhook events are counted, through the real queue", async () => {
    const day = today();
    const before = await counter("webhook_events_foreign", day);
    const res = await exports.default.fetch(
      await signed([event({ portalId: 88_888 }), event({ appId: 22_222 })]),
    );
    expect(await res.json()).toMatchObject({ accepted: 0, ignored: 0, foreign: 2 });
    await expect.poll(() => counter("webhook_events_foreign", day)).toBe(before + 2);
  });

  it("counts a delivery HubSpot retries (same events, attemptNumber > 0) once", async () => {
    const events = [event(), event({ portalId: 77_777 }), event()];
    const first = await intake(events);
    const retry = await intake(events.map((e) => ({ ...e, attemptNumber: 1 })));
    const again = await intake(events.map((e) => ({ ...e, attemptNumber: 4 })).reverse());
    expect(retry.body.deliveryId).toBe(first.body.deliveryId);
    expect(again.body.deliveryId).toBe(first.body.deliveryId);
    // A different delivery is counted on its own.
    expect((await intake([event()])).body.deliveryId).not.toBe(first.body.deliveryId);

    const day = today();
    const [events0, foreign0] = [
      await counter("webhook_events", day),
      await counter("webhook_events_foreign", day),
    ];
    // Each attempt's message reaches the real consumer, in batches of their own.
    await deliver(first.sent);
    await deliver([...retry.sent, ...again.sent]);
    expect(await counter("webhook_events", day)).toBe(events0 + 3);
    expect(await counter("webhook_events_foreign", day)).toBe(foreign0 + 1);
  });
});
