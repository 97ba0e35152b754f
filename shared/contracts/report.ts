import { z } from "zod";
import { SALES_STATES } from "../sales-process";
import { ASSIGNMENT_REASONS } from "./routing";

/**
 * The nightly funnel report: written by workers/telemetry, read by the admin routes and the
 * dashboard. Rates are shares in [0, 1], null when their denominator is zero (no data is not 0%).
 */
/** The widest time zone is UTC+14: its "today" is the last day a report can be asked for. */
const WIDEST_ZONE_AHEAD_MS = 14 * 3_600_000;

/** The latest report day that is not in the future anywhere on Earth at `nowMs`. */
export function latestReportableDay(nowMs: number): string {
  return new Date(nowMs + WIDEST_ZONE_AHEAD_MS).toISOString().slice(0, 10);
}

export const ReportDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { message: "not a calendar date" },
  );

const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1).nullable();
const state = z.enum(SALES_STATES);

export const FunnelSchema = z.object({
  /**
   * HubSpot webhook events received that day in accepted deliveries (types we do not act on
   * included).
   */
  webhookEvents: count,
  contactsJudged: count,
  qualified: count,
  rejected: count,
  /** Contacts upserted into Salesforce for the first time that day, however they arrived. */
  handedOff: count,
  /**
   * Contacts already handed off whose last judgement that day failed the rules in force (still
   * handed off).
   */
  handedOffNoLongerQualifying: count.default(0),
  /** Salesforce Leads converted that day (ConvertedOpportunityId set). */
  convertedToOpportunity: count,
  /** Opportunities that entered a won / lost stage that day. */
  won: count,
  lost: count,
});

export const SpeedToLeadSchema = z.object({
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  maxMs: z.number().nonnegative().nullable(),
  count,
});

/**
 * First handoffs that day of contacts a backfill or resync brought in: not new leads, so not in
 * speedToLead.
 */
export const BulkHandoffsSchema = z.object({
  count,
  backfill: count,
  resync: count,
  /** From the day's first to its last bulk handoff. */
  spanMs: z.number().nonnegative().nullable(),
  /** count per minute of that span; null under two handoffs a millisecond apart. */
  perMinute: z.number().nonnegative().nullable(),
});

/**
 * The other half of the funnel: what sales did with the leads handed off (docs/report.md#sales).
 * Cohort figures cover the leads handed off in the `windowDays` days ending on the report day,
 * with what sales did with them up to the end of that day.
 */
export const SalesHalfSchema = z.object({
  /** The first handoff day of the cohort (the report day is the last). */
  from: ReportDateSchema,
  windowDays: count,
  handedOff: count,
  /** Of those, accepted, converted or further on by the end of the report day. */
  accepted: count,
  /** accepted / handedOff. */
  acceptanceRate: rate,
  /** Sales' refusals made in the window, whoever's lead; reason '' when sales gave none. */
  rejected: count,
  rejectionReasons: z.array(z.object({ reason: z.string(), count })),
  /** The cohort per lead source: handed off → converted with an opportunity → won. */
  bySource: z.array(
    z.object({
      source: z.string(),
      handedOff: count,
      opportunities: count,
      won: count,
      /** opportunities / handedOff and won / handedOff. */
      opportunityRate: rate,
      wonRate: rate,
    }),
  ),
  /** Handoff to sales' first status change, over the leads first touched on the report day. */
  timeToFirstTouch: z.object({
    p50Ms: z.number().nonnegative().nullable(),
    p95Ms: z.number().nonnegative().nullable(),
    count,
  }),
  /** Handed off, untouched by sales and not converted for more than `afterDays` days. */
  staleMqls: z.object({
    afterDays: z.number().int().positive(),
    /** The handoff days looked at: the `windowDays` days ending `afterDays` before the report day. */
    from: ReportDateSchema,
    to: ReportDateSchema,
    count,
    /** The longest waiting, oldest first: HubSpot contact ids only, at most 10. */
    oldest: z.array(z.object({ contactId: z.string(), handedOffAt: z.string().datetime() })),
  }),
});

/** Nearest-rank percentiles of a day's waits from assignment to first touch, and how many. */
const FirstTouchSchema = z.object({
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  count,
});

/** A day's SLA breaches and what was done about them (per pool, and in all). */
const SlaCountsSchema = z.object({
  firstBreaches: count,
  secondBreaches: count,
  /** Breaches whose Lead Salesforce moved to the next member or the manager. */
  reassigned: count,
  /** Breaches whose reassignment Salesforce refused for good (a converted Lead, an inactive user). */
  reassignFailed: count,
  /** Alerts the alert URL took, gave up on, and still owed when the report was written. */
  alertsSent: count,
  alertsGivenUp: count,
  alertsPending: count,
});

/**
 * Routing and SLAs on the report day (docs/report.md#routing): who got the day's new Leads and
 * why, how fast sales first touched them, and the SLA breaches. `ownerId` and `pool` are null for
 * Leads no rep or pool took (Salesforce's assignment rule or the integration user; an account
 * owner or the fallback owner has no pool).
 */
export const RoutingSectionSchema = z.object({
  /** The routing version in force at the end of the day (null: none saved yet). */
  routingVersion: z.number().int().positive().nullable(),
  /** first_touch_at − assigned_at over the Leads first touched that day. */
  firstTouch: FirstTouchSchema.extend({
    byRep: z.array(
      FirstTouchSchema.extend({ ownerId: z.string().nullable(), ownerName: z.string().nullable() }),
    ),
    byPool: z.array(FirstTouchSchema.extend({ pool: z.string().nullable() })),
  }),
  /** New Leads assigned that day, by the owner they have now (an escalation moves them). */
  assignments: z.object({
    total: count,
    byRep: z.array(
      z.object({
        ownerId: z.string().nullable(),
        ownerName: z.string().nullable(),
        assigned: count,
        /** The most leads a day the routing in force gives this rep; null: uncapped or no member. */
        dailyCap: z.number().int().positive().nullable(),
      }),
    ),
    byPool: z.array(z.object({ pool: z.string().nullable(), assigned: count })),
    /** In the order of ASSIGNMENT_REASONS (shared/contracts/routing.ts). */
    byReason: z.array(z.object({ reason: z.enum(ASSIGNMENT_REASONS), count })),
  }),
  /** Breaches found that day, with what became of them by the time the report was written. */
  sla: SlaCountsSchema.extend({
    byPool: z.array(SlaCountsSchema.extend({ pool: z.string() })),
  }),
});

export const ReportSchema = z.object({
  date: ReportDateSchema,
  generatedAt: z.string().datetime(),
  funnel: FunnelSchema,
  /** qualified / contactsJudged. */
  acceptanceRate: rate,
  /**
   * The day's judgements by the rules version that made them (a contact judged twice counts with
   * its last verdict), so a rules change shows the next morning; absent from reports written
   * before.
   */
  acceptanceByRulesVersion: z
    .array(
      z.object({
        version: z.number().int().positive(),
        judged: count,
        qualified: count,
        acceptanceRate: rate,
      }),
    )
    .optional(),
  rejectionReasons: z.array(z.object({ code: z.string(), count })),
  rejectionRateBySource: z.array(
    z.object({ source: z.string(), judged: count, rejected: count, rate }),
  ),
  /** Leads that arrived by a HubSpot event only, from a time that can be true. */
  speedToLead: SpeedToLeadSchema,
  /** Reports written before bulk handoffs were counted read as none. */
  bulkHandoffs: BulkHandoffsSchema.default({
    count: 0,
    backfill: 0,
    resync: 0,
    spanMs: null,
    perMinute: null,
  }),
  /**
   * Per open stage, cumulative to date: deals that reached it, those of them that closed, and the
   * share of those won.
   */
  winRateByStage: z.array(
    z.object({
      stage: z.string(),
      state: state.nullable(),
      reached: count,
      closed: count,
      won: count,
      winRate: rate,
    }),
  ),
  /** Where lost deals stopped: the last open stage before Closed Lost (cumulative to date). */
  lostAtStage: z.array(z.object({ stage: z.string(), state: state.nullable(), lost: count })),
  /**
   * Per collateral asset version ever published, to date: the leads credited to it (by the
   * conversion event or form, else the first URL, else the lead source; docs/report.md) and their
   * opportunities and wins. Reports written before versions had attribution read as none.
   */
  contentUsage: z.array(
    z.object({
      assetId: z.string(),
      type: z.string(),
      title: z.string(),
      version: z.string(),
      status: z.string(),
      tags: z.array(z.string()),
      targetAudience: z.string(),
      url: z.string(),
      leadSource: z.string().nullable(),
      conversionEvents: z.array(z.string()).default([]),
      urlPatterns: z.array(z.string()).default([]),
      leads: count,
      opportunities: count,
      wins: count,
      winRate: rate,
    }),
  ),
  /** The report month: closed-won amount per owner against that owner's quota. */
  quotaAttainment: z.array(
    z.object({
      ownerId: z.string(),
      ownerName: z.string(),
      month: z.string().regex(/^\d{4}-\d{2}$/),
      quota: z.number().nonnegative().nullable(),
      closedWonAmount: z.number().nonnegative(),
      attainment: z.number().nonnegative().nullable(),
    }),
  ),
  timeToRamp: z.array(
    z.object({
      ownerId: z.string(),
      ownerName: z.string(),
      startDate: z.string().nullable(),
      threshold: z.number().min(0),
      /** The first month whose closed-won amount reached threshold × quota, and the day it did. */
      rampedMonth: z.string().nullable(),
      rampedOn: z.string().nullable(),
      /** Days from Start_Date__c to rampedOn; null while not ramped. */
      daysToRamp: z.number().int().nonnegative().nullable(),
    }),
  ),
  alerts: z.array(
    z.object({
      kind: z.literal("rejection_rate_spike"),
      source: z.string(),
      rate: z.number().min(0).max(1),
      trailingRate: z.number().min(0).max(1).nullable(),
      judged: count,
      message: z.string(),
    }),
  ),
  dataQuality: z.object({
    illegalStageJumps: count,
    /** Up to 50 examples; the count above is complete. */
    findings: z.array(
      z.object({
        opportunityId: z.string(),
        from: z.string(),
        to: z.string(),
        at: z.string(),
        reason: z.string(),
      }),
    ),
    /** StageName values with no mapping onto the sales process. */
    unmappedStages: z.array(z.string()),
  }),
  /** Absent from reports written before the sales half was measured: unknown, not zero. */
  sales: SalesHalfSchema.optional(),
  /** Absent from reports written before routing was measured: unknown, not zero. */
  routing: RoutingSectionSchema.optional(),
});

export type FunnelReport = z.infer<typeof ReportSchema>;
export type Funnel = z.infer<typeof FunnelSchema>;
export type SpeedToLead = z.infer<typeof SpeedToLeadSchema>;
export type BulkHandoffs = z.infer<typeof BulkHandoffsSchema>;
export type SalesHalf = z.infer<typeof SalesHalfSchema>;
export type RoutingSection = z.infer<typeof RoutingSectionSchema>;
export const FUNNEL_LATEST_KEY = "report:funnel:latest";
