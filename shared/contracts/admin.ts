import { z } from "zod";
import { MappingSchema } from "./mapping";
import {
  DEAD_LETTER_KINDS,
  DEPENDENCIES,
  ERROR_KINDS,
  LEAD_ORIGINS,
  LEAD_STATUSES,
  SYNC_HEALTH_KINDS,
} from "./outcomes";
import {
  ASSIGNMENT_REASONS,
  RoutingPutSchema,
  RoutingSchema,
  SalesforceUserIdSchema,
} from "./routing";
import { RulesSchema } from "./rules";

/**
 * Request and response shapes of the admin API: the routes validate with them, openapi.json is
 * built from them.
 */

const contactId = z.string().regex(/^\d{1,20}$/, "expected a numeric HubSpot contact id");
const isoTime = z.iso.datetime().nullable();
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .meta({ description: "ISO date or date-time", example: "2024-05-01T00:00:00Z" });

export const MAX_RESYNC_CONTACTS = 500;
export const MAX_REPLAY = 1000;

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      fields: z
        .array(
          z.object({
            index: z.number().int().nullable(),
            field: z.string(),
            problem: z.string(),
          }),
        )
        .optional()
        .meta({
          description:
            "code validation: each part of the document at fault (a mapped field by its index, null for the whole mapping) and what is wrong with it",
        }),
    }),
  })
  .meta({ id: "Error" });

export const LeadSchema = z
  .object({
    contactId: z.string(),
    leadId: z.string(),
    status: z.enum(LEAD_STATUSES),
    reasons: z.array(z.string()),
    rulesVersion: z.number().int().nullable(),
    mappingVersion: z.number().int().nullable().meta({
      description: "the field mapping version that built the payload Salesforce was sent",
    }),
    engagementScore: z.number().int().nullable(),
    criteria: z.array(z.string()),
    source: z.string().nullable(),
    conversionEvent: z.string().nullable().meta({
      description: "the first conversion event or form seen, which credits collateral",
    }),
    firstUrl: z.string().nullable().meta({ description: "the first URL, without its query" }),
    emailDomain: z.string().nullable(),
    salesforceLeadId: z.string().nullable(),
    salesforceContactId: z.string().nullable().meta({
      description:
        "status existing_contact: the Salesforce Contact this person already is (no Lead was made)",
    }),
    mergedInto: z.string().nullable(),
    firstEventAt: isoTime,
    lastEventAt: isoTime,
    judgedAt: isoTime,
    handedOffAt: isoTime,
    handoffOrigin: z.enum(LEAD_ORIGINS).nullable().meta({
      description:
        "how the contact reached its first handoff; null if not handed off (or handed off before origins were kept)",
    }),
    noLongerQualifies: z
      .object({ reasons: z.array(z.string()), rulesVersion: z.number().int().nullable() })
      .nullable()
      .meta({
        description:
          "a handed-off contact that fails the rules in force: it stays handed off, these are the rules' reasons",
      }),
    conversion: z
      .object({
        convertedAt: z.iso.datetime(),
        contactId: z.string().nullable(),
        accountId: z.string().nullable(),
        opportunityId: z.string().nullable(),
      })
      .nullable()
      .meta({
        description:
          "the Lead was converted in Salesforce (learnt at convertedAt): nothing is pushed to it after",
      }),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Lead" });

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    step: z.string(),
    detail: z.record(z.string(), z.unknown()),
    batchId: z.string().nullable(),
  })
  .meta({ id: "AuditEntry" });

/** Who the routing gave a Lead and why, as the lead view shows it. */
export const AssignmentViewSchema = z
  .object({
    ownerId: z.string().nullable().meta({
      description: "the Salesforce User given the Lead; null: Salesforce decided (see reason)",
    }),
    reason: z.enum(ASSIGNMENT_REASONS),
    pool: z.string().nullable(),
    routingVersion: z.number().int(),
    accountId: z.string().nullable().meta({
      description: "reason account_owner: the Account whose website is the email's domain",
    }),
    assignedAt: z.iso.datetime(),
    salesforceLeadId: z.string().nullable(),
  })
  .meta({ id: "LeadAssignment" });

export const LeadDetailSchema = z
  .object({
    lead: LeadSchema.nullable(),
    assignment: AssignmentViewSchema.nullable().meta({
      description: "who the routing gave the new Lead and why; null without a routing in force",
    }),
    audit: z.array(AuditEntrySchema),
  })
  .meta({ id: "LeadDetail" });

export const LeadListQuerySchema = z.object({
  status: z.enum(LEAD_STATUSES).optional(),
  reason: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "a reason code, e.g. free_email_domain" }),
  since: instant.optional().meta({ description: "only leads updated at or after this time" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const LeadListSchema = z
  .object({ leads: z.array(LeadSchema), nextCursor: z.string().nullable() })
  .meta({ id: "LeadList" });

export const ContactIdParamSchema = z.object({ contactId });

export const ResyncRequestSchema = z
  .object({ contactIds: z.array(contactId).min(1).max(MAX_RESYNC_CONTACTS) })
  .meta({ id: "ResyncRequest" });
export const ResyncResponseSchema = z
  .object({ accepted: z.number().int(), contactIds: z.array(z.string()) })
  .meta({ id: "ResyncResponse" });

export const BACKFILL_PROPERTIES = ["createdate", "lastmodifieddate"] as const;
export const BackfillRequestSchema = z
  .object({
    since: instant,
    until: instant.optional().meta({ description: "defaults to now" }),
    dryRun: z.boolean().default(false),
    property: z
      .enum(BACKFILL_PROPERTIES)
      .default("createdate")
      .meta({ description: "which contact timestamp the range applies to" }),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(200)
      .meta({ description: "contacts per search page (HubSpot's most, 200, by default)" }),
  })
  .refine((b) => !b.until || Date.parse(b.until) > Date.parse(b.since), {
    message: "until must be after since",
    path: ["until"],
  })
  .meta({ id: "BackfillRequest" });
export type BackfillRequest = z.infer<typeof BackfillRequestSchema>;

export const JOB_STATES = ["running", "cancelled", "done", "failed"] as const;
export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.literal("backfill"),
    state: z.enum(JOB_STATES),
    params: z.object({
      since: z.string(),
      until: z.string(),
      dryRun: z.boolean(),
      property: z.enum(BACKFILL_PROPERTIES),
      pageSize: z.number().int(),
    }),
    cursor: z
      .object({
        ts: z.number(),
        after: z.string().optional(),
        // A long range is walked from both ends at once: the walk from `until` down, when it runs.
        down: z.object({ ts: z.number(), after: z.string().optional() }).optional(),
      })
      .nullable(),
    progress: z.object({
      scanned: z.number().int(),
      enqueued: z.number().int(),
      handedOff: z.number().int(),
      refused: z.number().int(),
      otherOutcomes: z.number().int(),
      pending: z.number().int(),
    }),
    expected: z
      .number()
      .int()
      .nullable()
      .meta({ description: "HubSpot's count of contacts in the range when the walk began" }),
    lastError: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    finishedAt: isoTime,
  })
  .meta({ id: "Job" });
export type Job = z.infer<typeof JobSchema>;
export const JobIdParamSchema = z.object({ id: z.string().min(1).max(64) });

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(DEAD_LETTER_KINDS),
    reason: z.string(),
    attempts: z.number().int(),
    receivedAt: z.iso.datetime(),
    replayedAt: isoTime,
    contactId: z.string().nullable(),
    eventType: z.string().nullable(),
  })
  .meta({ id: "DeadLetter" });
export const DeadLetterQuerySchema = z.object({
  state: z.enum(["open", "replayed", "all"]).default("open"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: "the last id of the previous page" }),
});
export const DeadLetterListSchema = z
  .object({
    deadLetters: z.array(DeadLetterSchema),
    open: z.number().int(),
    nextCursor: z.number().int().nullable(),
  })
  .meta({ id: "DeadLetterList" });
export const ReplayRequestSchema = z
  .union([
    z.object({ ids: z.array(z.number().int().positive()).min(1).max(MAX_REPLAY) }).strict(),
    z.object({ all: z.literal(true) }).strict(),
  ])
  .meta({
    id: "ReplayRequest",
    description: "some dead letters by id, or all open ones (up to 1000 per call)",
  });
export const ReplayResponseSchema = z
  .object({
    replayed: z.array(z.number().int()),
    skipped: z.array(z.object({ id: z.number().int(), reason: z.string() })),
    remaining: z.number().int(),
  })
  .meta({ id: "ReplayResponse" });

/** `?version=n` on GET of a versioned document (the rules, the field mapping, the routing). */
const VersionQuerySchema = z.object({
  version: z.coerce.number().int().positive().optional(),
});

/**
 * A versioned document's shapes: one version (`{ version, <key>: document, createdAt, createdBy,
 * note }`), the list of them, and the PUT body (`{ <key>: document, note? }`), named
 * `<Id>Version`, `<Id>VersionList` and `<Id>Update` in openapi.json.
 */
function versioned<K extends string, S extends z.ZodType>(key: K, document: S, id: string) {
  const version = z
    .object({
      version: z.number().int(),
      ...({ [key]: document } as { [P in K]: S }),
      createdAt: z.iso.datetime(),
      createdBy: z.string(),
      note: z.string().nullable(),
    })
    .meta({ id: `${id}Version` });
  const list = z.object({ versions: z.array(version) }).meta({ id: `${id}VersionList` });
  const update = z
    .object({
      ...({ [key]: document } as { [P in K]: S }),
      note: z.string().max(500).optional(),
    })
    .strict()
    .meta({ id: `${id}Update` });
  return { version, list, update };
}

const rulesVersions = versioned("rules", RulesSchema, "Rules");
export const RulesVersionSchema = rulesVersions.version;
export const RulesVersionListSchema = rulesVersions.list;
export const RulesQuerySchema = VersionQuerySchema;
export const RulesUpdateSchema = rulesVersions.update;

const mappingVersions = versioned("mapping", MappingSchema, "Mapping");
export const MappingVersionSchema = mappingVersions.version;
export const MappingVersionListSchema = mappingVersions.list;
export const MappingQuerySchema = VersionQuerySchema;
export const MappingUpdateSchema = mappingVersions.update;

const routingVersions = versioned("routing", RoutingSchema, "Routing");
export const RoutingVersionSchema = routingVersions.version;
export const RoutingVersionListSchema = routingVersions.list;
/** GET /admin/routing before any routing was saved: new Leads follow SALESFORCE_LEAD_ASSIGNMENT. */
export const NoRoutingSchema = z
  .object({ version: z.null(), routing: z.null(), note: z.string() })
  .meta({ id: "NoRouting" });
export const RoutingQuerySchema = VersionQuerySchema;
// Not routingVersions.update: PUT /admin/routing trims its note.
export const RoutingUpdateSchema = RoutingPutSchema.meta({ id: "RoutingUpdate" });

export const RulesPreviewRequestSchema = z
  .object({
    rules: RulesSchema.optional().meta({
      description: "a proposed rules document; the rules in force judge both sides without one",
    }),
    mapping: MappingSchema.optional().meta({
      description: "a proposed field mapping (as PUT /admin/mapping's); answers `mapping`",
    }),
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .meta({ description: "judge the contacts last judged in this many days" }),
  })
  .strict()
  .refine((b) => b.rules !== undefined || b.mapping !== undefined, {
    path: ["rules"],
    message: "give a rules document, a mapping or both",
  })
  .meta({ id: "RulesPreviewRequest" });
const count = z.number().int();
const reasonCounts = z
  .record(z.string(), count)
  .meta({ description: "contacts refused with each reason code" });
const sourceCounts = z
  .record(z.string(), z.object({ qualified: count, refused: count }))
  .meta({ description: "per source (hs_analytics_source, lower case)" });
const leadValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const MappingPreviewSchema = z
  .object({
    current: z.object({ version: count }).meta({ description: "the mapping in force" }),
    contactsChanged: count.meta({
      description: "contacts whose Lead payload has at least one field that would change",
    }),
    fieldsChanged: z.array(z.object({ field: z.string(), contacts: count })).meta({
      description: "each Lead field that would change, with how many contacts, most first",
    }),
    examples: z
      .array(
        z.object({
          contactId: z.string(),
          field: z.string(),
          before: leadValue,
          after: leadValue,
        }),
      )
      .max(10)
      .meta({ description: "up to 10 changed values" }),
  })
  .meta({ id: "MappingPreview" });
export type MappingPreview = z.infer<typeof MappingPreviewSchema>;
export const RulesPreviewSchema = z
  .object({
    days: count,
    judged: count.meta({ description: "contacts whose last judgement is within `days`" }),
    current: z.object({ version: count }).meta({ description: "the rules in force" }),
    toQualified: count.meta({ description: "refused by the rules in force, qualified by these" }),
    toRefused: count.meta({ description: "qualified by the rules in force, refused by these" }),
    unchanged: count,
    byReason: z.object({ before: reasonCounts, after: reasonCounts }),
    bySource: z.object({ before: sourceCounts, after: sourceCounts }),
    examples: z
      .object({ toQualified: z.array(z.string()), toRefused: z.array(z.string()) })
      .meta({ description: "up to 5 contact ids of each flip" }),
    missingProperties: z
      .object({
        names: z.array(z.string()).meta({
          description: "properties the rules name that some stored judgements did not read",
        }),
        readFromHubSpot: count.meta({ description: "contacts whose missing properties were read" }),
        unread: count.meta({
          description: "contacts judged without them (past the preview's HubSpot budget)",
        }),
      })
      .meta({ description: "contacts missing none are in neither count" }),
    mapping: MappingPreviewSchema.optional().meta({
      description: "when the request has a mapping: the Salesforce Lead fields it would change",
    }),
  })
  .meta({ id: "RulesPreview" });
export type RulesPreview = z.infer<typeof RulesPreviewSchema>;

export const RoutingPreviewRequestSchema = z
  .object({
    routing: RoutingSchema.meta({ description: "a proposed routing, as PUT /admin/routing's" }),
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(30)
      .meta({ description: "spread the new Leads handed off in this many days" }),
  })
  .strict()
  .meta({ id: "RoutingPreviewRequest" });
const previewMember = z.object({
  userId: z.string(),
  active: z.boolean().meta({ description: "false: unknown to Salesforce or inactive, skipped" }),
  weight: count,
  dailyCap: count.nullable(),
  leads: count,
  busiestDay: count.meta({ description: "the most leads it got on one day" }),
  daysAtCap: count.meta({ description: "days it reached its cap (then skipped)" }),
});
export const RoutingPreviewSchema = z
  .object({
    days: count,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    timeZone: z.string().meta({ description: "the days caps counted in" }),
    handoffs: count.meta({ description: "new Leads handed off in the window, in order" }),
    withoutSnapshot: count.meta({
      description:
        "of them, leads with no stored judgement: only pools without conditions take them",
    }),
    pools: z.array(
      z.object({
        name: z.string(),
        method: z.enum(["round_robin", "fewest_today"]),
        matched: count.meta({ description: "leads whose first matching pool this is" }),
        leads: count.meta({ description: "given to a member" }),
        overflow: count.meta({
          description: "every member skipped (capped or inactive): fallback",
        }),
        members: z.array(previewMember),
      }),
    ),
    fallback: z.object({
      leads: count,
      unmatched: count.meta({ description: "no pool's conditions met" }),
      overflow: count,
      decidedBy: z.enum(["fallback_owner", "assignment_rules", "integration_user"]),
      ownerId: z.string().nullable(),
    }),
    accountMatch: z.string().meta({
      description: "account matching is not simulated: its leads are counted in the pools",
    }),
    missingProperties: z
      .array(z.string())
      .meta({ description: "properties pool conditions name that stored judgements did not read" }),
  })
  .meta({ id: "RoutingPreview" });
export type RoutingPreview = z.infer<typeof RoutingPreviewSchema>;

export const SyncHealthQuerySchema = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});
export const SyncHealthSchema = z
  .object({
    window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
    errors: z.array(
      z.object({
        kind: z.enum(SYNC_HEALTH_KINDS),
        count: z.number().int(),
        contacts: z.array(z.string()),
        codes: z.record(z.string(), z.number().int()),
        lastAt: isoTime,
      }),
    ),
    salesforce: z.object({
      used: z.number().nullable(),
      max: z.number().nullable(),
      share: z.number().nullable(),
      budgetShare: z.number(),
      observedAt: isoTime,
    }),
    hubspot: z.object({
      remaining: z.number().nullable(),
      max: z.number().nullable(),
      intervalMs: z.number().nullable(),
      dailyRemaining: z.number().nullable(),
      daily: z.number().nullable(),
      observedAt: isoTime,
    }),
    backlog: z.object({
      deadLetters: z.number().int(),
      waitingContacts: z.number().int(),
      backfillPending: z.number().int(),
      runningJobs: z.number().int(),
    }),
    outcomes: z.object({
      handedOff: z.number().int(),
      rejected: z.number().int(),
      /** Qualified contacts already Salesforce Contacts: no Lead made (docs/handoff.md). */
      existingContacts: z.number().int(),
    }),
    /**
     * Dependencies the handoff is waiting for, now (not over the window): since when, the last
     * error's kind, when it was last seen, and a line to show (docs/handoff.md, "Pauses").
     */
    paused: z.array(
      z.object({
        dependency: z.enum(DEPENDENCIES),
        reason: z.enum(ERROR_KINDS),
        since: z.iso.datetime(),
        lastSeen: z.iso.datetime(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "SyncHealth" });
export type SyncHealth = z.infer<typeof SyncHealthSchema>;

// Reps, quotas and ramp (docs/admin.md#quotas-reps-and-ramp).

export const RepSchema = z
  .union([
    SalesforceUserIdSchema,
    z
      .string()
      .max(80)
      .regex(/^[^\s@]+@[^\s@]+$/, "expected a Salesforce Username (name@domain)"),
  ])
  .meta({
    description: "a Salesforce User Id (15 or 18 characters) or Username",
    example: "avery.chen@leadbridge.sandbox",
  });
export const QuotaMonthSchema = z
  .union([z.literal("*"), z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected YYYY-MM or *")])
  .meta({ description: "YYYY-MM, or * for the standing monthly quota" });
const QuotaSchema = z.object({
  month: QuotaMonthSchema,
  amount: z.number().nonnegative().max(1e12),
});
export const RepQuotasSchema = z
  .object({
    rep: RepSchema,
    /** The rep's display name from the Salesforce mirror (sf_users); ignored on PUT. */
    name: z.string().nullable().optional(),
    quotas: z.array(QuotaSchema).max(120),
  })
  .meta({ id: "RepQuotas" });
export const QuotasSchema = z.object({ reps: z.array(RepQuotasSchema) }).meta({ id: "Quotas" });
/** PUT /admin/quotas: each listed rep's quotas become exactly these; reps not listed keep theirs. */
export const QuotasUpdateSchema = z
  .object({ reps: z.array(RepQuotasSchema).min(1).max(100) })
  .strict()
  .meta({ id: "QuotasUpdate" });

const dateOnly = z.iso.date();
export const RepViewSchema = z
  .object({
    userId: z.string(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    active: z.boolean().nullable(),
    /** Start_Date__c as the nightly last mirrored it. */
    salesforceStartDate: dateOnly.nullable(),
    /** Set through PUT /admin/reps/{userId}; beats Salesforce's. */
    startDateOverride: dateOnly.nullable(),
    /** What time to ramp counts from. */
    startDate: dateOnly.nullable(),
  })
  .meta({ id: "Rep" });
export const RepListSchema = z.object({ reps: z.array(RepViewSchema) }).meta({ id: "RepList" });
export const RepParamSchema = z.object({ userId: SalesforceUserIdSchema });
export const RepUpdateSchema = z
  .object({
    startDate: dateOnly.nullable().meta({
      description: "YYYY-MM-DD; null drops the override (Salesforce's Start_Date__c counts again)",
    }),
  })
  .strict()
  .meta({ id: "RepUpdate" });

/** The most days staleAfterDays may be; the nightly falls back to its default past it. */
export const MAX_STALE_AFTER_DAYS = 90;
export const TelemetryConfigSchema = z
  .object({
    /** Share of a month's quota whose closed-won amount counts a rep as ramped (0–1]. */
    rampQuotaShare: z.number().gt(0).max(1),
    /** Days a handed-off lead may wait for sales' first touch before it counts as stale. */
    staleAfterDays: z.number().int().min(1).max(MAX_STALE_AFTER_DAYS),
  })
  .meta({ id: "TelemetryConfig" });
export const TelemetryConfigUpdateSchema = TelemetryConfigSchema.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "set rampQuotaShare and/or staleAfterDays")
  .meta({ id: "TelemetryConfigUpdate" });
