import { z } from "zod";
import { zonedFormat } from "../days";
import { userKey } from "../salesforce/ids";
import { ConditionSchema } from "./criteria";

// Routing as data (docs/routing.md): who owns a new Lead, decided by Leadbridge in the same upsert
// that creates it (OwnerId in the payload, `Sforce-Auto-Assign` sent deliberately), versioned in
// D1 like the rules. Order of decision for a new Lead:
//   1. accountMatch: the email's domain is an existing Account's website → that Account's owner;
//   2. the first pool whose `when` conditions the contact meets (a pool without conditions takes
//      every lead), a member by the pool's method, skipping inactive users and members at their
//      daily cap;
//   3. fallbackOwnerId, or (salesforceAssignmentRules) the org's active assignment rule, or else
//      the user the connected app runs as.
// An update of a Lead Leadbridge already has never changes its owner (only an SLA escalation does).

/** A Salesforce User Id: 005 then 12 (15 in all) or 15 (18 in all) letters and digits. */
export const SalesforceUserIdSchema = z
  .string()
  .regex(
    /^005[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/,
    "a Salesforce User Id (005…, 15 or 18 characters)",
  );

export const PoolMemberSchema = z
  .object({
    userId: SalesforceUserIdSchema,
    /** Turns per round in round_robin (2 gets twice the leads of 1); fewest_today divides by it. */
    weight: z.number().int().min(1).max(100).default(1),
    /** Leads a day (the org's day) at most; null: no cap. A member at the cap is skipped. */
    dailyCap: z.number().int().min(1).max(10_000).nullable().default(null),
  })
  .strict();

/** A lead left untouched this long is a breach: escalated (the next member) and/or alerted. */
export const PoolSlaSchema = z
  .object({
    /** Minutes to the first touch (status leaves the open value, or an activity is logged). */
    minutes: z.number().int().min(1).max(10_080),
    /** Count only business hours (routing.businessHours, the routing's time zone). */
    businessHours: z.boolean().default(true),
    /** On a breach, reassign to the pool's next member (round-robin order). */
    reassign: z.boolean().default(true),
    /** On a breach, POST an alert to routing.alertUrl. */
    alert: z.boolean().default(true),
  })
  .strict();
export type PoolSla = z.infer<typeof PoolSlaSchema>;

export const PoolNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, "lower-case letters, digits, _ and - (up to 64), e.g. inbound");

export const PoolSchema = z
  .object({
    name: PoolNameSchema,
    /** Conditions on the contact and its company (the rules' condition language); none: every lead. */
    when: z.array(ConditionSchema).max(20).default([]),
    match: z.enum(["all", "any"]).default("all"),
    /** round_robin: weighted turns; fewest_today: the member with the fewest leads today (÷ weight). */
    method: z.enum(["round_robin", "fewest_today"]).default("round_robin"),
    members: z.array(PoolMemberSchema).min(1).max(200),
    sla: PoolSlaSchema.nullable().default(null),
    /** Who a second SLA breach goes to. */
    managerUserId: SalesforceUserIdSchema.nullable().default(null),
  })
  .strict();
export type Pool = z.infer<typeof PoolSchema>;

const clock = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "a time of day as HH:MM (24-hour), e.g. 09:00");

export const BusinessHoursSchema = z
  .object({
    /** ISO weekdays: 1 Monday … 7 Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
    start: clock.default("09:00"),
    end: clock.default("17:00"),
  })
  .strict()
  .refine((h) => h.start < h.end, { message: "start must be before end", path: ["end"] });

/** An IANA time zone the runtime knows, e.g. America/New_York. */
export const TimeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone, e.g. America/New_York");

export const RoutingSchema = z
  .object({
    pools: z.array(PoolSchema).max(50).default([]),
    /** A lead whose email domain is an existing Account's website goes to that Account's owner. */
    accountMatch: z.boolean().default(true),
    /** The owner when no account and no pool member takes the lead. */
    fallbackOwnerId: SalesforceUserIdSchema.nullable().default(null),
    /** Leave leads no account or pool takes to the org's active Lead assignment rule. */
    salesforceAssignmentRules: z.boolean().default(false),
    /**
     * The day caps count in and business hours are read in; unset: the org's (Salesforce
     * Organization.TimeZoneSidKey), read when the routing is saved.
     */
    timeZone: TimeZoneSchema.optional(),
    businessHours: BusinessHoursSchema.default({
      days: [1, 2, 3, 4, 5],
      start: "09:00",
      end: "17:00",
    }),
    /** Where SLA alerts are POSTed (a Slack-compatible incoming webhook); null: no alerts. */
    alertUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((routing, ctx) => {
    const names = routing.pools.map((p) => p.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: "custom",
          path: ["pools", i, "name"],
          message: `pool "${name}" is listed twice`,
        });
    });
    routing.pools.forEach((pool, i) => {
      const ids = pool.members.map((m) => userKey(m.userId));
      ids.forEach((id, j) => {
        if (ids.indexOf(id) !== j)
          ctx.addIssue({
            code: "custom",
            path: ["pools", i, "members", j, "userId"],
            message: `${pool.members[j]!.userId} is a member of pool "${pool.name}" twice`,
          });
      });
    });
    if (routing.fallbackOwnerId && routing.salesforceAssignmentRules)
      ctx.addIssue({
        code: "custom",
        path: ["salesforceAssignmentRules"],
        message:
          "choose one: a fallbackOwnerId, or Salesforce's assignment rules for leads no pool takes",
      });
  });
export type Routing = z.infer<typeof RoutingSchema>;

/** The body of PUT /admin/routing, like the rules' { rules, note }. */
export const RoutingPutSchema = z
  .object({ routing: RoutingSchema, note: z.string().trim().max(500).optional() })
  .strict();

/** Why a new Lead got its owner (assignments.reason, the lead view, the report). */
export const ASSIGNMENT_REASONS = [
  "account_owner",
  "pool",
  "fallback_owner",
  "assignment_rules",
  "integration_user",
] as const;
export type AssignmentReason = (typeof ASSIGNMENT_REASONS)[number];

/** Every Salesforce User a routing names (members, managers, the fallback), as written. */
export function routingUserIds(routing: Routing): string[] {
  const ids = [
    ...routing.pools.flatMap((p) => [
      ...p.members.map((m) => m.userId),
      ...(p.managerUserId ? [p.managerUserId] : []),
    ]),
    ...(routing.fallbackOwnerId ? [routing.fallbackOwnerId] : []),
  ];
  return [...new Set(ids)];
}

const DAY_PARTS = { year: "numeric", month: "2-digit", day: "2-digit" } as const;

/** The calendar day (YYYY-MM-DD) `at` falls on in `timeZone`: the day a daily cap counts on. */
export function dayIn(timeZone: string, at: number): string {
  return zonedFormat(timeZone, DAY_PARTS, "en-CA").format(at);
}
