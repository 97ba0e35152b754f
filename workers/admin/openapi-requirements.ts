import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import * as R from "../../shared/contracts/requirements";
import { json, op } from "./openapi";

// The requirement pool's routes in the admin API's OpenAPI document (docs/requirements.md).

const idParam = { path: R.RequirementIdParamSchema };

/** A function, not a constant: openapi.ts imports this file, and op() is ready only once it ran. */
export const requirementPaths = (): ZodOpenApiPathsObject => ({
  "/admin/requirements": {
    get: op(
      "The requirement pool ranked by RICE, with the open and lost amount behind each",
      [200, R.RequirementListSchema, "Highest score first; unscored requirements last"],
      { requestParams: { query: R.RequirementListQuerySchema }, errors: [400] },
    ),
    post: op(
      "Create a requirement, optionally from requests (moved from any other requirement)",
      [201, R.RequirementSchema, "The new requirement"],
      { requestBody: json(R.RequirementCreateSchema), errors: [400] },
    ),
  },
  "/admin/feature-requests/unassigned": {
    get: op("Requests from Salesforce that no requirement holds yet", [
      200,
      z.object({ requests: z.array(R.FeatureRequestSchema) }),
      "Oldest first",
    ]),
  },
  "/admin/requirements/{id}": {
    get: op(
      "A requirement with its requests",
      [200, R.RequirementDetailSchema, "The requirement"],
      {
        requestParams: idParam,
        errors: [400, 404],
      },
    ),
    put: op(
      "Set RICE inputs, title or status; shipped sends each linked deal owner one Task, once",
      [200, R.RequirementUpdatedSchema, "The requirement, and the Tasks shipping sent"],
      { requestParams: idParam, requestBody: json(R.RequirementUpdateSchema), errors: [400, 404] },
    ),
  },
  "/admin/requirements/{id}/requests": {
    post: op(
      "Attach requests to the requirement (a request belongs to one: attaching moves it)",
      [200, R.RequirementSchema, "The requirement"],
      { requestParams: idParam, requestBody: json(R.RequirementAttachSchema), errors: [400, 404] },
    ),
  },
  "/admin/requirements/{id}/merge": {
    post: op(
      "Merge the requirement into another: its requests move there",
      [200, R.RequirementSchema, "The requirement merged into"],
      { requestParams: idParam, requestBody: json(R.RequirementMergeSchema), errors: [400, 404] },
    ),
  },
});
