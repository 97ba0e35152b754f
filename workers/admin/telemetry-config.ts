import { Hono } from "hono";
import { TelemetryConfigUpdateSchema } from "../../shared/contracts/admin";
import type { HonoEnv } from "../../shared/hono-env";
import { readSettings, writeSettings } from "../telemetry/store";
import { readJson } from "./validate";

/**
 * GET/PUT /admin/telemetry-config: the report settings an admin tunes (telemetry_config keys
 * ramp_quota_share and stale_after_days, docs/report.md#settings); the next report uses them.
 */
export const telemetryConfig = new Hono<HonoEnv>();

async function view(db: D1Database) {
  const settings = await readSettings(db);
  return { rampQuotaShare: settings.rampShare, staleAfterDays: settings.staleAfterDays };
}

telemetryConfig.get("/telemetry-config", async (c) => c.json(await view(c.env.DB)));

telemetryConfig.put("/telemetry-config", async (c) => {
  const body = await readJson(c, TelemetryConfigUpdateSchema);
  const keys = await writeSettings(c.env.DB, {
    rampShare: body.rampQuotaShare,
    staleAfterDays: body.staleAfterDays,
  });
  c.get("log").info("telemetry_config_updated", { keys });
  return c.json(await view(c.env.DB));
});
