import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@hubspot/api-client";
import type { SubscriptionCreateRequestEventTypeEnum } from "@hubspot/api-client/lib/codegen/webhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HubSpotSandbox, startHubSpotSandbox } from "../../sandbox/hubspot/server";

const APP_ID = 54321;
const DEVELOPER_KEY = "sandbox-developer-api-key";
const eventType = (t: string) => t as SubscriptionCreateRequestEventTypeEnum;

/** Records the webhook events it is posted. */
class Receiver {
  events: Record<string, any>[] = [];
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.events.push(...JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(204).end();
    });
  });
  url = "";
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/hubspot`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let sandbox: HubSpotSandbox;
let developer: Client;
let crm: Client;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  sandbox = await startHubSpotSandbox({ port: 0, rateLimits: false });
  developer = new Client({
    developerApiKey: DEVELOPER_KEY,
    basePath: sandbox.url,
    numberOfApiCallRetries: 0,
  });
  crm = new Client({ accessToken: "sandbox-hubspot-token", basePath: sandbox.url });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/__sandbox/webhooks/subscription`, { method: "DELETE" });
  receiver.events = [];
});

const errorOf = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (e) {
    const err = e as { code: number; body: any };
    return { code: err.code, body: err.body };
  }
  throw new Error("expected the call to fail");
};

describe("HubSpot's webhooks API v3 in the sandbox, through the official client", () => {
  it("settings: 404 before any, then PUT and GET the target URL and throttling", async () => {
    const none = await errorOf(developer.webhooks.settingsApi.getAll(APP_ID));
    expect(none).toMatchObject({
      code: 404,
      body: { status: "error", category: "OBJECT_NOT_FOUND" },
    });
    const put = await developer.webhooks.settingsApi.configure(APP_ID, {
      targetUrl: receiver.url,
      throttling: { maxConcurrentRequests: 5 },
    });
    expect(put).toMatchObject({
      targetUrl: receiver.url,
      throttling: { maxConcurrentRequests: 5 },
    });
    expect(put.createdAt).toBeInstanceOf(Date);
    const got = await developer.webhooks.settingsApi.getAll(APP_ID);
    expect(got.targetUrl).toBe(receiver.url);
  });

  it("subscriptions: create, read, list, patch and delete; duplicates and bad input refused", async () => {
    const api = developer.webhooks.subscriptionsApi;
    const created = await api.create(APP_ID, {
      eventType: eventType("contact.propertyChange"),
      propertyName: "website",
      active: true,
    });
    expect(created).toMatchObject({
      eventType: "contact.propertyChange",
      propertyName: "website",
      active: true,
    });
    expect(created.id).toMatch(/^\d+$/);
    const paused = await api.create(APP_ID, { eventType: eventType("contact.creation") });
    expect(paused.active).toBe(false);

    expect(await api.getById(Number(created.id), APP_ID)).toMatchObject({ id: created.id });
    expect((await api.getAll(APP_ID)).results.map((s) => s.id)).toEqual([created.id, paused.id]);
    const patched = await api.update(Number(paused.id), APP_ID, { active: true });
    expect(patched.active).toBe(true);

    const duplicate = await errorOf(
      api.create(APP_ID, {
        eventType: eventType("contact.propertyChange"),
        propertyName: "website",
      }),
    );
    expect(duplicate.code).toBe(409);
    const noProperty = await errorOf(
      api.create(APP_ID, { eventType: eventType("contact.propertyChange") }),
    );
    expect(noProperty).toMatchObject({ code: 400, body: { category: "VALIDATION_ERROR" } });
    const unknownProperty = await errorOf(
      api.create(APP_ID, {
        eventType: eventType("contact.propertyChange"),
        propertyName: "no_such_property",
      }),
    );
    expect(unknownProperty.body.message).toContain("no_such_property");

    await api.archive(Number(created.id), APP_ID);
    expect(await errorOf(api.getById(Number(created.id), APP_ID))).toMatchObject({ code: 404 });
    expect((await api.getAll(APP_ID)).results.map((s) => s.id)).toEqual([paused.id]);
  });

  it("answers HubSpot's 401 to a missing or wrong developer key, and 404 to another app", async () => {
    const missing = await fetch(`${sandbox.url}/webhooks/v3/${APP_ID}/subscriptions`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      status: "error",
      category: "INVALID_AUTHENTICATION",
      message: expect.stringContaining("Authentication credentials not found"),
    });
    const wrong = new Client({ developerApiKey: "nope", basePath: sandbox.url });
    const refused = await errorOf(wrong.webhooks.subscriptionsApi.getAll(APP_ID));
    expect(refused).toMatchObject({
      code: 401,
      body: { category: "INVALID_AUTHENTICATION", message: expect.stringContaining("API key") },
    });
    // A private app's token is not a developer key.
    const bearer = await fetch(`${sandbox.url}/webhooks/v3/${APP_ID}/subscriptions`, {
      headers: { authorization: "Bearer sandbox-hubspot-token" },
    });
    expect(bearer.status).toBe(401);
    const other = await errorOf(developer.webhooks.subscriptionsApi.getAll(999));
    expect(other.code).toBe(404);
  });

  it("deliveries follow the active subscriptions, property by property", async () => {
    await developer.webhooks.settingsApi.configure(APP_ID, {
      targetUrl: receiver.url,
      throttling: { maxConcurrentRequests: 10 },
    });
    const api = developer.webhooks.subscriptionsApi;
    const creation = await api.create(APP_ID, {
      eventType: eventType("contact.creation"),
      active: true,
    });
    const website = await api.create(APP_ID, {
      eventType: eventType("contact.propertyChange"),
      propertyName: "website",
      active: true,
    });
    await api.create(APP_ID, {
      eventType: eventType("contact.propertyChange"),
      propertyName: "jobtitle",
      active: false,
    });

    const contact = await crm.crm.contacts.basicApi.create({
      properties: { email: "follow@acme.example", website: "acme.example", jobtitle: "CTO" },
      associations: [],
    });
    await sandbox.flushWebhooks();
    expect(
      receiver.events.map((e) => [e.subscriptionType, e.propertyName, e.subscriptionId]),
    ).toEqual([
      ["contact.creation", undefined, Number(creation.id)],
      ["contact.propertyChange", "website", Number(website.id)],
    ]);

    // Deactivated: no more website changes; deleted settings pause everything.
    receiver.events = [];
    await api.update(Number(website.id), APP_ID, { active: false });
    await crm.crm.contacts.basicApi.update(contact.id, { properties: { website: "acme.io" } });
    await sandbox.flushWebhooks();
    expect(receiver.events).toEqual([]);
    await api.update(Number(website.id), APP_ID, { active: true });
    await developer.webhooks.settingsApi.clear(APP_ID);
    await crm.crm.contacts.basicApi.update(contact.id, { properties: { website: "acme.dev" } });
    await sandbox.flushWebhooks();
    expect(receiver.events).toEqual([]);
    expect((await api.getAll(APP_ID)).results).toHaveLength(3);
  });

  it("the sandbox's one-call route writes the same store the API reads", async () => {
    const res = await fetch(`${sandbox.url}/__sandbox/webhooks/subscription`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        targetUrl: receiver.url,
        eventTypes: ["contact.creation", "contact.propertyChange"],
        propertyNames: ["email", "website"],
      }),
    });
    expect(await res.json()).toMatchObject({
      eventTypes: ["contact.creation", "contact.propertyChange"],
      propertyNames: ["email", "website"],
    });
    const listed = await developer.webhooks.subscriptionsApi.getAll(APP_ID);
    expect(listed.results.map((s) => [s.eventType, s.propertyName, s.active])).toEqual([
      ["contact.creation", undefined, true],
      ["contact.propertyChange", "email", true],
      ["contact.propertyChange", "website", true],
    ]);
    expect((await developer.webhooks.settingsApi.getAll(APP_ID)).targetUrl).toBe(receiver.url);
  });
});
