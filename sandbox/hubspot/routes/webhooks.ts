import { type Context, Hono } from "hono";
import { z } from "zod";
import { errorBody, HubSpotError, validationError } from "../errors";
import { readBody } from "../request";
import type { HubSpotState } from "../state";
import { buildSubscription, DeliveryInput } from "../webhooks/subscription";

// SubscriptionCreateRequest's eventType enum in HubSpot's webhooks v3 document.
const OBJECTS = ["company", "contact", "deal", "line_item", "product", "ticket", "object"];
const ACTIONS = ["associationChange", "creation", "deletion", "merge", "propertyChange", "restore"];
const EVENT_TYPES = [
  ...OBJECTS.flatMap((o) => ACTIONS.map((a) => `${o}.${a}`)),
  "contact.privacyDeletion",
  "conversation.creation",
  "conversation.deletion",
  "conversation.newMessage",
  "conversation.privacyDeletion",
  "conversation.propertyChange",
  "event.completed",
].filter((t) => t !== "product.associationChange");
const OBJECT_OF: Record<string, "contacts" | "companies"> = {
  contact: "contacts",
  company: "companies",
};

const SettingsChange = z.object({
  targetUrl: z.string().min(1),
  throttling: z.object({
    maxConcurrentRequests: z.number().int().positive(),
    period: z.string().optional(),
  }),
});
const SubscriptionCreate = z.object({
  eventType: z.string(),
  propertyName: z.string().min(1).optional(),
  active: z.boolean().optional(),
});
const SubscriptionPatch = z.object({ active: z.boolean().optional() });

/**
 * HubSpot's webhooks API v3 (`/webhooks/v3/{appId}`): the app's settings (target URL, throttling)
 * and its event subscriptions, authenticated with the developer API key (`hapikey`, checked in
 * app.ts).
 */
export function webhookRoutes(state: HubSpotState): Hono {
  const app = new Hono();
  app.use("/:appId/*", async (c, next) => {
    if (c.req.param("appId") !== String(state.config.appId)) {
      throw new HubSpotError(
        404,
        errorBody("OBJECT_NOT_FOUND", `App ${c.req.param("appId")} not found.`),
      );
    }
    return next();
  });

  app.get("/:appId/settings", (c) => {
    const sub = state.webhooks.subscription;
    if (!sub) throw notFound(`No webhook settings found for app ${state.config.appId}.`);
    return c.json(settingsResponse(sub));
  });
  app.put("/:appId/settings", async (c) => {
    const body = await readBody(c, SettingsChange);
    if (!URL.canParse(body.targetUrl))
      throw validationError(`Invalid targetUrl: ${body.targetUrl}`);
    const before = state.webhooks.subscription;
    // The sandbox's own delivery tuning (batch delay, retries...) survives a settings change.
    state.webhooks.subscription = buildSubscription(
      {
        ...(before ?? DeliveryInput.parse({})),
        targetUrl: body.targetUrl,
        maxConcurrentRequests: body.throttling.maxConcurrentRequests,
      },
      state.config,
      before?.createdAt,
    );
    return c.json(settingsResponse(state.webhooks.subscription));
  });
  app.delete("/:appId/settings", (c) => {
    // As in HubSpot: subscriptions stay, paused until settings exist again.
    state.webhooks.subscription = undefined;
    return c.body(null, 204);
  });

  app.get("/:appId/subscriptions", (c) => c.json({ results: state.subscriptions.list() }));
  app.post("/:appId/subscriptions", async (c) => {
    const body = await readBody(c, SubscriptionCreate);
    checkCreate(state, body);
    const sub = state.subscriptions.create(body.eventType, body.propertyName, body.active ?? false);
    return c.json(sub, 201);
  });
  app.get("/:appId/subscriptions/:subscriptionId", (c) => c.json(subscriptionOrThrow(state, c)));
  app.patch("/:appId/subscriptions/:subscriptionId", async (c) => {
    const sub = subscriptionOrThrow(state, c);
    const body = await readBody(c, SubscriptionPatch);
    if (body.active !== undefined) state.subscriptions.setActive(sub.id, body.active);
    return c.json(sub);
  });
  app.delete("/:appId/subscriptions/:subscriptionId", (c) => {
    state.subscriptions.remove(subscriptionOrThrow(state, c).id);
    return c.body(null, 204);
  });
  return app;
}

function settingsResponse(sub: { targetUrl: string; maxConcurrentRequests: number } & Dates) {
  return {
    createdAt: sub.createdAt,
    targetUrl: sub.targetUrl,
    throttling: { maxConcurrentRequests: sub.maxConcurrentRequests, period: "SECONDLY" },
    updatedAt: sub.updatedAt,
  };
}
interface Dates {
  createdAt: string;
  updatedAt: string;
}

function checkCreate(state: HubSpotState, body: z.infer<typeof SubscriptionCreate>) {
  if (!EVENT_TYPES.includes(body.eventType)) {
    throw validationError(`Invalid event type: ${body.eventType}`);
  }
  const isPropertyChange = body.eventType.endsWith(".propertyChange");
  if (isPropertyChange && body.propertyName === undefined) {
    throw validationError(`propertyName is required for ${body.eventType} subscriptions`);
  }
  if (!isPropertyChange && body.propertyName !== undefined) {
    throw validationError(`propertyName is only allowed on propertyChange subscriptions`);
  }
  const objectType = OBJECT_OF[body.eventType.split(".")[0] ?? ""];
  if (isPropertyChange && objectType && body.propertyName !== undefined) {
    if (!state.store.schema.get(objectType, body.propertyName)) {
      throw validationError(`Property ${body.propertyName} does not exist on ${objectType}`);
    }
  }
  if (state.subscriptions.find(body.eventType, body.propertyName)) {
    const what = body.propertyName ? `${body.eventType} (${body.propertyName})` : body.eventType;
    throw new HubSpotError(
      409,
      errorBody("CONFLICT", `A subscription for ${what} already exists for this app.`),
    );
  }
}

function subscriptionOrThrow(state: HubSpotState, c: Context) {
  const id = c.req.param("subscriptionId") ?? "";
  const sub = state.subscriptions.get(id);
  if (!sub) throw notFound(`Subscription ${id} not found.`);
  return sub;
}

const notFound = (message: string) => new HubSpotError(404, errorBody("OBJECT_NOT_FOUND", message));
