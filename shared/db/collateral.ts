import {
  type CollateralCreate,
  type CollateralUpdate,
  compareVersions,
} from "../contracts/collateral";
import {
  type AssetVersion,
  COLLATERAL_COLUMNS as COLUMNS,
  type CollateralRow,
  toAssetVersion,
  toCollateralRow,
} from "./collateral-row";

export type { AssetVersion } from "./collateral-row";

// Collateral versions (migrations/0022_collateral.sql, docs/admin.md#collateral). The registry is
// small (assets × versions in the hundreds), so choosing among versions happens here, in code.

/** The statement that inserts a version; an (asset, version) already there is left alone. */
export function insertVersionStatement(db: D1Database, v: AssetVersion): D1PreparedStatement {
  const row = toCollateralRow(v);
  return db
    .prepare(
      `INSERT INTO collateral_versions (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (asset_id, version) DO NOTHING`,
    )
    .bind(...COLUMNS.map((c) => row[c]));
}

/** Every version, by asset, newest version first. */
export async function listVersions(db: D1Database, assetId?: string): Promise<AssetVersion[]> {
  const { results } = assetId
    ? await db
        .prepare("SELECT * FROM collateral_versions WHERE asset_id = ?")
        .bind(assetId)
        .all<CollateralRow>()
    : await db.prepare("SELECT * FROM collateral_versions").all<CollateralRow>();
  return results
    .map(toAssetVersion)
    .sort((a, b) => a.assetId.localeCompare(b.assetId) || compareVersions(b.version, a.version));
}

/** What sales sees: per asset, its published version with the highest version. */
export function latestPublished(versions: AssetVersion[]): AssetVersion[] {
  const out = new Map<string, AssetVersion>();
  for (const v of versions) {
    if (v.status !== "published") continue;
    const held = out.get(v.assetId);
    if (!held || compareVersions(v.version, held.version) > 0) out.set(v.assetId, v);
  }
  return [...out.values()].sort((a, b) => a.assetId.localeCompare(b.assetId));
}

export type CreateOutcome =
  | { ok: true; version: AssetVersion }
  | { ok: false; reason: "exists" | "not_newer"; highest: string };

/** A new asset or a new version of one; a version must be above every version the asset has. */
export async function createVersion(
  db: D1Database,
  input: CollateralCreate,
  actor: string,
  now: number,
): Promise<CreateOutcome> {
  const held = await listVersions(db, input.assetId);
  const highest = held[0]?.version;
  if (highest !== undefined && compareVersions(input.version, highest) <= 0)
    return {
      ok: false,
      reason: held.some((v) => v.version === input.version) ? "exists" : "not_newer",
      highest,
    };
  const version: AssetVersion = {
    assetId: input.assetId,
    version: input.version,
    type: input.type,
    title: input.title,
    status: input.status,
    tags: input.tags,
    targetAudience: input.targetAudience,
    url: input.url,
    attribution: input.attribution,
    createdAt: now,
    createdBy: actor,
    publishedAt: input.status === "published" ? now : null,
    archivedAt: null,
  };
  const res = await insertVersionStatement(db, version).run();
  // Another writer created the same version between the read and the insert.
  if (!res.meta.changes) return { ok: false, reason: "exists", highest: input.version };
  return { ok: true, version };
}

/** What an update may write: every column but the version's key and who created it, when. */
const FIXED_COLUMNS = new Set<string>(["asset_id", "version", "created_at", "created_by"]);
const UPDATED_COLUMNS = COLUMNS.filter((c) => !FIXED_COLUMNS.has(c));

export type UpdateOutcome =
  | { ok: true; version: AssetVersion }
  | { ok: false; reason: "not_found" | "immutable" };

/**
 * A status change, and for a draft, new content. Publishing stamps published_at (publishing an
 * archived version again restarts it, clearing archived_at), archiving stamps archived_at: the
 * span a version was live, for crediting leads to it. Nothing goes back to draft.
 */
export async function updateVersion(
  db: D1Database,
  assetId: string,
  versionId: string,
  change: CollateralUpdate,
  now: number,
): Promise<UpdateOutcome> {
  const row = await db
    .prepare("SELECT * FROM collateral_versions WHERE asset_id = ? AND version = ?")
    .bind(assetId, versionId)
    .first<CollateralRow>();
  if (!row) return { ok: false, reason: "not_found" };
  const held = toAssetVersion(row);
  const { status, ...content } = change;
  const changesContent = Object.values(content).some((v) => v !== undefined);
  // Only a draft takes new content, and nothing goes back to draft.
  if ((changesContent || status === "draft") && held.status !== "draft")
    return { ok: false, reason: "immutable" };
  const next: AssetVersion = {
    ...held,
    ...Object.fromEntries(Object.entries(content).filter(([, v]) => v !== undefined)),
    status: status ?? held.status,
  };
  if (status === "published" && held.status !== "published") {
    next.publishedAt = now;
    next.archivedAt = null;
  }
  if (status === "archived" && held.status !== "archived") next.archivedAt = now;
  const r = toCollateralRow(next);
  await db
    .prepare(
      `UPDATE collateral_versions SET ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(", ")}
       WHERE asset_id = ? AND version = ?`,
    )
    .bind(...UPDATED_COLUMNS.map((c) => r[c]), assetId, versionId)
    .run();
  return { ok: true, version: next };
}
