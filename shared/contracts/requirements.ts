import { z } from "zod";

/**
 * The requirement pool's admin shapes (docs/requirements.md): customers' requests from Salesforce
 * grouped into requirements, ranked by RICE.
 */

export const IMPACTS = [0.25, 0.5, 1, 2, 3] as const;
export const CONFIDENCES = [0.5, 0.8, 1] as const;
export const REQUIREMENT_STATUSES = ["open", "planned", "shipped"] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

const oneOf = <T extends readonly number[]>(values: T, what: string) =>
  z
    .number()
    .refine((n) => values.includes(n), `${what} must be one of ${values.join(", ")}`)
    .meta({ enum: [...values] });

const requestId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, "expected a Salesforce Feature_Request__c id");

export const RequirementIdParamSchema = z.object({
  id: z.coerce.number().int().positive(),
});

export const RequirementListQuerySchema = z.object({
  top: z.coerce.number().int().min(1).max(1000).optional(),
  status: z
    .enum([...REQUIREMENT_STATUSES, "all"])
    .optional()
    .meta({
      description: "only requirements in this status; open and planned ones by default",
    }),
});

export const RequirementCreateSchema = z.object({
  title: z.string().trim().min(1).max(200),
  requestIds: z.array(requestId).max(500).optional().meta({
    description: "requests to attach (moved from any requirement they were in)",
  }),
});

export const RequirementAttachSchema = z.object({
  requestIds: z.array(requestId).min(1).max(500),
});

export const RequirementMergeSchema = z.object({
  into: z.number().int().positive().meta({
    description: "the requirement that takes this one's requests; this one is then merged",
  }),
});

export const RequirementUpdateSchema = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    impact: oneOf(IMPACTS, "impact").optional(),
    confidence: oneOf(CONFIDENCES, "confidence").optional(),
    effort: z.number().positive().max(100_000).optional().meta({ description: "person-days" }),
    status: z.enum(REQUIREMENT_STATUSES).optional(),
  })
  .strict();

export const RequirementSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    status: z.enum(REQUIREMENT_STATUSES),
    reach: z.number().int().meta({ description: "distinct accounts asking" }),
    requests: z.number().int(),
    impact: z.number().nullable(),
    confidence: z.number().nullable(),
    effort: z.number().nullable(),
    score: z.number().nullable().meta({
      description: "Reach × Impact × Confidence ÷ Effort; null until all three are set",
    }),
    openAmount: z.number().meta({ description: "amount of linked open opportunities" }),
    lostAmount: z.number().meta({ description: "amount of linked lost opportunities" }),
    shippedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "Requirement" });
export type Requirement = z.infer<typeof RequirementSchema>;

export const RequirementListSchema = z
  .object({
    requirements: z.array(RequirementSchema),
    unassignedRequests: z.number().int(),
  })
  .meta({ id: "RequirementList" });

export const FeatureRequestSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    accountId: z.string(),
    accountName: z.string().nullable(),
    industry: z.string().nullable(),
    opportunityId: z.string().nullable(),
    pain: z.string().nullable(),
    expectedSolution: z.string().nullable(),
    businessValue: z.number().nullable(),
    urgency: z.string().nullable(),
    requirementId: z.number().int().nullable(),
  })
  .meta({ id: "FeatureRequest" });
export type FeatureRequest = z.infer<typeof FeatureRequestSchema>;

export const RequirementDetailSchema = RequirementSchema.extend({
  requestList: z.array(FeatureRequestSchema),
}).meta({ id: "RequirementDetail" });

export const ShipNoticesSchema = z
  .object({
    sent: z.number().int().meta({ description: "Tasks created in Salesforce by this call" }),
    alreadySent: z.number().int(),
    pending: z.number().int().meta({ description: "claimed by a call still sending them" }),
    failed: z.number().int().meta({ description: "not created; set the status again to retry" }),
  })
  .meta({ id: "ShipNotices" });
export type ShipNotices = z.infer<typeof ShipNoticesSchema>;

export const RequirementUpdatedSchema = z
  .object({ requirement: RequirementSchema, notices: ShipNoticesSchema.nullable() })
  .meta({ id: "RequirementUpdated" });
