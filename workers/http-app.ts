import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError, loadConfig } from "../shared/env";
import { ErrorCode, errorBody, HttpError, jsonError } from "../shared/errors";
import type { HonoEnv } from "../shared/hono-env";
import { createLogger } from "../shared/log";
import { health } from "./health";
import { webhook } from "./webhook/route";

/**
 * The HTTP surface without its routes under /admin (`mount` adds them, see app.ts): public
 * health, then everything that needs a valid configuration.
 */
export function createHttpApp(mount?: (app: Hono<HonoEnv>) => void) {
  const app = new Hono<HonoEnv>();

  app.use("*", async (c, next) => {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    await next();
  });

  app.route("/", health);

  app.use("*", async (c, next) => {
    const config = loadConfig(c.env);
    c.set("config", config);
    c.set("log", createLogger({ requestId: c.get("requestId") }, config.LOG_LEVEL));
    await next();
  });

  app.route("/", webhook);
  mount?.(app);

  app.notFound((c) =>
    jsonError(c, ErrorCode.NotFound, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    if (err instanceof HttpError)
      return c.json(errorBody(err.code, err.message, requestId, err.fields), err.status);
    if (err instanceof ConfigError) {
      console.error(
        JSON.stringify({
          level: "error",
          event: "config_invalid",
          requestId,
          problems: err.problems,
        }),
      );
      return c.json(errorBody(ErrorCode.Misconfigured, err.message, requestId), 500);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(
        errorBody(ErrorCode.BadRequest, err.message || "Bad request", requestId),
        err.status,
      );
    }
    console.error(
      JSON.stringify({ level: "error", event: "unhandled", requestId, error: String(err) }),
    );
    return c.json(
      errorBody(ErrorCode.Internal, "Internal error; see logs for requestId", requestId),
      500,
    );
  });

  return app;
}
