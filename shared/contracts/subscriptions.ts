import { z } from "zod";

/** A webhook subscription as HubSpot's webhooks API names it: an event type, and a property. */
export const NeededSubscriptionSchema = z
  .object({ eventType: z.string(), propertyName: z.string().optional() })
  .meta({ id: "NeededSubscription" });
export type NeededSubscription = z.infer<typeof NeededSubscriptionSchema>;

/** One of the app's subscriptions in HubSpot. */
export const HubSpotSubscriptionSchema = NeededSubscriptionSchema.extend({
  id: z.string(),
  active: z.boolean(),
}).meta({ id: "HubSpotSubscription" });
export type HubSpotSubscription = z.infer<typeof HubSpotSubscriptionSchema>;

/** GET /admin/subscriptions: what the handoff needs under the rules in force, against HubSpot. */
export const SubscriptionsReportSchema = z
  .object({
    rulesVersion: z.number().int(),
    needed: z.array(NeededSubscriptionSchema),
    subscribed: z.array(HubSpotSubscriptionSchema),
    /** Needed and not active in HubSpot (absent, or there but paused). */
    missing: z.array(NeededSubscriptionSchema),
    /** Active in HubSpot and not needed: reported, never removed. */
    extra: z.array(HubSpotSubscriptionSchema),
    /** Company properties the rules read: no subscription makes their changes judge a contact. */
    notCovered: z.array(z.string()),
    message: z.string(),
  })
  .meta({ id: "SubscriptionsReport" });
export type SubscriptionsReport = z.infer<typeof SubscriptionsReportSchema>;

/** POST /admin/subscriptions/sync: what it did, then the report as it stands after. */
export const SubscriptionsSyncSchema = SubscriptionsReportSchema.extend({
  created: z.array(HubSpotSubscriptionSchema),
  activated: z.array(HubSpotSubscriptionSchema),
  failed: z.array(NeededSubscriptionSchema.extend({ error: z.string() })),
}).meta({ id: "SubscriptionsSync" });
export type SubscriptionsSync = z.infer<typeof SubscriptionsSyncSchema>;
