import { Hono } from "hono";
import { TelemetryConfigUpdateSchema } from "../../shared/contracts/admin";
import type { HonoEnv } from "../../shared/hono-env";
import { readSettings } from "../telemetry/store";
import { readJson } from "./validate";

/**
 * GET/PUT /admin/telemetry-config: the report settings an admin tunes (telemetry_config keys
 * ramp_quota_share and stale_after_days, docs/report.md#settings); the next report uses them.
 */
export const telemetryConfig = new Hono<HonoEnv>();

const KEYS = { rampQuotaShare: "ramp_quota_share", staleAfterDays: "stale_after_days" } as const;

async function view(db: D1Database) {
  const settings = await readSettings(db);
  return { rampQuotaShare: settings.rampShare, staleAfterDays: settings.staleAfterDays };
}

telemetryConfig.get("/telemetry-config", async (c) => c.json(await view(c.env.DB)));

telemetryConfig.put("/telemetry-config", async (c) => {
  const body = await readJson(c, TelemetryConfigUpdateSchema);
  const set = Object.entries(body).filter(([, v]) => v !== undefined) as [
    keyof typeof KEYS,
    number,
  ][];
  await c.env.DB.batch(
    set.map(([name, value]) =>
      c.env.DB.prepare(
        "INSERT INTO telemetry_config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).bind(KEYS[name], JSON.stringify(value)),
    ),
  );
  c.get("log").info("telemetry_config_updated", { keys: set.map(([name]) => KEYS[name]) });
  return c.json(await view(c.env.DB));
});
