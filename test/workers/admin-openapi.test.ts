import { describe, expect, it } from "vitest";
import {
  JobSchema,
  LeadDetailSchema,
  LeadListSchema,
  RulesVersionListSchema,
  RulesVersionSchema,
} from "../../shared/contracts/admin";
import { admin as adminApp } from "../../workers/admin/index";
import { admin } from "./admin-client";
import { deliver, leadEvent } from "./queue-harness";
import { createContact, qualifyingContact } from "./sandboxes";

describe("GET /admin/openapi.json", () => {
  it("documents every admin route the Worker serves, with its schemas", async () => {
    const res = await admin("GET", "/admin/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      "bearer",
      "cloudflareAccess",
    ]);
    for (const name of ["Lead", "Job", "RulesVersion", "SyncHealth", "DeadLetter", "Error"])
      expect(doc.components.schemas[name], name).toBeDefined();

    const served = adminApp.routes
      .filter(
        (r) =>
          r.method !== "ALL" &&
          !r.path.startsWith("/assets") &&
          r.path !== "/" &&
          !r.path.startsWith("/:slash"),
      )
      .map((r) => `${r.method} /admin${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect([...new Set(served)].sort()).toEqual(documented.sort());
    expect(
      doc.paths["/admin/backfill"].post.requestBody.content["application/json"].schema,
    ).toBeDefined();
    expect(doc.paths["/admin/leads/{contactId}"].get.responses["401"]).toBeDefined();
  });

  it("describes what the routes really answer", async () => {
    const id = await createContact(qualifyingContact(`oa${Date.now()}`));
    await deliver([leadEvent(id)]);
    LeadDetailSchema.parse((await admin("GET", `/admin/leads/${id}`)).body);
    LeadListSchema.parse((await admin("GET", "/admin/leads?limit=5")).body);
    RulesVersionSchema.parse((await admin("GET", "/admin/rules")).body);
    RulesVersionListSchema.parse((await admin("GET", "/admin/rules/versions")).body);
    const job = await admin("POST", "/admin/backfill", {
      since: new Date(Date.now() - 60_000).toISOString(),
      dryRun: true,
    });
    JobSchema.parse(job.body);
    JobSchema.parse((await admin("POST", `/admin/jobs/${job.body.id}/cancel`)).body);
  });
});
