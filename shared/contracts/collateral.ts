import { z } from "zod";

// Collateral as versioned data (docs/admin.md#collateral): an asset's versions are kept, its
// published version with the highest semantic version is what sales sees.

export const COLLATERAL_STATUSES = ["draft", "published", "archived"] as const;
export const CollateralStatusSchema = z.enum(COLLATERAL_STATUSES);
export type CollateralStatus = z.infer<typeof CollateralStatusSchema>;

export const SemverSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/, {
    message: "expected a semantic version x.y.z (e.g. 2.1.0)",
  });

export const AssetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, {
  message: "expected lower-case letters, digits, - or _ (at most 100)",
});

/**
 * How a lead is credited to the asset: a lead whose last conversion (HubSpot
 * recent_conversion_event_name: a form or event) is one of `conversionEvents`, else whose first
 * URL matches one of `urlPatterns` (`*` stands for anything; the query string is ignored), else
 * whose lead source is `leadSource`.
 */
export const AttributionSchema = z
  .object({
    conversionEvents: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
    urlPatterns: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
    leadSource: z.string().trim().min(1).max(100).nullable().default(null),
  })
  .meta({ id: "CollateralAttribution" });
export type Attribution = z.infer<typeof AttributionSchema>;

const content = {
  type: z.string().trim().min(1).max(50),
  title: z.string().trim().min(1).max(200),
  tags: z.array(z.string().trim().min(1).max(50)).max(30).default([]),
  targetAudience: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }).max(2000),
  attribution: AttributionSchema.default({
    conversionEvents: [],
    urlPatterns: [],
    leadSource: null,
  }),
};

/** POST /admin/collateral: a new asset, or a new version of one (above its highest). */
export const CollateralCreateSchema = z
  .object({
    assetId: AssetIdSchema,
    version: SemverSchema,
    status: z.enum(["draft", "published"]).default("draft"),
    ...content,
  })
  .meta({ id: "CollateralCreate" });
export type CollateralCreate = z.infer<typeof CollateralCreateSchema>;

/**
 * PUT /admin/collateral/:assetId/:version: a status change; a draft's content may change too,
 * a published or archived version's content never does (a change is a new version).
 */
export const CollateralUpdateSchema = z
  .object({
    status: CollateralStatusSchema.optional(),
    type: content.type.optional(),
    title: content.title.optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(30).optional(),
    targetAudience: content.targetAudience.optional(),
    url: content.url.optional(),
    attribution: AttributionSchema.optional(),
  })
  .strict()
  .meta({ id: "CollateralUpdate" });
export type CollateralUpdate = z.infer<typeof CollateralUpdateSchema>;

export const CollateralPathSchema = z.object({ assetId: AssetIdSchema, version: SemverSchema });

export const CollateralQuerySchema = z.object({
  all: z.enum(["1", "true"]).optional().meta({ description: "every version of every asset" }),
  assetId: AssetIdSchema.optional().meta({ description: "every version of this asset" }),
});

export const CollateralVersionSchema = z
  .object({
    assetId: z.string(),
    version: z.string(),
    type: z.string(),
    title: z.string(),
    status: CollateralStatusSchema,
    tags: z.array(z.string()),
    targetAudience: z.string(),
    url: z.string(),
    attribution: AttributionSchema,
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    publishedAt: z.iso.datetime().nullable(),
    archivedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "CollateralVersion" });
export type CollateralVersion = z.infer<typeof CollateralVersionSchema>;

export const CollateralListSchema = z
  .object({ assets: z.array(CollateralVersionSchema) })
  .meta({ id: "CollateralList" });

/** Orders semantic versions (x.y.z) numerically: 2.10.0 after 2.9.0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
