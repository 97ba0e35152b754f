import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  deliveryIdOf,
  HubSpotDeliverySchema,
  HubSpotEventSchema,
  LeadEventsMessageSchema,
  LeadQueueBodySchema,
  packEvents,
  parseHubSpotDelivery,
  parseLeadQueueBody,
  toLeadEvent,
} from "../../shared/contracts/webhook";
import { createApp } from "../../workers/app";
import { hmacSha256Base64, sha256Hex } from "../../workers/webhook/signature";
import { deliver, recordingQueue } from "./queue-harness";

const URL_BASE = "https://leadbridge.test/webhooks/hubspot";
const SECRET = "sandbox-client-secret";

/** HubSpot's POST of `body`, signed (v3) unless the options say otherwise. */
async function delivery(
  body: string,
  opts: {
    uri?: string;
    timestamp?: number;
    signature?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const uri = opts.uri ?? URL_BASE;
  const timestamp = opts.timestamp ?? Date.now();
  const signature =
    opts.signature ?? (await hmacSha256Base64(SECRET, `POST${uri}${body}${timestamp}`));
  return new Request(uri, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": String(timestamp),
      ...opts.headers,
    },
    body,
  });
}

/** Sends the delivery to the Worker, whose real queue and consumer take it from there. */
async function post(body: string, opts: Parameters<typeof delivery>[1] = {}) {
  return exports.default.fetch(await delivery(body, opts));
}

/**
 * Hands the request to the Worker's app with a queue that only records, and resolves once the
 * request is answered and everything it left running (waitUntil) has finished.
 */
async function intake(request: Request) {
  const { queue, sent } = recordingQueue();
  const ctx = createExecutionContext();
  const res = await createApp().fetch(request, { ...env, LEAD_EVENTS: queue } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return { res, sent };
}

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  eventId: 9_000_000 + n,
  subscriptionId: 1,
  portalId: 62515,
  appId: 54321,
  occurredAt: Date.now(),
  subscriptionType: "contact.creation",
  attemptNumber: 0,
  objectId: 900_000 + n,
  changeSource: "CRM",
  ...extra,
});

/** The delivery the consumer counted under this id (the answer's deliveryId), once it has run. */
async function countedDelivery(id: unknown) {
  return env.DB.prepare("SELECT events, ignored FROM webhook_deliveries WHERE id = ?")
    .bind(String(id))
    .first<{ events: number; ignored: number }>();
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; requestId: string };
  };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  return body.error.message;
}

describe("POST /webhooks/hubspot", () => {
  it("accepts a signed delivery, enqueues contact events and counts the rest", async () => {
    const body = JSON.stringify([
      event(1),
      event(2, { subscriptionType: "deal.creation" }),
      event(3, {
        eventType: "contact.propertyChange",
        subscriptionType: undefined,
        propertyName: "email",
        propertyValue: "x@y.io",
        futureField: { any: 1 },
      }),
    ]);
    const res = await post(body);
    expect(res.status).toBe(200);
    const answer = await res.json<{ deliveryId: string }>();
    expect(answer).toMatchObject({ accepted: 2, ignored: 1 });
    await expect.poll(() => countedDelivery(answer.deliveryId)).toEqual({ events: 3, ignored: 1 });
  });

  it("acknowledges an odd event of a type it does not handle without failing the contact events beside it", async () => {
    const odd = {
      subscriptionType: "deal.propertyChange",
      eventId: "not-a-number",
      objectId: { nested: true },
      sourceId: "s".repeat(5_000),
      occurredAt: "later",
    };
    const res = await post(JSON.stringify([event(80), odd]));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, ignored: 1 });
    // A contact event is still held to the contract.
    await expectError(
      await post(JSON.stringify([event(81, { objectId: { nested: true } }), odd])),
      400,
      "bad_request",
    );
  });

  it("accepts the legacy generic object.* form for contacts", async () => {
    const res = await post(
      JSON.stringify([event(4, { subscriptionType: "object.creation", objectTypeId: "0-1" })]),
    );
    expect(await res.json()).toMatchObject({ accepted: 1, ignored: 0 });
  });

  it("checks the signature against the configured public URL when one is set", async () => {
    // The test Worker has no WEBHOOK_PUBLIC_URL: a signature over another host must fail.
    const body = JSON.stringify([event(5)]);
    const ts = Date.now();
    const signature = await hmacSha256Base64(
      SECRET,
      `POSThttps://public.example.com/webhooks/hubspot${body}${ts}`,
    );
    await expectError(await post(body, { signature, timestamp: ts }), 401, "unauthorized");
  });

  it("accepts a v3 signature over a URL with escaped characters", async () => {
    const uri = `${URL_BASE}?src=a%3Ab%40c%21`;
    const body = JSON.stringify([event(6)]);
    const ts = Date.now();
    const signature = await hmacSha256Base64(SECRET, `POST${URL_BASE}?src=a:b@c!${body}${ts}`);
    const res = await post(body, { uri, signature, timestamp: ts });
    expect(res.status).toBe(200);
  });

  describe("refuses and changes nothing", () => {
    const hostile: [string, () => Request | Promise<Request>, number, string][] = [
      [
        "no signature",
        () => new Request(URL_BASE, { method: "POST", body: "[]" }),
        401,
        "unauthorized",
      ],
      [
        "a wrong signature",
        async () => delivery(JSON.stringify([event(10)]), { signature: "AAAA" }),
        401,
        "unauthorized",
      ],
      [
        "a stale timestamp",
        async () => delivery(JSON.stringify([event(11)]), { timestamp: Date.now() - 6 * 60_000 }),
        401,
        "unauthorized",
      ],
      [
        "a future timestamp",
        async () => delivery(JSON.stringify([event(12)]), { timestamp: Date.now() + 10 * 60_000 }),
        401,
        "unauthorized",
      ],
      ["non-JSON", () => delivery("hello"), 400, "bad_request"],
      ["an object, not an array", () => delivery(JSON.stringify(event(13))), 400, "bad_request"],
      ["an empty array", () => delivery("[]"), 400, "bad_request"],
      [
        "101 events",
        () => delivery(JSON.stringify(Array.from({ length: 101 }, (_, i) => event(100 + i)))),
        400,
        "bad_request",
      ],
      [
        "a string occurredAt",
        () => delivery(JSON.stringify([event(14, { occurredAt: "yesterday" })])),
        400,
        "bad_request",
      ],
      [
        "a missing type",
        () => delivery(JSON.stringify([event(15, { subscriptionType: undefined })])),
        400,
        "bad_request",
      ],
      [
        "deeply nested JSON",
        () => delivery("[".repeat(100_000) + "]".repeat(100_000)),
        400,
        "bad_request",
      ],
      [
        "a body over 1 MiB",
        () => delivery(JSON.stringify([event(16, { propertyValue: "x".repeat(1_100_000) })])),
        413,
        "payload_too_large",
      ],
      [
        "an injection string as id",
        () => delivery(JSON.stringify([event(17, { objectId: "1' OR '1'='1" })])),
        400,
        "bad_request",
      ],
    ];
    it.each(hostile)("%s", async (_name, request, status, code) => {
      const leadsBefore = await env.DB.prepare("SELECT count(*) AS n FROM leads").first<{
        n: number;
      }>();
      // Answered, and all the work the request started is over: what it did is done by now.
      const { res, sent } = await intake(await request());
      await expectError(res, status, code);
      // Nothing was put on the queue, and the intake wrote nothing to D1 itself.
      expect(sent).toEqual([]);
      expect(await countedDelivery(res.headers.get("x-request-id"))).toBeNull();
      expect(
        await env.DB.prepare("SELECT count(*) AS n FROM leads").first<{ n: number }>(),
      ).toEqual(leadsBefore);
    });

    it("names the offending field", async () => {
      const message = await expectError(
        await post(JSON.stringify([event(20), event(21, { occurredAt: "soon" })])),
        400,
        "bad_request",
      );
      expect(message).toMatch(/^events\[1\]\.occurredAt/);
    });

    it("ignores prototype-pollution keys", async () => {
      const body = `[{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(event(30)).slice(1)}]`;
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});

describe("configured signature version and public URL", () => {
  const app = createApp();
  const call = (envOverrides: Partial<Env>, init: RequestInit & { url?: string }) =>
    app.fetch(
      new Request(init.url ?? URL_BASE, init),
      { ...env, ...envOverrides } as Env,
      createExecutionContext(),
    );

  it("accepts HubSpot's v1 signature when the app is configured for v1", async () => {
    const body = JSON.stringify([event(40)]);
    const signature = await sha256Hex(`${SECRET}${body}`);
    const ok = await call(
      { WEBHOOK_SIGNATURE_VERSION: "v1" },
      { method: "POST", body, headers: { "x-hubspot-signature": signature } },
    );
    expect(ok.status).toBe(200);
    const v3Only = await call(
      {},
      { method: "POST", body, headers: { "x-hubspot-signature": signature } },
    );
    expect(v3Only.status).toBe(401);
  });

  it("verifies against WEBHOOK_PUBLIC_URL when the Worker sits behind another hostname", async () => {
    const publicUrl = "https://hooks.example.com/hubspot/in";
    const body = JSON.stringify([event(41)]);
    const ts = Date.now();
    const signature = await hmacSha256Base64(SECRET, `POST${publicUrl}${body}${ts}`);
    const headers = {
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": String(ts),
    };
    expect(
      (await call({ WEBHOOK_PUBLIC_URL: publicUrl }, { method: "POST", body, headers })).status,
    ).toBe(200);
    expect((await call({}, { method: "POST", body, headers })).status).toBe(401);
  });
});

describe("what goes on the queue", () => {
  it("puts a delivery's contact events on the queue as one message, in delivery order", async () => {
    const t = Date.now();
    const events = [
      event(50, { objectId: 501, occurredAt: t }),
      event(51, { objectId: 502, occurredAt: t }),
      event(52, {
        objectId: 501,
        subscriptionType: "contact.propertyChange",
        propertyName: "email",
        propertyValue: "a@b.io",
        occurredAt: t + 1,
      }),
      event(53, { subscriptionType: "deal.creation" }),
      event(54, {
        subscriptionType: "contact.associationChange",
        objectId: undefined,
        fromObjectId: 502,
        toObjectId: 9,
        associationType: "CONTACT_TO_COMPANY",
        occurredAt: t + 2,
      }),
      event(55, {
        objectId: 501,
        subscriptionType: "contact.propertyChange",
        propertyName: "company",
        propertyValue: "Acme",
        occurredAt: t + 3,
      }),
    ];
    const { res, sent } = await intake(await delivery(JSON.stringify(events), { timestamp: t }));
    const answer = await res.json<{ deliveryId: string }>();
    expect(answer).toMatchObject({ accepted: 5, ignored: 1 });
    expect(sent).toHaveLength(1);
    const message = LeadEventsMessageSchema.parse(sent[0]);
    expect(message.contactId).toBeUndefined();
    expect(message.delivery).toMatchObject({
      id: answer.deliveryId,
      events: 6,
      ignored: 1,
    });
    // The request's work is over and the intake wrote nothing to D1: the count is the
    // consumer's, and this queue has none.
    expect(await countedDelivery(answer.deliveryId)).toBeNull();
    expect(message.events.map((e) => [e.eventId, e.contactId, e.type])).toEqual([
      ["9000050", "501", "contact.creation"],
      ["9000051", "502", "contact.creation"],
      ["9000052", "501", "contact.propertyChange"],
      ["9000054", "502", "contact.associationChange"],
      ["9000055", "501", "contact.propertyChange"],
    ]);
  });

  it("puts a delivery too big for one message on the queue as several, in order, its counts on the first", async () => {
    const merges = Array.from({ length: 100 }, (_, i) =>
      event(70 + i, {
        subscriptionType: "contact.merge",
        objectId: 800 + i,
        primaryObjectId: 800 + i,
        mergedObjectIds: Array.from({ length: 900 }, (_, j) => 20_000_000 + j),
      }),
    );
    const { res, sent } = await intake(await delivery(JSON.stringify(merges)));
    expect(res.status).toBe(200);
    const answer = await res.json<{ accepted: number; deliveryId: string }>();
    expect(answer.accepted).toBe(100);
    expect(sent.length).toBeGreaterThan(1);
    const messages = sent.map((body) => LeadEventsMessageSchema.parse(body));
    for (const body of sent) expect(JSON.stringify(body).length).toBeLessThan(128 * 1024);
    expect(messages[0]!.delivery).toMatchObject({ id: answer.deliveryId, events: 100 });
    expect(messages.slice(1).every((m) => m.delivery === undefined)).toBe(true);
    expect(messages.flatMap((m) => m.events.map((e) => e.contactId))).toEqual(
      merges.map((m) => String(m.objectId)),
    );
  });

  it("counts a delivery and HubSpot's retries of it under one id, and any other delivery apart", async () => {
    const event = (eventId: number | string, attemptNumber = 0, extra = {}) => ({
      eventId,
      subscriptionId: 7,
      portalId: 62515,
      occurredAt: 1_700_000_000_000,
      subscriptionType: "contact.creation",
      objectId: 501,
      attemptNumber,
      ...extra,
    });
    const first = await deliveryIdOf([event(1), event(2)]);
    // A retry resends the same events with a higher attemptNumber, in any order.
    expect(await deliveryIdOf([event(2, 3), event(1, 3)])).toBe(first);
    for (const other of [
      [event(1), event(3)],
      [event(1)],
      [event(1), event(2, 0, { subscriptionId: 8 })],
      [event(1), event(2, 0, { portalId: 1 })],
      [event(1), event(2, 0, { occurredAt: 1 })],
    ])
      expect(await deliveryIdOf(other)).not.toBe(first);
    // An event without a usable eventId is known by its content, attemptNumber aside.
    const odd = await deliveryIdOf([{ eventId: "x", objectId: 1, attemptNumber: 0 }]);
    expect(await deliveryIdOf([{ eventId: "x", objectId: 1, attemptNumber: 4 }])).toBe(odd);
    expect(await deliveryIdOf([{ eventId: "x", objectId: 2, attemptNumber: 0 }])).not.toBe(odd);
  });

  it("maps HubSpot's merge and association events onto the contact they are about", () => {
    const at = Date.now();
    const merge = toLeadEvent(
      HubSpotEventSchema.parse(
        event(90, {
          subscriptionType: "contact.merge",
          objectId: 501,
          primaryObjectId: 501,
          mergedObjectIds: [502, 503],
          newObjectId: 504,
          occurredAt: at,
        }),
      ),
      at,
    )!;
    expect(merge).toMatchObject({ type: "contact.merge", contactId: "504" });
    expect(merge.mergedIds).toEqual(["502", "503", "501"]);
    const intoPrimary = toLeadEvent(
      HubSpotEventSchema.parse(
        event(91, {
          subscriptionType: "contact.merge",
          objectId: 501,
          primaryObjectId: 501,
          mergedObjectIds: [502],
        }),
      ),
      at,
    )!;
    expect([intoPrimary.contactId, intoPrimary.mergedIds]).toEqual(["501", ["502"]]);
    const association = toLeadEvent(
      HubSpotEventSchema.parse(
        event(92, {
          subscriptionType: "contact.associationChange",
          objectId: undefined,
          fromObjectId: 601,
          toObjectId: 9,
          associationType: "CONTACT_TO_COMPANY",
        }),
      ),
      at,
    )!;
    expect(association).toMatchObject({ type: "contact.associationChange", contactId: "601" });
  });

  it("splits a delivery whose merges list thousands of ids into messages under the queue's 128 KB", () => {
    const merges = Array.from(
      { length: 100 },
      (_, i) =>
        toLeadEvent(
          HubSpotEventSchema.parse(
            event(60 + i, {
              subscriptionType: "contact.merge",
              objectId: 700 + i,
              primaryObjectId: 700 + i,
              mergedObjectIds: Array.from({ length: 1000 }, (_, j) => 10_000_000 + j),
            }),
          ),
          Date.now(),
        )!,
    );
    const packed = packEvents(merges);
    expect(packed.length).toBeGreaterThan(1);
    for (const m of packed) expect(JSON.stringify(m).length).toBeLessThan(128 * 1024);
    expect(packed.flatMap((m) => m.events)).toEqual(merges);
  });
});

describe("counting deliveries for the report", () => {
  const dayCount = async (name: string, day: string) =>
    (
      await env.DB.prepare("SELECT value FROM daily_counters WHERE day = ? AND name = ?")
        .bind(day, name)
        .first<{ value: number }>()
    )?.value ?? 0;

  it("counts a delivery once however often its message comes, and one with no contact events too", async () => {
    const receivedAt = Date.UTC(2031, 0, 2, 10);
    const day = "2031-01-02";
    const counted = { id: "delivery-count-1", receivedAt, events: 7, ignored: 2 };
    const onlyIgnored = { id: "delivery-count-2", receivedAt, events: 3, ignored: 3 };
    const first = await deliver([
      { events: [], delivery: counted },
      { events: [], delivery: onlyIgnored },
    ]);
    expect(first.ackAll || first.explicitAcks.length === 2).toBe(true);
    await deliver([{ events: [], delivery: counted }], 2);
    expect(await dayCount("webhook_events", day)).toBe(10);
    expect(await dayCount("webhook_events_ignored", day)).toBe(5);
  });

  it("counts a delivery with no contact events once the consumer has run", async () => {
    const res = await post(JSON.stringify([event(70, { subscriptionType: "deal.creation" })]));
    const answer = await res.json<{ deliveryId: string }>();
    expect(answer).toMatchObject({ accepted: 0, ignored: 1 });
    await expect.poll(() => countedDelivery(answer.deliveryId)).toEqual({ events: 1, ignored: 1 });
  });

  it("refuses a queue body with neither events nor a delivery", () => {
    expect(LeadEventsMessageSchema.safeParse({ events: [] }).success).toBe(false);
  });
});

describe("parseLeadQueueBody", () => {
  const e = {
    key: "62515:1:contact.creation:7:1",
    portalId: "62515",
    eventId: "1",
    type: "contact.creation",
    contactId: "7",
    occurredAt: 1,
    receivedAt: 2,
  };
  const delivery = { id: "r1", receivedAt: 3, events: 2, ignored: 1 };
  const bodies: [string, unknown][] = [
    [
      "a delivery",
      {
        events: [e, { ...e, key: "k2", type: "contact.propertyChange", propertyName: "email" }],
        delivery,
      },
    ],
    [
      "one contact's events",
      { contactId: "7", events: [e, { ...e, key: "k3", mergedIds: ["8", "9"], resync: true }] },
    ],
    ["a single event", e],
    ["only a delivery count", { events: [], delivery }],
    ["nothing at all", { events: [] }],
    ["an event about another contact", { contactId: "8", events: [e] }],
    ["an unknown type", { events: [{ ...e, type: "deal.creation" }] }],
    ["a string time", { events: [{ ...e, occurredAt: "1" }] }],
    ["an extra field (stripped by the schema)", { events: [{ ...e, extra: 1 }], note: "x" }],
    ["a bad delivery count", { events: [e], delivery: { ...delivery, events: -1 } }],
    ["101 events", { events: Array.from({ length: 101 }, (_, i) => ({ ...e, key: `k${i}` })) }],
    ["null", null],
    ["an array", [e]],
    ["numbers for ids", { events: [{ ...e, contactId: 7 }] }],
  ];
  it.each(bodies)("agrees with the schema on %s", (_name, body) => {
    expectSameParse(parseLeadQueueBody(body), LeadQueueBodySchema.safeParse(body));
  });
});

/**
 * A hand-written fast path and its schema: the same verdict, and the same data or the same issues.
 */
function expectSameParse(
  fast: { success: boolean; data?: unknown; error?: { issues: unknown } },
  schema: typeof fast,
) {
  expect(fast.success).toBe(schema.success);
  if (fast.success && schema.success) expect(fast.data).toEqual(schema.data);
  else expect(fast.error?.issues).toEqual(schema.error?.issues);
}

describe("parseHubSpotDelivery", () => {
  const c = {
    eventId: 100,
    subscriptionId: 1,
    portalId: 62515,
    appId: 54321,
    occurredAt: 1_700_000_000_000,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: 7,
    changeSource: "CRM",
    propertyName: "email",
    propertyValue: "a@b.co",
  };
  const deliveries: [string, unknown][] = [
    [
      "a usual delivery",
      [
        c,
        {
          ...c,
          eventId: 101,
          subscriptionType: "contact.creation",
          changeFlag: "NEW",
          propertyName: undefined,
          propertyValue: undefined,
        },
      ].map((e) => JSON.parse(JSON.stringify(e))),
    ],
    ["ids as digit strings", [{ ...c, eventId: "100", portalId: "62515", objectId: "7" }]],
    ["unknown fields (dropped)", [{ ...c, extra: { deep: 1 }, isSensitive: false }]],
    [
      "a merge",
      [
        {
          ...c,
          subscriptionType: "contact.merge",
          primaryObjectId: 7,
          mergedObjectIds: [8, "9"],
          newObjectId: 7,
          numberOfPropertiesMoved: 3,
        },
      ],
    ],
    [
      "an association change",
      [
        {
          ...c,
          subscriptionType: "contact.associationChange",
          associationType: "CONTACT_TO_COMPANY",
          fromObjectId: 7,
          toObjectId: 9,
          associationRemoved: false,
          isPrimaryAssociation: true,
        },
      ],
    ],
    [
      "a generic object event on contacts",
      [{ ...c, subscriptionType: "object.propertyChange", objectTypeId: "0-1" }],
    ],
    [
      "eventType instead of subscriptionType",
      [{ ...c, subscriptionType: undefined, eventType: "contact.creation" }].map((e) =>
        JSON.parse(JSON.stringify(e)),
      ),
    ],
    ["null sourceId and propertyValue", [{ ...c, sourceId: null, propertyValue: null }]],
    [
      "an event of another type, odd fields and all",
      [c, { subscriptionType: "deal.creation", objectId: "not a number", occurredAt: "yesterday" }],
    ],
    ["another type under eventType", [{ eventType: "company.creation" }]],
    ["no type at all", [{ eventId: 1 }]],
    ["a type too long", [{ subscriptionType: "x".repeat(101) }]],
    ["an empty type", [{ ...c, subscriptionType: "" }]],
    [
      "a non-string subscriptionType beside a contact eventType",
      [{ ...c, subscriptionType: 5, eventType: "contact.creation" }],
    ],
    ["a negative id", [{ ...c, objectId: -1 }]],
    ["an unsafe integer id", [{ ...c, objectId: 2 ** 60 }]],
    ["a fractional time", [{ ...c, occurredAt: 1.5 }]],
    ["a string time", [{ ...c, occurredAt: "1700000000000" }]],
    ["an id of 21 digits", [{ ...c, eventId: "1".repeat(21) }]],
    ["a 201-character property name", [{ ...c, propertyName: "p".repeat(201) }]],
    ["a number property value", [{ ...c, propertyValue: 70 }]],
    ["a string attempt number", [{ ...c, attemptNumber: "0" }]],
    ["associationRemoved as text", [{ ...c, associationRemoved: "false" }]],
    [
      "a merged id that is not one",
      [{ ...c, subscriptionType: "contact.merge", mergedObjectIds: [8, "x"] }],
    ],
    ["no eventId", [{ ...c, eventId: undefined }].map((e) => JSON.parse(JSON.stringify(e)))],
    ["an event that is an array", [[c]]],
    ["an event that is null", [c, null]],
    ["an empty delivery", []],
    ["101 events", Array.from({ length: 101 }, (_, i) => ({ ...c, eventId: i }))],
    ["100 events", Array.from({ length: 100 }, (_, i) => ({ ...c, eventId: i }))],
    ["an object, not an array", { events: [c] }],
    ["a string", "[]"],
  ];
  it.each(deliveries)("agrees with the schema on %s", (_name, json) => {
    expectSameParse(parseHubSpotDelivery(json), HubSpotDeliverySchema.safeParse(json));
  });

  it("builds a well-formed delivery by hand and leaves only the doubtful ones to zod", () => {
    const zod = vi.spyOn(HubSpotDeliverySchema, "safeParse");
    try {
      expect(parseHubSpotDelivery(deliveries[0]![1]).success).toBe(true);
      expect(parseHubSpotDelivery(deliveries[8]![1]).success).toBe(true);
      expect(zod).not.toHaveBeenCalled();
      expect(parseHubSpotDelivery([{ ...c, occurredAt: "1" }]).success).toBe(false);
      expect(zod).toHaveBeenCalledTimes(1);
    } finally {
      zod.mockRestore();
    }
  });

  it("agrees with the schema on 2,000 events with one field changed at random", () => {
    // A seeded walk over the fields the schema checks, each set to a value of a random kind.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const fields = [
      "eventId",
      "portalId",
      "subscriptionId",
      "appId",
      "objectId",
      "occurredAt",
      "subscriptionType",
      "eventType",
      "attemptNumber",
      "objectTypeId",
      "changeSource",
      "changeFlag",
      "sourceId",
      "propertyName",
      "propertyValue",
      "mergedObjectIds",
      "newObjectId",
      "primaryObjectId",
      "fromObjectId",
      "toObjectId",
      "associationRemoved",
      "associationType",
    ];
    const values = [
      0,
      7,
      -3,
      1.25,
      2 ** 53,
      "12",
      "",
      "x".repeat(120),
      "contact.creation",
      "deal.creation",
      "object.creation",
      "0-1",
      null,
      true,
      [],
      [1, "2"],
      {},
    ];
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const event: Record<string, unknown> = { ...c };
      const field = fields[Math.floor(random() * fields.length)]!;
      if (random() < 0.15) delete event[field];
      else event[field] = values[Math.floor(random() * values.length)];
      const fast = parseHubSpotDelivery([event]);
      const schema = HubSpotDeliverySchema.safeParse([event]);
      expect(fast.success, `${field}: ${JSON.stringify(event[field])}`).toBe(schema.success);
      if (fast.success && schema.success) expect(fast.data).toEqual(schema.data);
      if (schema.success) accepted++;
    }
    // Both kinds are well represented, so agreement means something either way.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(1700);
  });
});
