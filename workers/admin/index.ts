import { Hono } from "hono";
import type { HonoEnv } from "../../shared/hono-env";
import { requireAdmin } from "./auth";
import { dashboard } from "./dashboard";
import { refuseCrossSiteWrites } from "./same-origin";

/** Everything under /admin: one sub-router per route group, all behind requireAdmin. */
export const admin = new Hono<HonoEnv>();
// Registered before the auth middleware: the page shell and its assets hold no data (see
// dashboard.ts).
admin.route("/", dashboard);
admin.use("*", requireAdmin);
admin.use("*", refuseCrossSiteWrites);

// Route groups register here, one line each:
import { telemetry } from "./telemetry";

admin.route("/", telemetry);

import { leads } from "./leads";

admin.route("/", leads);

import { resync } from "./resync";

admin.route("/", resync);

import { backfill } from "./backfill";

admin.route("/", backfill);

import { jobs } from "./jobs";

admin.route("/", jobs);

import { deadLetters } from "./dead-letters";

admin.route("/", deadLetters);

import { rules } from "./rules";

admin.route("/", rules);

import { mapping } from "./mapping";

admin.route("/", mapping);

import { routing } from "./routing";

admin.route("/", routing);

import { collateral } from "./collateral";

admin.route("/", collateral);

import { syncHealth } from "./sync-health";

admin.route("/", syncHealth);

import { outcomes } from "./outcomes";

admin.route("/", outcomes);

import { subscriptions } from "./subscriptions";

admin.route("/", subscriptions);

import { openapi } from "./openapi";

admin.route("/", openapi);

import { requirements } from "./requirements";

admin.route("/", requirements);

import { quotas } from "./quotas";

admin.route("/", quotas);

import { telemetryConfig } from "./telemetry-config";

admin.route("/", telemetryConfig);
