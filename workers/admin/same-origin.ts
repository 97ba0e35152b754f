import type { MiddlewareHandler } from "hono";
import { ErrorCode, jsonError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SAME_SITE = new Set(["same-origin", "none"]);

/**
 * Cross-site request forgery guard for admins signed in with Cloudflare Access, whose credential
 * is a cookie the browser sends on any site's request (Access turns it into the
 * Cf-Access-Jwt-Assertion header). A state-changing request must come from this origin
 * (`Sec-Fetch-Site` same-origin or none, `Origin` this URL's origin when sent) and be
 * `Content-Type: application/json`, which a cross-site form cannot send (only text/plain,
 * urlencoded or multipart) and a cross-site fetch cannot without a CORS preflight the Worker never
 * grants. Bodyless POSTs too: one rule, and a forged one could still cancel a job or run a sync.
 * Bearer-token requests (the CLI, scripts, the dashboard) are exempt: a browser never attaches
 * the token by itself, so a forged request cannot carry it. Runs after requireAdmin.
 */
export const refuseCrossSiteWrites: MiddlewareHandler<HonoEnv> = async (c, next) => {
  if (!WRITES.has(c.req.method) || c.req.header("authorization") !== undefined) return next();
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  if (
    (site !== undefined && !SAME_SITE.has(site)) ||
    (origin !== undefined && origin !== new URL(c.req.url).origin)
  ) {
    c.get("log").warn("admin_cross_site_refused", { method: c.req.method, site: site ?? null });
    return jsonError(
      c,
      ErrorCode.Forbidden,
      "Cross-site admin writes are refused: send them from this origin (Origin / Sec-Fetch-Site)",
    );
  }
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    return jsonError(
      c,
      ErrorCode.UnsupportedMediaType,
      "Admin writes signed in with Cloudflare Access need Content-Type: application/json (even without a body)",
    );
  await next();
};
