import { Hono } from "hono";
import { ConfigError, loadConfig } from "../shared/env";
import type { HonoEnv } from "../shared/hono-env";
import { VERSION } from "../shared/version";

type Check = { ok: boolean; ms: number; error?: string };

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    await probe();
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return {
      ok: false,
      ms: Date.now() - started,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/**
 * Public liveness: version, configuration and whether each binding answers. No secrets, no data.
 */
export const health = new Hono<HonoEnv>().get("/health", async (c) => {
  const env = c.env;
  let config: { ok: boolean; problems?: string[] } = { ok: true };
  try {
    loadConfig(env);
  } catch (err) {
    config = { ok: false, problems: err instanceof ConfigError ? err.problems : [String(err)] };
  }
  const [d1, kv] = await Promise.all([
    timed(() => env.DB.prepare("SELECT count(*) AS n FROM rules").first()),
    timed(() => env.KV.get("health:probe")),
  ]);
  // Queues are checked as bound, not by sending: a public probe must not be able to add work.
  const queue = (q: Queue | undefined): Check => ({ ok: typeof q?.send === "function", ms: 0 });
  const bindings = {
    DB: d1,
    KV: kv,
    LEAD_EVENTS: queue(env.LEAD_EVENTS),
    LEAD_EVENTS_DLQ: queue(env.LEAD_EVENTS_DLQ),
    LEAD_BACKFILL: queue(env.LEAD_BACKFILL),
    ADMIN_JOBS: queue(env.ADMIN_JOBS),
  };
  const ok = config.ok && Object.values(bindings).every((b) => b.ok);
  return c.json({ ok, service: "leadbridge", version: VERSION, config, bindings }, ok ? 200 : 503);
});
