import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";

describe("GET /health", () => {
  it("reports the version and that every binding answers", async () => {
    const res = await exports.default.fetch("http://leadbridge.test/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ ok: true, service: "leadbridge", version: pkg.version, config: { ok: true } });
    for (const name of ["DB", "KV", "LEAD_EVENTS", "LEAD_EVENTS_DLQ", "ADMIN_JOBS"]) expect(body.bindings[name].ok).toBe(true);
  });

  it("answers unknown routes with the uniform JSON error", async () => {
    const res = await exports.default.fetch("http://leadbridge.test/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});
