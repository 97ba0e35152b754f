import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Criterion } from "../../shared/contracts/criteria";
import { DEFAULT_RULES } from "../../shared/contracts/rules";
import {
  type SubscriptionsReport,
  SubscriptionsReportSchema,
  type SubscriptionsSync,
  SubscriptionsSyncSchema,
} from "../../shared/contracts/subscriptions";
import { createApp } from "../../workers/app";
import { ADMIN_TOKEN, admin } from "./admin-client";
import { createContact, hubspotUrl, updateContact } from "./sandboxes";

// The sandbox app's developer key and id (sandbox/hubspot/README.md).
const DEVELOPER_KEY = "sandbox-developer-api-key";
const webhooksApi = (path: string) =>
  `${hubspotUrl()}/webhooks/v3/54321${path}?hapikey=${DEVELOPER_KEY}`;

/** The admin API under an env with or without the developer key (whatever .dev.vars holds). */
async function call<T>(method: string, path: string, key: string | undefined) {
  const res = await createApp().request(
    path,
    { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
    { ...env, HUBSPOT_DEVELOPER_API_KEY: key },
  );
  return { status: res.status, body: (await res.json()) as T };
}
const report = async () => {
  const res = await call<SubscriptionsReport>("GET", "/admin/subscriptions", DEVELOPER_KEY);
  expect(res.status).toBe(200);
  return SubscriptionsReportSchema.parse(res.body);
};
const sync = async () => {
  const res = await call<SubscriptionsSync>("POST", "/admin/subscriptions/sync", DEVELOPER_KEY);
  expect(res.status).toBe(200);
  return SubscriptionsSyncSchema.parse(res.body);
};
const deliveries = async () =>
  (
    (await (await fetch(`${hubspotUrl()}/__sandbox/webhooks/deliveries`)).json()) as {
      deliveries: { subscriptionIds: number[] }[];
    }
  ).deliveries;

const byWebsite: Criterion = {
  name: "has_website",
  description: "the contact gave a website",
  match: "all",
  conditions: [{ property: "contact.website", op: "exists" }],
  required: false,
};
const byIndustry: Criterion = {
  name: "software",
  description: "a software company",
  match: "all",
  conditions: [{ property: "company.industry", op: "in", value: ["Software"] }],
  required: false,
};

beforeAll(async () => {
  // A clean app: no settings, no subscriptions. Deliveries go to a sandbox path that answers 404
  // (not retried): the Worker under test has no address the sandbox could post to, and the
  // delivery log says which subscriptions each batch was sent under.
  await fetch(`${hubspotUrl()}/__sandbox/webhooks/subscription`, { method: "DELETE" });
  const settings = await fetch(webhooksApi("/settings"), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      targetUrl: `${hubspotUrl()}/__sandbox/receiver`,
      throttling: { maxConcurrentRequests: 10 },
    }),
  });
  expect(settings.status).toBe(200);
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "subscriptions: defaults" });
});
afterAll(async () => {
  await fetch(`${hubspotUrl()}/__sandbox/webhooks/subscription`, { method: "DELETE" });
  await admin("PUT", "/admin/rules", { rules: DEFAULT_RULES, note: "subscriptions: defaults" });
});

describe("GET /admin/subscriptions and POST /admin/subscriptions/sync", () => {
  it("without the developer key: 409 naming the secret to set", async () => {
    for (const [method, path] of [
      ["GET", "/admin/subscriptions"],
      ["POST", "/admin/subscriptions/sync"],
    ] as const) {
      const res = await call<{ error: { code: string; message: string } }>(method, path, undefined);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain("HUBSPOT_DEVELOPER_API_KEY");
    }
  });

  it("a wrong developer key is HubSpot's 401, said as a 502 that names the secret", async () => {
    const res = await call<{ error: { message: string } }>("GET", "/admin/subscriptions", "nope");
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/401.*HUBSPOT_DEVELOPER_API_KEY/);
    expect(res.body.error.message).not.toContain("nope");
  });

  it("a new contact-property criterion is missing until sync creates it; then its changes are delivered", async () => {
    const empty = await report();
    expect(empty.subscribed).toEqual([]);
    expect(empty.missing).toEqual(empty.needed);
    expect(empty.needed).toContainEqual({ eventType: "contact.creation" });
    expect(empty.needed).toContainEqual({ eventType: "contact.privacyDeletion" });
    expect(empty.needed).toContainEqual({
      eventType: "contact.propertyChange",
      propertyName: "jobtitle",
    });
    expect(empty.needed.some((s) => s.propertyName?.startsWith("leadbridge_"))).toBe(false);

    const first = await sync();
    expect(first.created).toHaveLength(empty.needed.length);
    expect(first.missing).toEqual([]);
    expect(first.message).toContain("every event");

    const saved = await admin("PUT", "/admin/rules", {
      rules: { ...DEFAULT_RULES, criteria: [...DEFAULT_RULES.criteria, byWebsite, byIndustry] },
      note: "subscriptions: a website criterion",
    });
    expect(saved.status).toBe(201);
    const after = await report();
    expect(after.rulesVersion).toBe(saved.body.version);
    expect(after.missing).toEqual([
      { eventType: "contact.propertyChange", propertyName: "website" },
    ]);
    expect(after.notCovered).toEqual(["industry"]);
    expect(after.message).toMatch(/lacks 1 subscription.*website/);
    expect(after.message).toMatch(/company change does not trigger a new judgement/);

    // An extra subscription in HubSpot is reported and left alone.
    const extra = await fetch(webhooksApi("/subscriptions"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        eventType: "contact.propertyChange",
        propertyName: "phone",
        active: true,
      }),
    });
    expect(extra.status).toBe(201);

    const synced = await sync();
    expect(synced.created).toEqual([
      expect.objectContaining({ eventType: "contact.propertyChange", propertyName: "website" }),
    ]);
    expect(synced.missing).toEqual([]);
    expect(synced.extra).toEqual([expect.objectContaining({ propertyName: "phone" })]);
    const websiteId = Number(synced.created[0]!.id);

    const id = await createContact({ email: `subs${Date.now()}@acme.example` });
    const before = (await deliveries()).length;
    await updateContact(id, { website: "https://acme.example" });
    await fetch(`${hubspotUrl()}/__sandbox/webhooks/flush`, { method: "POST" });
    const sent = (await deliveries()).slice(before).flatMap((d) => d.subscriptionIds);
    expect(sent).toContain(websiteId);
  });

  it("activates a paused subscription instead of creating it again", async () => {
    const listed = (await (await fetch(webhooksApi("/subscriptions"))).json()) as {
      results: { id: string; eventType: string }[];
    };
    const merge = listed.results.find((s) => s.eventType === "contact.merge")!;
    await fetch(webhooksApi(`/subscriptions/${merge.id}`), {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect((await report()).missing).toEqual([{ eventType: "contact.merge" }]);
    const synced = await sync();
    expect(synced.activated).toEqual([expect.objectContaining({ id: merge.id, active: true })]);
    expect(synced.created).toEqual([]);
    expect(synced.missing).toEqual([]);
  });
});
