import type { SubscriptionCreateRequestEventTypeEnum } from "@hubspot/api-client/lib/codegen/webhooks";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { createClients } from "../../shared/clients";
import {
  type HubSpotSubscription,
  HubSpotSubscriptionSchema,
  type NeededSubscription,
  type SubscriptionsSync,
} from "../../shared/contracts/subscriptions";
import { currentMapping } from "../../shared/db/mappings";
import { currentRules } from "../../shared/db/rules";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import type { HubSpotDeveloper } from "../../shared/hubspot/apis";
import { compareSubscriptions } from "../handoff/subscriptions";

const SubscriptionList = z.object({ results: z.array(HubSpotSubscriptionSchema.loose()) });

/**
 * GET /admin/subscriptions: the webhook subscriptions the handoff needs under the rules in force,
 * what HubSpot's webhooks API has, and the difference. POST /admin/subscriptions/sync creates (or
 * activates) the missing ones; extra ones are only reported.
 */
export const subscriptions = new Hono<HonoEnv>();

subscriptions.get("/subscriptions", async (c) => {
  const { developer, appId } = webhooksApi(c);
  const [rules, mapping] = await Promise.all([currentRules(c.env.DB), currentMapping(c.env.DB)]);
  return c.json(
    compareSubscriptions(
      rules.rules,
      rules.version,
      await listed(developer, appId),
      mapping.mapping,
    ),
  );
});

subscriptions.post("/subscriptions/sync", async (c) => {
  const { developer, appId } = webhooksApi(c);
  const [rules, mapping] = await Promise.all([currentRules(c.env.DB), currentMapping(c.env.DB)]);
  const before = compareSubscriptions(
    rules.rules,
    rules.version,
    await listed(developer, appId),
    mapping.mapping,
  );
  const created: HubSpotSubscription[] = [];
  const activated: HubSpotSubscription[] = [];
  const failed: SubscriptionsSync["failed"] = [];
  for (const want of before.missing) {
    const paused = before.subscribed.find(
      (s) => s.eventType === want.eventType && s.propertyName === want.propertyName,
    );
    try {
      if (paused) activated.push(await activate(developer, appId, paused.id));
      else created.push(await create(developer, appId, want));
    } catch (err) {
      failed.push({ ...want, error: upstreamMessage(err) });
    }
  }
  const after = compareSubscriptions(
    rules.rules,
    rules.version,
    await listed(developer, appId),
    mapping.mapping,
  );
  c.get("log").info("subscriptions_synced", {
    created: created.length,
    activated: activated.length,
    failed: failed.length,
    extra: after.extra.length,
  });
  return c.json({ ...after, created, activated, failed } satisfies SubscriptionsSync);
});

function webhooksApi(c: Context<HonoEnv>): { developer: HubSpotDeveloper; appId: number } {
  const config = c.get("config");
  const developer = createClients(config, c.env).hubspotDeveloper;
  if (!developer)
    throw new HttpError(
      ErrorCode.Conflict,
      "HubSpot's webhooks API takes the app's developer API key: set the secret HUBSPOT_DEVELOPER_API_KEY (wrangler secret put HUBSPOT_DEVELOPER_API_KEY, or .dev.vars locally)",
    );
  return { developer, appId: Number(config.HUBSPOT_APP_ID) };
}

async function listed(developer: HubSpotDeveloper, appId: number): Promise<HubSpotSubscription[]> {
  try {
    const body = SubscriptionList.parse(await developer.webhooks.subscriptionsApi.getAll(appId));
    return body.results.map(({ id, eventType, propertyName, active }) => ({
      id,
      eventType,
      ...(propertyName ? { propertyName } : {}),
      active,
    }));
  } catch (err) {
    throw new HttpError(ErrorCode.Upstream, `HubSpot's webhooks API: ${upstreamMessage(err)}`);
  }
}

async function create(developer: HubSpotDeveloper, appId: number, want: NeededSubscription) {
  const made = await developer.webhooks.subscriptionsApi.create(appId, {
    eventType: want.eventType as SubscriptionCreateRequestEventTypeEnum,
    ...(want.propertyName ? { propertyName: want.propertyName } : {}),
    active: true,
  });
  return HubSpotSubscriptionSchema.parse({ ...want, id: made.id, active: made.active });
}

async function activate(developer: HubSpotDeveloper, appId: number, id: string) {
  const patched = await developer.webhooks.subscriptionsApi.update(Number(id), appId, {
    active: true,
  });
  return HubSpotSubscriptionSchema.parse({
    id: patched.id,
    eventType: patched.eventType,
    ...(patched.propertyName ? { propertyName: patched.propertyName } : {}),
    active: patched.active,
  });
}

/** HubSpot's status and message, e.g. "401: The API key provided is invalid..." (no key in it). */
function upstreamMessage(err: unknown): string {
  const e = err as { code?: number; body?: { message?: string } };
  if (typeof e.code === "number") {
    const hint = e.code === 401 ? " (check HUBSPOT_DEVELOPER_API_KEY)" : "";
    return `${e.code}: ${e.body?.message ?? "no message"}${hint}`;
  }
  return String(err);
}
