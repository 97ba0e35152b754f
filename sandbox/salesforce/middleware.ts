import type { Hono } from "hono";
import { matchedRoutes } from "hono/route";
import { sleep } from "../common/faults";
import { bearerToken } from "./auth";
import { invalidSession, notFound, requestLimitExceeded, serverErrorBody } from "./errors";
import { API, type SfEnv } from "./http";
import { isSupportedVersion } from "./routes/meta";
import type { SandboxState } from "./state";

// What stands in front of every handler: request counts, injected faults, the API version,
// the session check, the daily allocation and the Sforce-Limit-Info header.

const CONTROL = "/__sandbox";

/**
 * Salesforce's limit on a REST call's URI and headers together (16,384 bytes): a longer URI
 * answers 414 URI Too Long, a URI and headers over it together 431 Request Header Fields Too
 * Large. A `SELECT … WHERE Email IN (…)` over GET /query meets it at a few hundred addresses.
 */
export const MAX_REQUEST_HEAD_BYTES = 16_384;

function headBytes(req: Request): { uri: number; total: number } {
  const url = new URL(req.url);
  const uri = Buffer.byteLength(url.pathname + url.search);
  let headers = 0;
  req.headers.forEach((value, name) => {
    headers += Buffer.byteLength(`${name}: ${value}\r\n`);
  });
  return { uri, total: uri + headers };
}

/** "/services/data/:version{...}/sobjects/:type" → "/services/data/vXX.X/sobjects/:type" */
const displayRoute = (path: string) => path.replace(/:version\{[^}]*\}/, "vXX.X");

export function installMiddleware(app: Hono<SfEnv>, state: SandboxState): void {
  app.use("*", async (c, next) => {
    if (!c.req.path.startsWith(CONTROL)) {
      const route = matchedRoutes(c)
        .filter((r) => r.method !== "ALL")
        .at(-1)?.path;
      state.counter.hit(c.req.method, route ? displayRoute(route) : "(unmatched)");
      state.requests.record(c.req.method, c.req.path, c.req.raw.headers);
    }
    await next();
  });

  app.use("*", async (c, next) => {
    if (c.req.path.startsWith(CONTROL)) return next();
    // The front end refuses an oversized request before the API sees it: no session check, no
    // allocation used, no Sforce-Limit-Info.
    const size = headBytes(c.req.raw);
    if (size.uri > MAX_REQUEST_HEAD_BYTES) return c.text("URI Too Long", 414);
    if (size.total > MAX_REQUEST_HEAD_BYTES) return c.text("Request Header Fields Too Large", 431);
    const { method, path } = c.req;
    for (const rule of state.faults.pick(method, path, ["latency"])) await sleep(rule.ms ?? 0);
    const outage = state.faults.pick(method, path, ["status"])[0];
    if (outage) {
      const status = outage.status ?? 503;
      return c.json(serverErrorBody(status), status as 500);
    }
    if (state.faults.pick(method, path, ["expire_session"]).length > 0) state.sessions.expireAll();
    await next();
  });

  // Salesforce reports the allocation on every response but "/", errors included.
  app.use("*", async (c, next) => {
    await next();
    if (c.req.path !== "/" && !c.req.path.startsWith(CONTROL))
      c.res.headers.set("Sforce-Limit-Info", state.usage.header());
  });

  app.use(`${API}/*`, async (c, next) => {
    const version = c.req.param("version");
    if (!isSupportedVersion(version)) throw notFound();
    c.set("version", version);
    state.apiCalls += 1;
    if (state.expireEvery && state.apiCalls % state.expireEvery === 0) state.sessions.expireAll();
    if (!state.sessions.isValid(bearerToken(c.req.header("Authorization")))) {
      c.header("WWW-Authenticate", 'Token realm="Salesforce.com"');
      throw invalidSession();
    }
    const limitFault = state.faults.pick(c.req.method, c.req.path, ["request_limit"]).length > 0;
    if (limitFault || !state.usage.consume()) throw requestLimitExceeded();
    await next();
  });
}
