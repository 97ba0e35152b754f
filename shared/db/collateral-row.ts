import type { Attribution, CollateralStatus } from "../contracts/collateral";

// A collateral version as the code holds it and as collateral_versions stores it; no D1 here, so
// the demo's rows (dev/demo-rows.ts) are written through the same mapping.

export interface AssetVersion {
  assetId: string;
  version: string;
  type: string;
  title: string;
  status: CollateralStatus;
  tags: string[];
  targetAudience: string;
  url: string;
  attribution: Attribution;
  createdAt: number;
  createdBy: string;
  publishedAt: number | null;
  archivedAt: number | null;
}

export interface CollateralRow {
  asset_id: string;
  version: string;
  type: string;
  title: string;
  status: CollateralStatus;
  tags: string;
  target_audience: string;
  url: string;
  lead_source: string | null;
  conversion_events: string;
  url_patterns: string;
  created_at: number;
  created_by: string;
  published_at: number | null;
  archived_at: number | null;
}

export const COLLATERAL_COLUMNS = [
  "asset_id",
  "version",
  "type",
  "title",
  "status",
  "tags",
  "target_audience",
  "url",
  "lead_source",
  "conversion_events",
  "url_patterns",
  "created_at",
  "created_by",
  "published_at",
  "archived_at",
] as const satisfies readonly (keyof CollateralRow)[];

export const toAssetVersion = (r: CollateralRow): AssetVersion => ({
  assetId: r.asset_id,
  version: r.version,
  type: r.type,
  title: r.title,
  status: r.status,
  tags: JSON.parse(r.tags) as string[],
  targetAudience: r.target_audience,
  url: r.url,
  attribution: {
    conversionEvents: JSON.parse(r.conversion_events) as string[],
    urlPatterns: JSON.parse(r.url_patterns) as string[],
    leadSource: r.lead_source,
  },
  createdAt: r.created_at,
  createdBy: r.created_by,
  publishedAt: r.published_at,
  archivedAt: r.archived_at,
});

export const toCollateralRow = (v: AssetVersion): CollateralRow => ({
  asset_id: v.assetId,
  version: v.version,
  type: v.type,
  title: v.title,
  status: v.status,
  tags: JSON.stringify(v.tags),
  target_audience: v.targetAudience,
  url: v.url,
  lead_source: v.attribution.leadSource,
  conversion_events: JSON.stringify(v.attribution.conversionEvents),
  url_patterns: JSON.stringify(v.attribution.urlPatterns),
  created_at: v.createdAt,
  created_by: v.createdBy,
  published_at: v.publishedAt,
  archived_at: v.archivedAt,
});
