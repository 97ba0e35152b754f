import { Hono } from "hono";
import {
  CollateralCreateSchema,
  CollateralPathSchema,
  CollateralQuerySchema,
  CollateralUpdateSchema,
} from "../../shared/contracts/collateral";
import {
  type AssetVersion,
  createVersion,
  latestPublished,
  listVersions,
  updateVersion,
} from "../../shared/db/collateral";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { iso, readJson, readParams, readQuery } from "./validate";

const toView = (v: AssetVersion) => ({
  ...v,
  createdAt: iso(v.createdAt)!,
  publishedAt: iso(v.publishedAt),
  archivedAt: iso(v.archivedAt),
});

/**
 * GET /admin/collateral: the latest published version of each asset (what sales sees), or with
 * ?all=1 / ?assetId= every version; POST adds an asset or a version above its highest; PUT
 * /admin/collateral/:assetId/:version publishes or archives one (docs/admin.md#collateral).
 */
export const collateral = new Hono<HonoEnv>();

collateral.get("/collateral", async (c) => {
  const query = readQuery(c, CollateralQuerySchema);
  const versions = await listVersions(c.env.DB, query.assetId);
  if (query.assetId && !versions.length)
    throw new HttpError(ErrorCode.NotFound, `No collateral asset ${query.assetId}`);
  const shown = query.all || query.assetId ? versions : latestPublished(versions);
  return c.json({ assets: shown.map(toView) });
});

collateral.post("/collateral", async (c) => {
  const body = await readJson(c, CollateralCreateSchema);
  const made = await createVersion(c.env.DB, body, c.get("adminActor") ?? "admin", Date.now());
  if (!made.ok)
    throw new HttpError(
      ErrorCode.Conflict,
      made.reason === "exists"
        ? `version: ${body.assetId} ${body.version} exists, and a version never changes; add a new one`
        : `version: ${body.version} is not above ${body.assetId}'s highest version ${made.highest}`,
    );
  c.get("log").info("collateral_created", {
    assetId: body.assetId,
    version: body.version,
    status: body.status,
  });
  return c.json(toView(made.version), 201);
});

collateral.put("/collateral/:assetId/:version", async (c) => {
  const { assetId, version } = readParams(c, CollateralPathSchema);
  const body = await readJson(c, CollateralUpdateSchema);
  const updated = await updateVersion(c.env.DB, assetId, version, body, Date.now());
  if (!updated.ok) {
    if (updated.reason === "not_found")
      throw new HttpError(ErrorCode.NotFound, `No collateral ${assetId} ${version}`);
    throw new HttpError(
      ErrorCode.Conflict,
      `${assetId} ${version} is no longer a draft: its content never changes and it cannot go back to draft; add a new version`,
    );
  }
  c.get("log").info("collateral_updated", { assetId, version, status: updated.version.status });
  return c.json(toView(updated.version));
});
