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

const DeliveryTuning = {
  clientSecret: z.string().min(1).optional(),
  appId: z.number().int().positive().optional(),
  portalId: z.number().int().positive().optional(),
  active: z.boolean().default(true),
  batchDelayMs: z.number().int().nonnegative().default(200),
  timeoutMs: z.number().int().positive().default(5_000),
  retryBaseMs: z.number().int().nonnegative().default(100),
  maxAttempts: z.number().int().min(1).max(10).default(10),
  maxConcurrentRequests: z.number().int().positive().default(10),
};

/**
 * Body of PUT /__sandbox/webhooks/subscription: the app's settings plus its whole list of event
 * subscriptions in one call; everything but targetUrl has HubSpot-like defaults.
 */
export const SubscriptionInput = z.object({
  targetUrl: z.url(),
  eventTypes: z.array(z.string()).default(DEFAULT_EVENT_TYPES),
  propertyNames: z.array(z.string()).default(DEFAULT_PROPERTY_NAMES),
  ...DeliveryTuning,
});
export type SubscriptionInput = z.input<typeof SubscriptionInput>;

/** Delivery tuning alone, for settings written through HubSpot's webhooks API. */
export const DeliveryInput = z.object(DeliveryTuning);

/**
 * The app's webhook settings (HubSpot's `/webhooks/v3/{appId}/settings`) and how the sandbox
 * delivers: one target URL per app. `active: false` pauses every delivery (a sandbox switch).
 */
export interface Subscription extends z.infer<typeof DeliveryInput> {
  targetUrl: string;
  clientSecret: string;
  appId: number;
  portalId: number;
  createdAt: string;
  updatedAt: string;
}

export function buildSubscription(
  input: z.infer<typeof DeliveryInput> & { targetUrl: string },
  defaults: { clientSecret: string; appId: number; portalId: number },
  createdAt = new Date().toISOString(),
): Subscription {
  return {
    targetUrl: input.targetUrl,
    active: input.active,
    batchDelayMs: input.batchDelayMs,
    timeoutMs: input.timeoutMs,
    retryBaseMs: input.retryBaseMs,
    maxAttempts: input.maxAttempts,
    maxConcurrentRequests: input.maxConcurrentRequests,
    clientSecret: input.clientSecret ?? defaults.clientSecret,
    appId: input.appId ?? defaults.appId,
    portalId: input.portalId ?? defaults.portalId,
    createdAt,
    updatedAt: new Date().toISOString(),
  };
}
