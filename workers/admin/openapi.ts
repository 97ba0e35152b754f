import { Hono } from "hono";
import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from "zod-openapi";
import * as A from "../../shared/contracts/admin";
import * as C from "../../shared/contracts/collateral";
import { OutcomeRunSchema } from "../../shared/contracts/outcome-sync";
import { ReportDateSchema, ReportSchema } from "../../shared/contracts/report";
import {
  SubscriptionsReportSchema,
  SubscriptionsSyncSchema,
} from "../../shared/contracts/subscriptions";
import type { HonoEnv } from "../../shared/hono-env";
import { VERSION } from "../../shared/version";
import { requirementPaths } from "./openapi-requirements";

export const json = (schema: z.ZodType) => ({ content: { "application/json": { schema } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    [401, ...statuses].map((s) => [
      String(s),
      { description: ERROR_TEXT[s] ?? "Error", ...json(A.ErrorSchema) },
    ]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (the message names the field)",
  401: "Missing, wrong or misplaced credentials",
  404: "Not found",
  409: "Conflicts with the current state",
  502: "HubSpot or Salesforce refused or failed (the message says which and why)",
  503: "Salesforce could not be reached to check the document; nothing was saved",
  403: "Signed in with Access: a cross-site write (Origin / Sec-Fetch-Site)",
  415: "Signed in with Access: a write without Content-Type: application/json",
};

/** Every write signed in with Access may also be refused as cross-site (same-origin.ts). */
const WRITE_METHODS = ["post", "put", "patch", "delete"] as const;
function withWriteRefusals(all: ZodOpenApiPathsObject): ZodOpenApiPathsObject {
  for (const item of Object.values(all))
    for (const method of WRITE_METHODS) {
      const operation = item[method];
      if (operation) operation.responses = { ...operation.responses, ...errors(403, 415) };
    }
  return all;
}

export function op(
  summary: string,
  ok: [status: number, schema: z.ZodType, description: string],
  extra: Partial<ZodOpenApiOperationObject> & { errors?: number[] } = {},
): ZodOpenApiOperationObject {
  const { errors: statuses = [], ...rest } = extra;
  return {
    summary,
    tags: ["admin"],
    responses: { [String(ok[0])]: { description: ok[2], ...json(ok[1]) }, ...errors(...statuses) },
    ...rest,
  };
}

const jobParam = { path: A.JobIdParamSchema };
const paths: ZodOpenApiPathsObject = {
  "/admin/leads": {
    get: op("List leads", [200, A.LeadListSchema, "A page of leads, newest change first"], {
      requestParams: { query: A.LeadListQuerySchema },
      errors: [400],
    }),
  },
  "/admin/leads/{contactId}": {
    get: op("A lead's state and full audit trail", [200, A.LeadDetailSchema, "The lead"], {
      requestParams: { path: A.ContactIdParamSchema },
      errors: [400, 404],
    }),
  },
  "/admin/resync": {
    post: op(
      "Judge contacts again now",
      [202, A.ResyncResponseSchema, "Enqueued for the handoff"],
      { requestBody: json(A.ResyncRequestSchema), errors: [400] },
    ),
  },
  "/admin/backfill": {
    post: op("Start a backfill over a time range", [202, A.JobSchema, "The job, started"], {
      requestBody: json(A.BackfillRequestSchema),
      errors: [400, 409],
    }),
  },
  "/admin/jobs": {
    get: op("Recent jobs", [
      200,
      z.object({ jobs: z.array(A.JobSchema) }),
      "Up to 50, newest first",
    ]),
  },
  "/admin/jobs/{id}": {
    get: op("A job and its progress", [200, A.JobSchema, "The job"], {
      requestParams: jobParam,
      errors: [404],
    }),
  },
  "/admin/jobs/{id}/cancel": {
    post: op("Cancel a running job (it can be resumed)", [200, A.JobSchema, "Cancelled"], {
      requestParams: jobParam,
      errors: [404, 409],
    }),
  },
  "/admin/jobs/{id}/resume": {
    post: op(
      "Resume a cancelled or failed job from its cursor",
      [200, A.JobSchema, "Running again"],
      { requestParams: jobParam, errors: [404, 409] },
    ),
  },
  "/admin/dead-letters": {
    get: op("Dead letters", [200, A.DeadLetterListSchema, "A page, newest first"], {
      requestParams: { query: A.DeadLetterQuerySchema },
      errors: [400],
    }),
  },
  "/admin/dead-letters/replay": {
    post: op(
      "Replay dead letters",
      [200, A.ReplayResponseSchema, "What was re-enqueued and what was not"],
      { requestBody: json(A.ReplayRequestSchema), errors: [400] },
    ),
  },
  "/admin/mapping": {
    get: op(
      "The field mapping in force, or one version",
      [200, A.MappingVersionSchema, "A mapping version"],
      { requestParams: { query: A.MappingQuerySchema }, errors: [400, 404] },
    ),
    put: op(
      "Store a new field mapping version, once Salesforce's describe accepts it",
      [201, A.MappingVersionSchema, "The new version, now in force"],
      { requestBody: json(A.MappingUpdateSchema), errors: [400, 409, 502] },
    ),
  },
  "/admin/mapping/versions": {
    get: op("Every field mapping version", [200, A.MappingVersionListSchema, "Newest first"]),
  },
  "/admin/routing": {
    get: op(
      "The routing in force (or, before any was saved, version null and a note), or one version",
      [200, z.union([A.RoutingVersionSchema, A.NoRoutingSchema]), "A routing version"],
      { requestParams: { query: A.RoutingQuerySchema }, errors: [400, 404] },
    ),
    put: op(
      "Store a new routing version, once Salesforce knows every user it names as active",
      [201, A.RoutingVersionSchema, "The new version, now in force"],
      { requestBody: json(A.RoutingUpdateSchema), errors: [400, 409, 503] },
    ),
  },
  "/admin/routing/preview": {
    post: op(
      "How a proposed routing would have spread the new Leads of the last days, writing nothing",
      [200, A.RoutingPreviewSchema, "Leads per pool and member, against caps, and the fallback"],
      { requestBody: json(A.RoutingPreviewRequestSchema), errors: [400, 503] },
    ),
  },
  "/admin/routing/versions": {
    get: op("Every routing version", [200, A.RoutingVersionListSchema, "Newest first"]),
  },
  "/admin/collateral": {
    get: op(
      "What sales sees: the latest published version of each asset; or every version",
      [200, C.CollateralListSchema, "Asset versions, by asset, newest version first"],
      { requestParams: { query: C.CollateralQuerySchema }, errors: [400, 404] },
    ),
    post: op(
      "Add an asset, or a new version of one (above its highest version)",
      [201, C.CollateralVersionSchema, "The new version"],
      { requestBody: json(C.CollateralCreateSchema), errors: [400, 409] },
    ),
  },
  "/admin/collateral/{assetId}/{version}": {
    put: op(
      "Publish or archive a version; a draft's content may change, a published one's never does",
      [200, C.CollateralVersionSchema, "The version as it now is"],
      {
        requestParams: { path: C.CollateralPathSchema },
        requestBody: json(C.CollateralUpdateSchema),
        errors: [400, 404, 409],
      },
    ),
  },
  "/admin/rules": {
    get: op("The rules in force, or one version", [200, A.RulesVersionSchema, "A rules version"], {
      requestParams: { query: A.RulesQuerySchema },
      errors: [400, 404],
    }),
    put: op(
      "Store a new rules version",
      [201, A.RulesVersionSchema, "The new version, now in force"],
      { requestBody: json(A.RulesUpdateSchema), errors: [400, 409] },
    ),
  },
  "/admin/rules/preview": {
    post: op(
      "What a rules change would do to the contacts judged lately, writing nothing",
      [200, A.RulesPreviewSchema, "Flips each way, counts by reason and source before and after"],
      { requestBody: json(A.RulesPreviewRequestSchema), errors: [400] },
    ),
  },
  "/admin/rules/versions": {
    get: op("Every rules version", [200, A.RulesVersionListSchema, "Newest first"]),
  },
  "/admin/subscriptions": {
    get: op(
      "Webhook subscriptions the rules in force need, against HubSpot's",
      [200, SubscriptionsReportSchema, "Needed, subscribed, missing, extra and not covered"],
      { errors: [409, 502] },
    ),
  },
  "/admin/subscriptions/sync": {
    post: op(
      "Create (or activate) the missing webhook subscriptions in HubSpot",
      [200, SubscriptionsSyncSchema, "What was created, activated or failed, then the report"],
      { errors: [409, 502] },
    ),
  },
  "/admin/sync-health": {
    get: op("Errors by kind, API headroom and backlog", [200, A.SyncHealthSchema, "Sync health"], {
      requestParams: { query: A.SyncHealthQuerySchema },
      errors: [400],
    }),
  },
  "/admin/reports/funnel/latest": {
    get: op("The latest nightly funnel report", [200, ReportSchema, "The report"], {
      errors: [404],
    }),
  },
  "/admin/reports/funnel": {
    get: op("The funnel report for a date", [200, ReportSchema, "The report"], {
      requestParams: { query: z.object({ date: ReportDateSchema }) },
      errors: [400, 404],
    }),
  },
  "/admin/openapi.json": {
    get: op("This document", [200, z.record(z.string(), z.unknown()), "OpenAPI 3.1"]),
  },
  "/admin/outcomes/run": {
    post: op(
      "Run the outcome sync now (Salesforce → HubSpot)",
      [200, OutcomeRunSchema, "What the run pulled, derived and wrote"],
      { errors: [409] },
    ),
  },
  "/admin/telemetry/run": {
    post: op(
      "Run the nightly telemetry for a date",
      [200, z.record(z.string(), z.unknown()), "What the run did"],
      { requestParams: { query: z.object({ date: ReportDateSchema }) }, errors: [400] },
    ),
  },
  "/admin/quotas": {
    get: op("Every rep's quotas, standing (*) and monthly", [200, A.QuotasSchema, "By rep"]),
    put: op(
      "Replace the quotas of the reps listed, once Salesforce knows each as a User",
      [200, A.QuotasSchema, "Every rep's quotas, now in force"],
      { requestBody: json(A.QuotasUpdateSchema), errors: [400, 503] },
    ),
  },
  "/admin/reps": {
    get: op("Reps and the start date time to ramp counts from", [200, A.RepListSchema, "Reps"]),
  },
  "/admin/reps/{userId}": {
    put: op(
      "Set (or with null drop) a rep's start date over Salesforce's Start_Date__c",
      [200, A.RepViewSchema, "The rep"],
      {
        requestParams: { path: A.RepParamSchema },
        requestBody: json(A.RepUpdateSchema),
        errors: [400, 503],
      },
    ),
  },
  "/admin/telemetry-config": {
    get: op("The report settings", [200, A.TelemetryConfigSchema, "Settings in force"]),
    put: op(
      "Change report settings (the next report uses them)",
      [200, A.TelemetryConfigSchema, "Settings in force"],
      { requestBody: json(A.TelemetryConfigUpdateSchema), errors: [400] },
    ),
  },
};

let cached: ReturnType<typeof createDocument> | undefined;

/**
 * The admin API's OpenAPI 3.1 document, built from the same zod schemas the routes validate with.
 */
export function adminDocument() {
  cached ??= createDocument({
    openapi: "3.1.0",
    info: {
      title: "Leadbridge admin API",
      version: VERSION,
      description:
        "Lead lookup, resync, backfill jobs, dead letters, rules, field mapping, routing, collateral, quotas and reps, sync health and reports.",
    },
    security: [{ bearer: [] }, { cloudflareAccess: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "ADMIN_TOKEN; never in the query string",
        },
        cloudflareAccess: {
          type: "apiKey",
          in: "header",
          name: "Cf-Access-Jwt-Assertion",
          description: "When ACCESS_TEAM_DOMAIN and ACCESS_AUD are set",
        },
      },
    },
    paths: withWriteRefusals({ ...paths, ...requirementPaths() }),
  });
  return cached;
}

export const openapi = new Hono<HonoEnv>().get("/openapi.json", (c) => c.json(adminDocument()));
