import { Hono } from "hono";
import { createClients } from "../../shared/clients";
import {
  RulesPreviewRequestSchema,
  RulesQuerySchema,
  RulesUpdateSchema,
} from "../../shared/contracts/admin";
import {
  currentRules,
  listRules,
  type RulesVersion,
  rulesVersion,
  saveRules,
} from "../../shared/db/rules";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { type LeadDescribe, leadDescribe } from "../../shared/salesforce/describe";
import { checkMapping, describeProblems } from "./mapping-check";
import { previewRules } from "./rules-preview";
import { iso, readJson, readQuery } from "./validate";

const toView = (v: RulesVersion) => ({
  version: v.version,
  rules: v.rules,
  createdAt: iso(v.createdAt)!,
  createdBy: v.createdBy,
  note: v.note,
});

/**
 * GET /admin/rules[?version=N], GET /admin/rules/versions, PUT /admin/rules: every change is a new
 * version; POST /admin/rules/preview: what a change would do, writing nothing.
 */
export const rules = new Hono<HonoEnv>();

rules.get("/rules", async (c) => {
  const { version } = readQuery(c, RulesQuerySchema);
  const found =
    version === undefined ? await currentRules(c.env.DB) : await rulesVersion(c.env.DB, version);
  if (!found) throw new HttpError(ErrorCode.NotFound, `No rules version ${version}`);
  return c.json(toView(found));
});

rules.get("/rules/versions", async (c) => {
  await currentRules(c.env.DB);
  return c.json({ versions: (await listRules(c.env.DB)).map(toView) });
});

rules.put("/rules", async (c) => {
  const body = await readJson(c, RulesUpdateSchema);
  let saved: RulesVersion;
  try {
    saved = await saveRules(c.env.DB, body.rules, c.get("adminActor") ?? "admin", body.note);
  } catch (err) {
    // Two writers raced for the same version number; the loser asks again.
    if (String(err).includes("UNIQUE"))
      throw new HttpError(
        ErrorCode.Conflict,
        "Another rules update landed at the same time; read the rules and try again",
      );
    throw err;
  }
  c.get("log").info("rules_updated", { version: saved.version });
  return c.json(toView(saved), 201);
});

rules.post("/rules/preview", async (c) => {
  const body = await readJson(c, RulesPreviewRequestSchema);
  const config = c.get("config");
  const clients = createClients(config, c.env);
  let fieldLength: ((field: string) => number | undefined) | undefined;
  if (body.mapping) {
    // A mapping Salesforce would refuse is refused here too, as PUT /admin/mapping refuses it.
    let describe: LeadDescribe;
    try {
      describe = await leadDescribe(await clients.salesforce(), c.env.KV);
    } catch (err) {
      c.get("log").warn("lead_describe_failed", { error: String(err).slice(0, 200) });
      throw new HttpError(
        ErrorCode.Upstream,
        "Salesforce's description of Lead could not be read, so the mapping cannot be checked: try again",
      );
    }
    const problems = checkMapping(body.mapping, describe);
    // The same code and `fields` as PUT's refusal, so a client lists them by field either way.
    if (problems.length > 0)
      throw new HttpError(ErrorCode.Validation, describeProblems(problems), problems);
    const lengths = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f.length]));
    fieldLength = (field) => lengths.get(field.toLowerCase()) || undefined;
  }
  const preview = await previewRules(
    {
      db: c.env.DB,
      hubspot: clients.hubspot,
      portalId: config.HUBSPOT_PORTAL_ID,
      fieldLength,
    },
    body.rules,
    body.days,
    Date.now(),
    body.mapping,
  );
  c.get("log").info("rules_previewed", {
    days: preview.days,
    judged: preview.judged,
    toQualified: preview.toQualified,
    toRefused: preview.toRefused,
    readFromHubSpot: preview.missingProperties.readFromHubSpot,
    unread: preview.missingProperties.unread,
    ...(preview.mapping ? { mappingFieldsChanged: preview.mapping.fieldsChanged.length } : {}),
  });
  return c.json(preview);
});
