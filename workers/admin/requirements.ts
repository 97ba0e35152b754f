import { type Context, Hono } from "hono";
import { createClients } from "../../shared/clients";
import {
  RequirementAttachSchema,
  RequirementCreateSchema,
  RequirementIdParamSchema,
  RequirementListQuerySchema,
  RequirementMergeSchema,
  RequirementUpdateSchema,
} from "../../shared/contracts/requirements";
import {
  attachRequests,
  countUnassigned,
  createRequirement,
  mergeRequirements,
  rankRequirements,
  requestsOf,
  requirementById,
  requirementLink,
  unassignedRequests,
  unknownRequests,
  updateRequirement,
} from "../../shared/db/requirements";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { sendShipNotices } from "./ship-notices";
import { readJson, readParams, readQuery } from "./validate";

/**
 * The requirement pool (docs/requirements.md): GET /admin/requirements ranks by RICE with the money
 * at stake; POST creates one from requests, POST …/requests attaches (moves) requests, POST
 * …/merge merges two; PUT /admin/requirements/:id sets RICE inputs and status, and shipping sends
 * the owners of linked open and lost deals one Salesforce Task each, once.
 */
export const requirements = new Hono<HonoEnv>();

requirements.get("/requirements", async (c) => {
  const query = readQuery(c, RequirementListQuerySchema);
  const [ranked, unassigned] = await Promise.all([
    rankRequirements(c.env.DB, query),
    countUnassigned(c.env.DB),
  ]);
  return c.json({ requirements: ranked, unassignedRequests: unassigned });
});

/**
 * Requests no requirement holds yet (mirrored from Feature_Request__c by the nightly). Not under
 * /requirements/: a static segment beside /requirements/:id is a pattern Hono's RegExpRouter
 * cannot compile, and the whole app would fall back to the slower TrieRouter (health.test).
 */
requirements.get("/feature-requests/unassigned", async (c) =>
  c.json({ requests: await unassignedRequests(c.env.DB) }),
);

requirements.get("/requirements/:id", async (c) => {
  const { id } = readParams(c, RequirementIdParamSchema);
  await existing(c, id);
  const [found, requestList] = await Promise.all([
    requirementById(c.env.DB, id),
    requestsOf(c.env.DB, id),
  ]);
  return c.json({ ...found!, requestList });
});

requirements.post("/requirements", async (c) => {
  const body = await readJson(c, RequirementCreateSchema);
  const requestIds = await known(c, body.requestIds ?? []);
  const id = await createRequirement(c.env.DB, body.title, requestIds, Date.now());
  c.get("log").info("requirement_created", { requirementId: id, requests: requestIds.length });
  return c.json((await requirementById(c.env.DB, id))!, 201);
});

requirements.post("/requirements/:id/requests", async (c) => {
  const { id } = readParams(c, RequirementIdParamSchema);
  const body = await readJson(c, RequirementAttachSchema);
  await existing(c, id);
  const requestIds = await known(c, body.requestIds);
  await attachRequests(c.env.DB, id, requestIds, Date.now());
  c.get("log").info("requirement_requests_attached", {
    requirementId: id,
    requests: requestIds.length,
  });
  return c.json((await requirementById(c.env.DB, id))!);
});

requirements.post("/requirements/:id/merge", async (c) => {
  const { id } = readParams(c, RequirementIdParamSchema);
  const { into } = await readJson(c, RequirementMergeSchema);
  if (into === id)
    throw new HttpError(
      ErrorCode.BadRequest,
      "body.into: a requirement cannot be merged into itself",
    );
  await existing(c, id);
  await existing(c, into, "body.into");
  await mergeRequirements(c.env.DB, id, into, Date.now());
  c.get("log").info("requirement_merged", { requirementId: id, into });
  return c.json((await requirementById(c.env.DB, into))!);
});

requirements.put("/requirements/:id", async (c) => {
  const { id } = readParams(c, RequirementIdParamSchema);
  const patch = await readJson(c, RequirementUpdateSchema);
  await existing(c, id);
  await updateRequirement(c.env.DB, id, patch, Date.now());
  const requirement = (await requirementById(c.env.DB, id))!;
  c.get("log").info("requirement_updated", { requirementId: id, status: requirement.status });
  // Every PUT that names `shipped` sends what is unsent: a retry completes a failed one.
  const clients = createClients(c.get("config"), c.env);
  const notices =
    patch.status === "shipped"
      ? await sendShipNotices(c.env.DB, () => clients.salesforce(), requirement, c.get("log"))
      : null;
  return c.json({ requirement, notices });
});

/**
 * A 404 unless requirement `id` exists and was not merged (a merged one names where it went). It
 * reads one row: the route ranks the requirement once, after its write.
 */
async function existing(c: Context<HonoEnv>, id: number, field = "id"): Promise<void> {
  const link = await requirementLink(c.env.DB, id);
  if (link?.mergedInto === null) return;
  throw new HttpError(
    ErrorCode.NotFound,
    link === null
      ? `${field}: no requirement ${id}`
      : `${field}: requirement ${id} was merged into ${link.mergedInto}`,
  );
}

/** The ids, deduplicated; one the mirror does not hold is a 400 naming it. */
async function known(c: Context<HonoEnv>, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const unknown = await unknownRequests(c.env.DB, unique);
  if (unknown.length)
    throw new HttpError(
      ErrorCode.BadRequest,
      `body.requestIds[${ids.indexOf(unknown[0]!)}]: no Feature_Request__c ${unknown[0]} in the mirror (it arrives with the nightly pull)`,
    );
  return unique;
}
