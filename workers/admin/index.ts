import { Hono } from "hono";
import type { HonoEnv } from "../../shared/hono-env";
import { requireAdmin } from "./auth";

/** Everything under /admin: one sub-router per route group, all behind requireAdmin. */
export const admin = new Hono<HonoEnv>();
admin.use("*", requireAdmin);
// Route groups register here, one line each:
