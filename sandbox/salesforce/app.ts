import { Hono } from "hono";
import { ControlError, controlRoutes } from "./control";
import { MultipleMatches } from "./dml";
import { notFound, SalesforceError } from "./errors";
import type { SfEnv } from "./http";
import { installMiddleware } from "./middleware";
import { compositeRoutes } from "./routes/composite";
import { metaRoutes, versionsRoute } from "./routes/meta";
import { oauthRoutes } from "./routes/oauth";
import { queryRoutes } from "./routes/query";
import { sinkRoutes } from "./routes/sink";
import { sobjectRoutes } from "./routes/sobjects";
import type { SandboxState } from "./state";

/** The sandbox's HTTP surface: Salesforce's paths plus /__sandbox control routes. */
export function buildApp(state: SandboxState): Hono<SfEnv> {
  // strict: false so /services/data/ and /services/data/v62.0/ answer like their slashless forms.
  const app = new Hono<SfEnv>({ strict: false });
  installMiddleware(app, state);
  controlRoutes(app, state);
  oauthRoutes(app, state);
  versionsRoute(app);
  metaRoutes(app, state);
  sobjectRoutes(app, state);
  compositeRoutes(app, state);
  queryRoutes(app, state);
  sinkRoutes(app, state);

  app.notFound((c) => {
    if (c.req.path.startsWith("/services/")) return c.json(notFound().toRestBody(), 404);
    return c.json({ error: "not found" }, 404);
  });

  app.onError((err, c) => {
    if (err instanceof SalesforceError) return c.json(err.toRestBody(), err.status as 400);
    if (err instanceof MultipleMatches) {
      const version = c.get("version") ?? "v62.0";
      const type = c.req.param("type") ?? "";
      return c.json(
        err.ids.map((id) => `/services/data/${version}/sobjects/${type}/${id}`),
        300 as 200,
      );
    }
    if (err instanceof ControlError) return c.json({ error: err.message }, 400);
    console.error(
      JSON.stringify({ event: "salesforce_sandbox_error", path: c.req.path, message: err.message }),
    );
    return c.json(
      [
        {
          message:
            "An unexpected error occurred. Please include this ErrorId if you contact support: sandbox",
          errorCode: "UNKNOWN_EXCEPTION",
        },
      ],
      500,
    );
  });
  return app;
}
