import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";

describe("GET /health", () => {
  it("reports the version and that every binding answers", async () => {
    const res = await exports.default.fetch("http://leadbridge.test/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      ok: true,
      service: "leadbridge",
      version: pkg.version,
      config: { ok: true },
    });
    for (const name of [
      "DB",
      "KV",
      "LEAD_EVENTS",
      "LEAD_EVENTS_DLQ",
      "LEAD_BACKFILL",
      "ADMIN_JOBS",
    ])
      expect(body.bindings[name].ok).toBe(true);
  });

  it("answers unknown routes with the uniform JSON error", async () => {
    const res = await exports.default.fetch("http://leadbridge.test/nope");
    expect(res.status).toBe(404);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("routing", () => {
  it("keeps every route within Hono's RegExpRouter, /admin and /admin/ both the dashboard", async () => {
    const { createApp } = await import("../../workers/app");
    const app = createApp();
    for (const path of ["/admin", "/admin/"]) {
      const res = await app.request(path, {}, env);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('id="login-form"');
    }
    expect((await app.request("/admin//", {}, env)).status).not.toBe(200);
    // One pattern RegExpRouter cannot compile sends every request through the slower TrieRouter.
    expect(app.router.name).toBe("SmartRouter + RegExpRouter");
  });
});
