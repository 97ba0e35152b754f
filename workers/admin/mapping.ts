import { type Context, Hono } from "hono";
import { createClients } from "../../shared/clients";
import { MappingQuerySchema, MappingUpdateSchema } from "../../shared/contracts/admin";
import {
  currentMapping,
  listMappings,
  type MappingVersion,
  mappingVersion,
  saveMapping,
} from "../../shared/db/mappings";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { type LeadDescribe, leadDescribe } from "../../shared/salesforce/describe";
import { checkMapping } from "./mapping-check";
import { iso, readJson, readQuery } from "./validate";

const toView = (v: MappingVersion) => ({
  version: v.version,
  mapping: v.mapping,
  createdAt: iso(v.createdAt)!,
  createdBy: v.createdBy,
  note: v.note,
});

/**
 * GET /admin/mapping[?version=N], GET /admin/mapping/versions, PUT /admin/mapping: every change is
 * a new version, saved only once Salesforce's Lead describe accepts it (docs/mapping.md).
 */
export const mapping = new Hono<HonoEnv>();

mapping.get("/mapping", async (c) => {
  const { version } = readQuery(c, MappingQuerySchema);
  const found =
    version === undefined
      ? await currentMapping(c.env.DB)
      : await mappingVersion(c.env.DB, version);
  if (!found) throw new HttpError(ErrorCode.NotFound, `No mapping version ${version}`);
  return c.json(toView(found));
});

mapping.get("/mapping/versions", async (c) => {
  await currentMapping(c.env.DB);
  return c.json({ versions: (await listMappings(c.env.DB)).map(toView) });
});

mapping.put("/mapping", async (c) => {
  const body = await readJson(c, MappingUpdateSchema);
  const problems = checkMapping(body.mapping, await describeLead(c));
  if (problems.length) {
    const first = problems[0]!;
    const at = first.index === null ? "the mapping" : `fields[${first.index}] (${first.field})`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new HttpError(
      ErrorCode.Validation,
      `The mapping does not fit Salesforce's Lead: ${at}: ${first.problem}${more}`,
      problems,
    );
  }
  let saved: MappingVersion;
  try {
    saved = await saveMapping(c.env.DB, body.mapping, c.get("adminActor") ?? "admin", body.note);
  } catch (err) {
    // Two writers raced for the same version number; the loser asks again.
    if (String(err).includes("UNIQUE"))
      throw new HttpError(
        ErrorCode.Conflict,
        "Another mapping update landed at the same time; read the mapping and try again",
      );
    throw err;
  }
  c.get("log").info("mapping_updated", {
    version: saved.version,
    fields: saved.mapping.fields.length,
  });
  return c.json(toView(saved), 201);
});

/** The Lead's describe, through the Salesforce connection the handoff uses (cached in KV). */
async function describeLead(c: Context<HonoEnv>): Promise<LeadDescribe> {
  try {
    const conn = await createClients(c.get("config"), c.env).salesforce();
    return await leadDescribe(conn, c.env.KV);
  } catch (err) {
    throw new HttpError(
      ErrorCode.Upstream,
      `Salesforce's Lead describe could not be read, so the mapping cannot be checked (nothing saved): ${String(err).slice(0, 200)}`,
    );
  }
}
