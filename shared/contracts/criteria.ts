import { z } from "zod";

// Qualification criteria as data: a criterion is named conditions on a contact's or its primary
// company's HubSpot properties, combined with all/any. The three buying signals Leadbridge has
// always judged are built-in criteria written in this same language (BUILTIN_CRITERIA), and rules
// name them; an admin adds criteria of their own to the rules (PUT /admin/rules). Text compares
// without case, as HubSpot's own filters do. See docs/rules.md.

/** `contact.<property>` or `company.<property>`: a HubSpot property's internal name. */
export const PropertyRefSchema = z
  .string()
  .regex(
    /^(contact|company)\.[a-z0-9_]{1,100}$/,
    "a property as contact.<internal name> or company.<internal name>, e.g. company.industry",
  );
export type PropertyRef = z.infer<typeof PropertyRefSchema>;

const text = z.string().trim().min(1).max(200);
const pattern = z
  .string()
  .min(1)
  .max(300)
  .refine((p) => {
    try {
      new RegExp(p, "i");
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression");

/** One test of one property. An empty property meets no condition. */
export const ConditionSchema = z.discriminatedUnion("op", [
  z
    .object({
      property: PropertyRefSchema,
      op: z.literal("equals"),
      value: z.union([text, z.number(), z.boolean()]),
    })
    .strict(),
  z
    .object({
      property: PropertyRefSchema,
      op: z.literal("in"),
      value: z.array(text).min(1).max(500),
    })
    .strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("contains"), value: text }).strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("starts_with"), value: text }).strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("matches"), value: pattern }).strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("at_least"), value: z.number() }).strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("at_most"), value: z.number() }).strict(),
  z.object({ property: PropertyRefSchema, op: z.literal("exists") }).strict(),
  z
    .object({
      property: PropertyRefSchema,
      op: z.literal("within_last_days"),
      value: z.number().int().min(1).max(3650),
    })
    .strict(),
]);
export type Condition = z.infer<typeof ConditionSchema>;
export const CONDITION_OPS = ConditionSchema.options.map((o) => o.shape.op.value);

export const CriterionNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "lower-case letters, digits and _ (up to 64), e.g. mid_market");

/** A named criterion: its conditions, all or any of them. */
export const CriterionSchema = z
  .object({
    name: CriterionNameSchema,
    /** What it means, in a marketer's words: refusal notes name it. */
    description: z.string().trim().min(1).max(200),
    match: z.enum(["all", "any"]).default("all"),
    conditions: z.array(ConditionSchema).min(1).max(20),
    /**
     * A required criterion must be met by every lead (a refusal of its own when it is not); the
     * others are buying signals, of which the rules' minCriteriaMet must be met.
     */
    required: z.boolean().default(false),
  })
  .strict();
export type Criterion = z.infer<typeof CriterionSchema>;

export const QUALIFICATION_CRITERIA = [
  "downloaded_technical_whitepaper",
  "visited_pricing_page",
  "is_developer_title",
] as const;
export type BuiltinCriterion = (typeof QUALIFICATION_CRITERIA)[number];

/**
 * A URL whose path (not its host, query or fragment) contains /pricing; for an absolute URL with a
 * scheme the host is skipped, for anything else everything before ? or #.
 */
const PRICING_PATH =
  "^(?:[a-z][a-z0-9+.-]*://[^/?#]*[^?#]*/pricing|(?![a-z][a-z0-9+.-]*://)[^?#]*/pricing)";

/** The three buying signals Leadbridge has judged since version 1, written as data. */
export const BUILTIN_CRITERIA: Record<BuiltinCriterion, Criterion> = {
  downloaded_technical_whitepaper: {
    name: "downloaded_technical_whitepaper",
    description: "downloading a technical whitepaper",
    match: "all",
    conditions: [
      {
        property: "contact.recent_conversion_event_name",
        op: "matches",
        value: String.raw`white[\s_-]?paper`,
      },
    ],
    required: false,
  },
  visited_pricing_page: {
    name: "visited_pricing_page",
    description: "visiting the pricing page",
    match: "any",
    conditions: [
      { property: "contact.hs_analytics_last_url", op: "matches", value: PRICING_PATH },
      { property: "contact.hs_analytics_first_url", op: "matches", value: PRICING_PATH },
    ],
    required: false,
  },
  is_developer_title: {
    name: "is_developer_title",
    description: "a developer, engineer or architect job title",
    match: "all",
    conditions: [
      {
        property: "contact.jobtitle",
        op: "matches",
        value: String.raw`\b(engineer(ing)?|developer|dev|programmer|architect|cto|chief technology officer|devops|dev ops|sre|site reliability|software)\b`,
      },
    ],
    required: false,
  },
};

/**
 * The engagement score: HubSpot's own score when the contact has one (and useHubSpotScore), else
 * the sum of each listed property's whole-number value times its points, capped at 100.
 */
export const EngagementSchema = z
  .object({
    useHubSpotScore: z.boolean(),
    points: z
      .array(z.object({ property: PropertyRefSchema, points: z.number().min(0).max(100) }).strict())
      .max(20),
  })
  .strict();
export type Engagement = z.infer<typeof EngagementSchema>;

/** Version 1's weights: page views 2, visits 4, conversions 15. */
export const DEFAULT_ENGAGEMENT: Engagement = {
  useHubSpotScore: true,
  points: [
    { property: "contact.hs_analytics_num_page_views", points: 2 },
    { property: "contact.hs_analytics_num_visits", points: 4 },
    { property: "contact.num_conversion_events", points: 15 },
  ],
};
