import { z } from "zod";

export const DEFAULT_EVENT_TYPES = [
  "contact.creation",
  "contact.propertyChange",
  "contact.deletion",
  "contact.merge",
  "contact.associationChange",
];

// leadbridge_* are left out on purpose: the product writes them back, and subscribing would loop.
export const DEFAULT_PROPERTY_NAMES = [
  "email",
  "firstname",
  "lastname",
  "jobtitle",
  "company",
  "lifecyclestage",
  "hs_lead_status",
  "hubspotscore",
  "hs_analytics_source",
  "hs_analytics_last_url",
  "recent_conversion_event_name",
  "num_conversion_events",
  "hubspot_owner_id",
];

/**
 * Body of PUT /__sandbox/webhooks/subscription; everything but targetUrl has HubSpot-like defaults.
 */
export const SubscriptionInput = z.object({
  targetUrl: z.url(),
  clientSecret: z.string().min(1).optional(),
  appId: z.number().int().positive().optional(),
  portalId: z.number().int().positive().optional(),
  eventTypes: z.array(z.string()).default(DEFAULT_EVENT_TYPES),
  propertyNames: z.array(z.string()).default(DEFAULT_PROPERTY_NAMES),
  active: z.boolean().default(true),
  batchDelayMs: z.number().int().nonnegative().default(200),
  timeoutMs: z.number().int().positive().default(5_000),
  retryBaseMs: z.number().int().nonnegative().default(100),
  maxAttempts: z.number().int().min(1).max(10).default(10),
  maxConcurrentRequests: z.number().int().positive().default(10),
});
export type SubscriptionInput = z.input<typeof SubscriptionInput>;

export interface Subscription extends z.infer<typeof SubscriptionInput> {
  clientSecret: string;
  appId: number;
  portalId: number;
  /** HubSpot has one subscription per event type, and per property for property changes. */
  ids: Record<string, number>;
}

export function buildSubscription(
  input: z.infer<typeof SubscriptionInput>,
  defaults: { clientSecret: string; appId: number; portalId: number },
): Subscription {
  const ids: Record<string, number> = {};
  let next = 2_000_001;
  for (const type of input.eventTypes) {
    if (type.endsWith(".propertyChange")) {
      for (const name of input.propertyNames) ids[`${type}:${name}`] = next++;
    } else {
      ids[type] = next++;
    }
  }
  return {
    ...input,
    clientSecret: input.clientSecret ?? defaults.clientSecret,
    appId: input.appId ?? defaults.appId,
    portalId: input.portalId ?? defaults.portalId,
    ids,
  };
}

/** The subscription id an event of this type (and property) is delivered under, if subscribed. */
export function subscriptionIdFor(
  sub: Subscription,
  type: string,
  propertyName?: string,
): number | undefined {
  return propertyName === undefined ? sub.ids[type] : sub.ids[`${type}:${propertyName}`];
}
