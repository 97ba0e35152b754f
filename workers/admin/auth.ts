import type { MiddlewareHandler } from "hono";
import { ErrorCode, jsonError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { timingSafeEqual } from "../webhook/signature";

const TOKEN_PARAMS = ["token", "access_token", "admin_token", "auth", "key", "api_key"];

/**
 * Bearer ADMIN_TOKEN, compared in constant time. A token in the query string is refused
 * outright (it would end up in logs). Every refusal is the same 401, whatever the cause.
 */
export const requireAdmin: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  const refuse = () => {
    c.header("WWW-Authenticate", 'Bearer realm="leadbridge-admin"');
    return jsonError(c, ErrorCode.Unauthorized, "Admin routes need Authorization: Bearer <ADMIN_TOKEN>");
  };
  if (TOKEN_PARAMS.some((p) => url.searchParams.has(p))) return refuse();
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !timingSafeEqual(match[1]!, c.get("config").ADMIN_TOKEN)) return refuse();
  await next();
};
