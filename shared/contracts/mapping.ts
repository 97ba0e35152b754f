import { z } from "zod";
import { PropertyRefSchema } from "./criteria";

// The field mapping: which HubSpot contact or company property (or MQL value, constant or
// template) fills which Salesforce Lead field, with the transforms a RevOps engineer needs and a
// write policy per field. Versioned in D1 like the rules (GET/PUT /admin/mapping); version 1 is the
// eleven fields Leadbridge has always written (DEFAULT_MAPPING). See docs/mapping.md.

/** The MQL contract's values a field can take (the core every mapping builds on). */
export const MQL_VALUES = [
  "leadId",
  "source",
  "contactInfo.email",
  "contactInfo.firstName",
  "contactInfo.lastName",
  "contactInfo.jobTitle",
  "firmographics.companyName",
  "firmographics.industry",
  "firmographics.employeeCount",
  "engagementScore",
  "qualificationCriteriaMet",
] as const;
export type MqlValue = (typeof MQL_VALUES)[number];

/** Where a field's value comes from. */
export const SourceSchema = z.union([
  z.object({ property: PropertyRefSchema }).strict(),
  z.object({ mql: z.enum(MQL_VALUES) }).strict(),
  z
    .object({ constant: z.union([z.string().max(32_000), z.number(), z.boolean(), z.null()]) })
    .strict(),
  /** `{contact.firstname} {contact.lastname}`: property references in braces, the rest as written. */
  z
    .object({
      template: z
        .string()
        .min(1)
        .max(1000)
        .refine(
          (t) =>
            [...t.matchAll(/\{([^}]*)\}/g)].every((m) => PropertyRefSchema.safeParse(m[1]).success),
          "every {…} must name a property as contact.<name> or company.<name>",
        ),
    })
    .strict(),
]);
export type Source = z.infer<typeof SourceSchema>;

/** Applied in order to the source's value. */
export const TransformSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("trim") }).strict(),
  /** To `length` characters, or to the Salesforce field's own length (`"field"`). */
  z
    .object({
      kind: z.literal("truncate"),
      length: z.union([z.number().int().min(1).max(131_072), z.literal("field")]),
    })
    .strict(),
  z.object({ kind: z.literal("case"), to: z.enum(["upper", "lower", "title"]) }).strict(),
  /** Value map (for picklists): HubSpot value → Salesforce value; `default` for any other. */
  z
    .object({
      kind: z.literal("map"),
      values: z.record(z.string(), z.union([z.string(), z.null()])),
      default: z.union([z.string(), z.null()]).optional(),
    })
    .strict(),
  z.object({ kind: z.literal("number") }).strict(),
  z.object({ kind: z.literal("date") }).strict(),
  z.object({ kind: z.literal("boolean") }).strict(),
  /** Prefix, e.g. "HubSpot: " before the lead source. */
  z.object({ kind: z.literal("prefix"), text: z.string().min(1).max(100) }).strict(),
  /** A list (the criteria met) joined into one text. */
  z.object({ kind: z.literal("join"), separator: z.string().max(5) }).strict(),
]);
export type Transform = z.infer<typeof TransformSchema>;

export const FieldMappingSchema = z
  .object({
    /** The Salesforce Lead field's API name, e.g. Company or Country__c. */
    field: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,79}$/,
        "a Salesforce field API name, e.g. Company or Region__c",
      ),
    from: SourceSchema,
    transforms: z.array(TransformSchema).max(10).default([]),
    /**
     * `always` writes on every push; `if_empty` writes only while the Salesforce field is empty
     * (like HubSpot's "prefer Salesforce unless blank"): sales' own value is never overwritten.
     */
    policy: z.enum(["always", "if_empty"]).default("always"),
  })
  .strict();
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

export const MappingSchema = z
  .object({ fields: z.array(FieldMappingSchema).min(1).max(200) })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Map<string, number>();
    m.fields.forEach((f, i) => {
      const key = f.field.toLowerCase();
      if (key === "hubspot_contact_id__c")
        ctx.addIssue({
          code: "custom",
          path: ["fields", i, "field"],
          message:
            "HubSpot_Contact_Id__c is the external id Leadbridge upserts by: it is always the contact id",
        });
      if (seen.has(key))
        ctx.addIssue({
          code: "custom",
          path: ["fields", i, "field"],
          message: `${f.field} is mapped twice (also fields[${seen.get(key)}])`,
        });
      seen.set(key, i);
    });
  });
export type Mapping = z.infer<typeof MappingSchema>;

/** Version 1: the eleven fields Leadbridge wrote before the mapping was data (plus the external id). */
export const DEFAULT_MAPPING: Mapping = {
  fields: [
    {
      field: "FirstName",
      from: { mql: "contactInfo.firstName" },
      transforms: [],
      policy: "always",
    },
    { field: "LastName", from: { mql: "contactInfo.lastName" }, transforms: [], policy: "always" },
    { field: "Email", from: { mql: "contactInfo.email" }, transforms: [], policy: "always" },
    {
      field: "Company",
      from: { mql: "firmographics.companyName" },
      transforms: [],
      policy: "always",
    },
    { field: "Title", from: { mql: "contactInfo.jobTitle" }, transforms: [], policy: "always" },
    {
      field: "Industry",
      from: { mql: "firmographics.industry" },
      transforms: [],
      policy: "always",
    },
    {
      field: "NumberOfEmployees",
      from: { mql: "firmographics.employeeCount" },
      transforms: [],
      policy: "always",
    },
    {
      field: "LeadSource",
      from: { mql: "source" },
      transforms: [
        { kind: "prefix", text: "HubSpot: " },
        { kind: "truncate", length: 40 },
      ],
      policy: "always",
    },
    {
      field: "Engagement_Score__c",
      from: { mql: "engagementScore" },
      transforms: [],
      policy: "always",
    },
    {
      field: "Qualification_Criteria__c",
      from: { mql: "qualificationCriteriaMet" },
      transforms: [{ kind: "join", separator: ";" }],
      policy: "always",
    },
  ],
};
