import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";
import { signatureV1 } from "../../sandbox/hubspot/webhooks/signature";

const SECRET = "sandbox-client-secret";
const auth = { authorization: "Bearer sandbox-hubspot-token", "content-type": "application/json" };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  events: Record<string, any>[];
}

/** A stand-in for the product's webhook endpoint: records requests, answers as told. */
class Receiver {
  received: Received[] = [];
  answers: { status: number; delayMs?: number }[] = [];
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      this.received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        events: JSON.parse(body),
      });
      const answer = this.answers.shift() ?? { status: 204 };
      res.on("error", () => {});
      setTimeout(() => res.writeHead(answer.status).end(), answer.delayMs ?? 0);
    });
  });
  port = 0;

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  events() {
    return this.received.flatMap((r) => r.events);
  }
}

// PROTOCOLS: decode these escapes in the full URI before signing; compare in constant time.
const URI_DECODES: [string, string][] = [
  ["%3A", ":"],
  ["%2F", "/"],
  ["%3F", "?"],
  ["%40", "@"],
  ["%21", "!"],
  ["%24", "$"],
  ["%27", "'"],
  ["%28", "("],
  ["%29", ")"],
  ["%2A", "*"],
  ["%2C", ","],
  ["%3B", ";"],
];

function verifyV3(req: Received, host: string, secret: string, now = Date.now()): boolean {
  const timestamp = String(req.headers["x-hubspot-request-timestamp"] ?? "");
  const signature = String(req.headers["x-hubspot-signature-v3"] ?? "");
  if (!timestamp || now - Number(timestamp) > 5 * 60_000) return false;
  let uri = `http://${host}${req.url}`;
  for (const [encoded, plain] of URI_DECODES)
    uri = uri.replaceAll(encoded, plain).replaceAll(encoded.toLowerCase(), plain);
  const expected = createHmac("sha256", secret)
    .update(`${req.method}${uri}${req.body}${timestamp}`)
    .digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

let sandbox: HubSpotSandbox;
const receiver = new Receiver();

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}${path}`, {
    method,
    headers: auth,
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    const text = await r.text();
    return text ? JSON.parse(text) : undefined;
  });
const control = (path: string, method: string, body?: unknown) =>
  fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json());
const flush = () => control("webhooks/flush", "POST");
const createContact = (properties: Record<string, string>) =>
  api("POST", "/crm/v3/objects/contacts", { properties, associations: [] });

beforeAll(async () => {
  await receiver.start();
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  const sub = await control("webhooks/subscription", "PUT", {
    targetUrl: `http://127.0.0.1:${receiver.port}/webhooks/hubspot?portal=62515&tag=a%3Ab`,
    batchDelayMs: 20,
    timeoutMs: 300,
    retryBaseMs: 10,
  });
  expect(sub).toMatchObject({ clientSecret: SECRET, appId: 54321, portalId: 62515 });
  expect(sub.propertyNames).not.toContain("leadbridge_status");
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  await flush();
  receiver.received = [];
  receiver.answers = [];
  await control("faults", "DELETE");
});

describe("webhook delivery like HubSpot's", () => {
  it("signs v1 like HubSpot's SDK test vector", () => {
    const body = `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`;
    expect(signatureV1("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", body)).toBe(
      "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de",
    );
  });

  it("posts contact.creation and property changes, signed v3 and v1", async () => {
    const contact = await createContact({
      email: "wh@acme.example",
      firstname: "Web",
      leadbridge_status: "handed_off",
    });
    await flush();
    expect(receiver.received).toHaveLength(1);
    const [req] = receiver.received;
    expect(req!.method).toBe("POST");
    expect(req!.headers["content-type"]).toMatch(/^application\/json/);
    expect(verifyV3(req!, `127.0.0.1:${receiver.port}`, SECRET)).toBe(true);
    expect(verifyV3(req!, `127.0.0.1:${receiver.port}`, "some-other-secret")).toBe(false);
    expect(req!.headers["x-hubspot-signature-version"]).toBe("v1");
    expect(req!.headers["x-hubspot-signature"]).toBe(
      createHash("sha256")
        .update(SECRET + req!.body)
        .digest("hex"),
    );

    const events = req!.events;
    expect(events.map((e) => [e.subscriptionType, e.propertyName])).toEqual([
      ["contact.creation", undefined],
      ["contact.propertyChange", "email"],
      ["contact.propertyChange", "firstname"],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        portalId: 62515,
        appId: 54321,
        attemptNumber: 0,
        objectId: Number(contact.id),
        changeSource: "INTEGRATION",
        sourceId: "54321",
      });
      expect(typeof e.eventId).toBe("number");
      expect(typeof e.subscriptionId).toBe("number");
      expect(Math.abs(e.occurredAt - Date.now())).toBeLessThan(10_000);
    }
    expect(events[0]).toMatchObject({ changeFlag: "NEW" });
    expect(events[1]).toMatchObject({ propertyValue: "wh@acme.example" });
  });

  it("does not echo the app's own leadbridge_* write-backs, only subscribed properties", async () => {
    const contact = await createContact({ email: "echo@acme.example" });
    await flush();
    receiver.received = [];
    await api("PATCH", `/crm/v3/objects/contacts/${contact.id}`, {
      properties: { leadbridge_status: "handed_off", leadbridge_salesforce_lead_id: "00Q1" },
    });
    await flush();
    expect(receiver.received).toHaveLength(0);
    await api("PATCH", `/crm/v3/objects/contacts/${contact.id}`, {
      properties: { leadbridge_status: "rejected", jobtitle: "CTO" },
    });
    await flush();
    expect(
      receiver.events().map((e) => [e.subscriptionType, e.propertyName, e.propertyValue]),
    ).toEqual([["contact.propertyChange", "jobtitle", "CTO"]]);
  });

  it("reports association changes, deletions and merges", async () => {
    const company = await api("POST", "/crm/v3/objects/companies", {
      properties: { name: "Acme", domain: "acme.example" },
    });
    const a = await createContact({ email: "assoc-a@acme.example" });
    const b = await createContact({ email: "assoc-b@acme.example" });
    await flush();
    receiver.received = [];
    await api(
      "PUT",
      `/crm/v4/objects/contacts/${a.id}/associations/default/companies/${company.id}`,
    );
    await api("DELETE", `/crm/v4/objects/contacts/${a.id}/associations/companies/${company.id}`);
    await api("POST", "/crm/v3/objects/contacts/merge", {
      primaryObjectId: a.id,
      objectIdToMerge: b.id,
    });
    await api("DELETE", `/crm/v3/objects/contacts/${a.id}`);
    await flush();
    const events = receiver.events();
    expect(events.map((e) => e.subscriptionType)).toEqual([
      "contact.associationChange",
      "contact.associationChange",
      "contact.merge",
      "contact.deletion",
    ]);
    expect(events[0]).toMatchObject({
      associationType: "CONTACT_TO_COMPANY",
      fromObjectId: Number(a.id),
      toObjectId: Number(company.id),
      associationRemoved: false,
    });
    expect(events[1]).toMatchObject({ associationRemoved: true });
    expect(events[2]).toMatchObject({
      primaryObjectId: Number(a.id),
      mergedObjectIds: [Number(b.id)],
      newObjectId: Number(a.id),
    });
    expect(events[3]).toMatchObject({ objectId: Number(a.id), changeFlag: "DELETED" });
  });

  it("batches at most 100 events per request", async () => {
    for (let round = 0; round < 3; round++) {
      const inputs = Array.from({ length: 100 }, (_, i) => ({
        properties: { email: `bulk${round}-${i}@acme.example` },
        associations: [],
      }));
      await api("POST", "/crm/v3/objects/contacts/batch/create", { inputs });
    }
    await flush();
    const sizes = receiver.received.map((r) => r.events.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(600);
    expect(new Set(receiver.events().map((e) => e.eventId)).size).toBe(600);
  });

  it("retries a 500 with attemptNumber incremented", async () => {
    receiver.answers = [{ status: 500 }];
    await createContact({ email: "retry500@acme.example" });
    await flush();
    expect(receiver.received.map((r) => r.events[0]?.attemptNumber)).toEqual([0, 1]);
    expect(receiver.received[1]!.events.map((e) => e.eventId)).toEqual(
      receiver.received[0]!.events.map((e) => e.eventId),
    );
    const log = (await control("webhooks/deliveries", "GET")).deliveries.slice(-2);
    expect(log.map((d: any) => [d.attemptNumber, d.status, d.ok])).toEqual([
      [0, 500, false],
      [1, 204, true],
    ]);
    expect(log[0]).toMatchObject({ events: 2, ms: expect.any(Number) });
  });

  it("retries when the receiver answers slower than the timeout", async () => {
    receiver.answers = [{ status: 200, delayMs: 600 }];
    await createContact({ email: "slow@acme.example" });
    await flush();
    expect(receiver.received.map((r) => r.events[0]?.attemptNumber)).toEqual([0, 1]);
    const log = (await control("webhooks/deliveries", "GET")).deliveries.slice(-2);
    expect(log[0]).toMatchObject({
      ok: false,
      status: null,
      error: expect.stringContaining("300 ms"),
    });
  });

  it("does not retry 400, 401, 403, 404 or 405", async () => {
    receiver.answers = [{ status: 401 }];
    await createContact({ email: "unauthorized@acme.example" });
    await flush();
    expect(receiver.received).toHaveLength(1);
  });

  it("gives up after maxAttempts", async () => {
    await control("webhooks/subscription", "PUT", {
      targetUrl: `http://127.0.0.1:${receiver.port}/webhooks/hubspot`,
      batchDelayMs: 20,
      retryBaseMs: 1,
      maxAttempts: 3,
    });
    receiver.answers = [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }];
    await createContact({ email: "down@acme.example" });
    await flush();
    expect(receiver.received.map((r) => r.events[0]?.attemptNumber)).toEqual([0, 1, 2]);
    await control("webhooks/subscription", "PUT", {
      targetUrl: `http://127.0.0.1:${receiver.port}/webhooks/hubspot`,
      batchDelayMs: 20,
      timeoutMs: 300,
      retryBaseMs: 10,
    });
  });

  it("webhook_fail fault: the sandbox counts a delivery as failed and retries it", async () => {
    await control("faults", "PUT", [{ kind: "webhook_fail", times: 1 }]);
    await createContact({ email: "fault-fail@acme.example" });
    await flush();
    expect(receiver.received.map((r) => r.events[0]?.attemptNumber)).toEqual([1]);
    const log = (await control("webhooks/deliveries", "GET")).deliveries.slice(-2);
    expect(log[0]).toMatchObject({ fault: "webhook_fail", ok: false });
  });

  it("webhook_duplicate fault: a delivered batch arrives a second time", async () => {
    await control("faults", "PUT", [{ kind: "webhook_duplicate", times: 1 }]);
    await createContact({ email: "fault-dup@acme.example" });
    await flush();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
  });
});
