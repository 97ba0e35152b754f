import { Hono } from "hono";
import { z } from "zod";
import { FaultRule } from "../common/faults";
import { objectNotFound } from "./errors";
import {
  CreateInput,
  createObject,
  objectTypeOrThrow,
  UpdateInput,
  updateObject,
} from "./object-writes";
import { RateLimitPatch } from "./ratelimit";
import { readBody } from "./request";
import { seedDemoData } from "./seed";
import { type HubSpotState, subscribe, subscriptionView } from "./state";
import type { ChangeSource, CrmRecord } from "./store";
import { SubscriptionInput } from "./webhooks/subscription";

const FaultRules = z.union([
  z.array(FaultRule),
  z.object({ rules: z.array(FaultRule) }).transform((b) => b.rules),
]);
const OneOrMoreRules = z.union([FaultRule.transform((r) => [r]), FaultRules]);
// A change made by a person in HubSpot's UI, as opposed to the app's own API writes.
const uiSource = (body: { changeSource?: string; sourceId?: string }): ChangeSource => ({
  changeSource: body.changeSource ?? "CRM_UI",
  sourceId: body.sourceId ?? "userId:1000001",
});
const ResetInput = z.object({ leadbridgeProperties: z.boolean().optional() });
const UiWrite = { changeSource: z.string().optional(), sourceId: z.string().optional() };

/** `/__sandbox/*`: unauthenticated controls for tests, benchmarks and demos. */
export function controlRoutes(state: HubSpotState): Hono {
  const app = new Hono();
  const { store } = state;

  // A body of {"leadbridgeProperties": false} starts a portal where setup:hubspot has not run.
  app.post("/reset", async (c) => {
    // Hono keeps the body it read, so readBody can read it again.
    const options = (await c.req.text()).trim() ? await readBody(c, ResetInput) : {};
    store.reset(options);
    state.counter.reset();
    state.faults.clear();
    state.limiter.reset();
    state.webhooks.reset();
    return c.json({ ok: true });
  });

  app.post("/seed", (c) => c.json(seedDemoData(state)));

  app.get("/counts", (c) => c.json(state.counter.snapshot()));
  app.post("/counts/reset", (c) => {
    state.counter.reset();
    return c.json({ ok: true });
  });

  app.get("/faults", (c) => c.json({ rules: state.faults.list() }));
  app.put("/faults", async (c) => {
    state.faults.set(await readBody(c, FaultRules));
    return c.json({ rules: state.faults.list() });
  });
  app.post("/faults", async (c) => {
    for (const rule of await readBody(c, OneOrMoreRules)) state.faults.add(rule);
    return c.json({ rules: state.faults.list() });
  });
  app.delete("/faults", (c) => {
    state.faults.clear();
    return c.json({ rules: [] });
  });

  app.get("/limits", (c) => c.json(state.limiter.config));
  app.put("/limits", async (c) => {
    const { resetWindow, ...patch } = await readBody(c, RateLimitPatch);
    const config = state.limiter.configure(patch);
    if (resetWindow) state.limiter.reset();
    return c.json(config);
  });

  app.get("/webhooks/subscription", (c) => c.json(subscriptionView(state)));
  app.put("/webhooks/subscription", async (c) =>
    c.json(subscribe(state, await readBody(c, SubscriptionInput))),
  );
  app.delete("/webhooks/subscription", (c) => {
    state.webhooks.subscription = undefined;
    state.subscriptions.replace([], []);
    return c.body(null, 204);
  });
  app.get("/webhooks/deliveries", (c) =>
    c.json({ pending: state.webhooks.pending(), deliveries: state.webhooks.deliveries() }),
  );
  app.post("/webhooks/flush", async (c) => {
    await state.webhooks.flush();
    return c.json({
      pending: state.webhooks.pending(),
      deliveries: state.webhooks.deliveries().length,
    });
  });

  app.get("/objects/:objectType/:id", (c) => {
    const record = store.get(objectTypeOrThrow(c.req.param("objectType")), c.req.param("id"));
    if (!record) throw objectNotFound();
    return c.json(rawRecord(state, record));
  });
  app.post("/objects/:objectType", async (c) => {
    const body = await readBody(c, CreateInput.extend(UiWrite));
    const record = createObject(
      state,
      objectTypeOrThrow(c.req.param("objectType")),
      body,
      uiSource(body),
    );
    return c.json(rawRecord(state, record), 201);
  });
  app.patch("/objects/:objectType/:id", async (c) => {
    const record = store.get(objectTypeOrThrow(c.req.param("objectType")), c.req.param("id"));
    if (!record) throw objectNotFound();
    const body = await readBody(c, UpdateInput.extend(UiWrite));
    updateObject(state, record, body.properties, uiSource(body), { byUser: true });
    return c.json(rawRecord(state, record));
  });

  return app;
}

/** Everything the sandbox holds about a record, notes included, for assertions. */
function rawRecord(state: HubSpotState, record: CrmRecord) {
  const associations = Object.fromEntries(
    state.store.associations
      .all(record.type, record.id)
      .map(({ to, targets }) => [to, targets.map((t) => ({ id: t.toId, typeIds: t.typeIds }))]),
  );
  const notes = state.store.associations
    .list(record.type, record.id, "notes")
    .flatMap((t) => state.store.get("notes", t.toId) ?? [])
    .map((n) => ({ id: n.id, properties: Object.fromEntries(n.properties) }));
  return {
    id: record.id,
    type: record.type,
    archived: record.archived,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    properties: Object.fromEntries(record.properties),
    history: Object.fromEntries(record.history),
    associations,
    notes,
  };
}
