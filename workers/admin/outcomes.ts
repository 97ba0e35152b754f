import { Hono } from "hono";
import { createClients } from "../../shared/clients";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { runOutcomeSync } from "../outcomes/run";

/** POST /admin/outcomes/run: the outcome sync now, answering what it pulled and wrote. */
export const outcomes = new Hono<HonoEnv>().post("/outcomes/run", async (c) => {
  const config = c.get("config");
  const run = await runOutcomeSync({
    db: c.env.DB,
    kv: c.env.KV,
    clients: createClients(config, c.env),
    budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
    disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
    log: c.get("log").child({ job: "outcomes" }),
  });
  if ("busy" in run)
    throw new HttpError(
      ErrorCode.Conflict,
      `An outcome sync is running now (the 5-minute cron or another admin run); try again when it ends, at the latest after ${new Date(run.heldUntil).toISOString()}`,
    );
  return c.json(run);
});
