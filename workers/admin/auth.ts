import type { MiddlewareHandler } from "hono";
import { ErrorCode, jsonError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { timingSafeEqual } from "../webhook/signature";
import { verifyAccessJwt } from "./access";

const TOKEN_PARAMS = ["token", "access_token", "admin_token", "auth", "key", "api_key", "jwt"];

/**
 * Bearer ADMIN_TOKEN, compared in constant time, or (when ACCESS_TEAM_DOMAIN and ACCESS_AUD
 * are set) a Cloudflare Access JWT. A token in the query string is refused outright (it would
 * end up in logs). Every refusal is the same 401, whatever the cause.
 */
export const requireAdmin: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  const refuse = () => {
    c.header("WWW-Authenticate", 'Bearer realm="leadbridge-admin"');
    return jsonError(
      c,
      ErrorCode.Unauthorized,
      "Admin routes need Authorization: Bearer <ADMIN_TOKEN>",
    );
  };
  if (TOKEN_PARAMS.some((p) => url.searchParams.has(p))) return refuse();
  const config = c.get("config");
  // The token itself under any other name is refused too, even next to a valid header.
  if ([...url.searchParams.values()].some((v) => timingSafeEqual(v, config.ADMIN_TOKEN)))
    return refuse();
  const header = c.req.header("authorization");
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !timingSafeEqual(match[1]!, config.ADMIN_TOKEN)) return refuse();
    c.set("adminActor", "admin-token");
  } else if (assertion && config.ACCESS_TEAM_DOMAIN && config.ACCESS_AUD) {
    const who = await verifyAccessJwt(assertion, {
      teamDomain: config.ACCESS_TEAM_DOMAIN,
      audience: config.ACCESS_AUD,
    }).catch(() => null);
    if (!who) return refuse();
    c.set("adminActor", who);
  } else {
    return refuse();
  }
  await next();
};
