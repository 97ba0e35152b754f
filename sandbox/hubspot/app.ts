import { randomUUID } from "node:crypto";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { sleep } from "../common/faults";
import { controlRoutes } from "./control";
import {
  errorBody,
  HubSpotError,
  invalidApiKey,
  invalidAuthentication,
  missingApiKey,
  missingScopes,
} from "./errors";
import { type RatePolicy, rateLimitBody } from "./ratelimit";
import { associationRoutes } from "./routes/associations";
import { objectRoutes } from "./routes/objects";
import { propertyRoutes } from "./routes/properties";
import { webhookRoutes } from "./routes/webhooks";
import type { HubSpotState } from "./state";

const HTTP_FAULTS = ["latency", "status", "status_after_write", "rate_limit", "missing_scopes"];
const isControl = (c: Context) => c.req.path.startsWith("/__sandbox");
const isSearch = (c: Context) => c.req.method === "POST" && c.req.path.endsWith("/search");

/** The HubSpot API imitation plus its `/__sandbox` control surface. */
export function createHubSpotApp(state: HubSpotState): Hono {
  const app = new Hono();

  app.use("*", countRequests(state));
  app.use("*", injectFaults(state));
  app.use("*", authenticate(state));
  app.use("*", limitRate(state));

  app.route("/__sandbox", controlRoutes(state));
  for (const type of ["contacts", "companies", "notes"] as const) {
    app.route(`/crm/v3/objects/${type}`, objectRoutes(state, type));
  }
  app.route("/crm/v3/objects/:objectType", objectRoutes(state));
  app.route("/crm/v4", associationRoutes(state));
  app.route("/crm/v3/properties", propertyRoutes(state.store.schema));
  app.route("/webhooks/v3", webhookRoutes(state));

  app.notFound((c) =>
    c.json(errorBody("OBJECT_NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((err, c) => {
    if (err instanceof HubSpotError) return c.json(err.body, err.status as 400);
    console.error(
      JSON.stringify({ event: "hubspot_sandbox_error", path: c.req.path, error: String(err) }),
    );
    return c.json(errorBody("INTERNAL_ERROR", "internal error"), 500);
  });
  return app;
}

function countRequests(state: HubSpotState): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (isControl(c)) return;
    // The first non-middleware route is the one that answers (literal paths are registered before
    // generic ones).
    const route = matchedRoutes(c).find((r) => r.method !== "ALL")?.path ?? c.req.path;
    state.counter.hit(c.req.method, route, c.res.status === 429);
  };
}

function injectFaults(state: HubSpotState): MiddlewareHandler {
  return async (c, next) => {
    if (isControl(c)) return next();
    for (const rule of state.faults.pick(c.req.method, c.req.path, HTTP_FAULTS)) {
      if (rule.kind === "latency") await sleep(rule.ms ?? 1000);
      if (rule.kind === "status") return faultAnswer(c, rule.status);
      // The private app lacks the scope this call needs (granted scopes are not modelled).
      if (rule.kind === "missing_scopes") throw missingScopes([requiredScope(c)]);
      if (rule.kind === "status_after_write") {
        // The request is carried out, then the answer is lost: HubSpot stored it, the caller
        // sees only an error.
        await next();
        c.res = undefined;
        c.res = faultAnswer(c, rule.status);
        return;
      }
      if (rule.kind === "rate_limit") {
        return tooManyRequests(
          c,
          state,
          isSearch(c) ? "SECONDLY" : "TEN_SECONDLY_ROLLING",
          rule.ms ?? 1000,
        );
      }
    }
    return next();
  };
}

/** The scope HubSpot names for a CRM call: the object's read scope, or its write scope. */
function requiredScope(c: Context): string {
  const object = /\/companies/.test(c.req.path) ? "companies" : "contacts";
  const reads = c.req.method === "GET" || /\/(batch\/read|search)$/.test(c.req.path);
  return `crm.objects.${object}.${reads ? "read" : "write"}`;
}

function faultAnswer(c: Context, status = 500): Response {
  return c.json(
    errorBody("INTERNAL_ERROR", status === 500 ? "internal error" : `HTTP ${status}`),
    status as 500,
  );
}

function authenticate(state: HubSpotState): MiddlewareHandler {
  return async (c, next) => {
    if (isControl(c)) return next();
    // The webhooks API is the app's, not the portal's: it takes the developer API key.
    if (c.req.path.startsWith("/webhooks/v3/")) {
      const key = c.req.query("hapikey");
      if (!key) throw missingApiKey();
      if (key !== state.config.developerApiKey) throw invalidApiKey();
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (token !== state.config.token) throw invalidAuthentication();
    return next();
  };
}

function limitRate(state: HubSpotState): MiddlewareHandler {
  return async (c, next) => {
    if (isControl(c)) return next();
    const decision = state.limiter.take(isSearch(c));
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
    if (decision.refused)
      return tooManyRequests(c, state, decision.refused.policy, decision.refused.retryAfterMs);
    return next();
  };
}

function tooManyRequests(
  c: Context,
  state: HubSpotState,
  policy: RatePolicy,
  retryAfterMs: number,
) {
  const { config } = state.limiter;
  c.header("X-HubSpot-RateLimit-Max", String(config.max));
  c.header("X-HubSpot-RateLimit-Interval-Milliseconds", String(config.intervalMs));
  c.header("X-HubSpot-RateLimit-Remaining", "0");
  if (policy === "SECONDLY") c.header("X-HubSpot-RateLimit-Secondly-Remaining", "0");
  c.header("Retry-After", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return c.json(rateLimitBody(policy, randomUUID()), 429);
}
