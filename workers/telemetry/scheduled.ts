import { createClients } from "../../shared/clients";
import { addDays, utcDay } from "../../shared/days";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { pruneHandledState } from "./prune";
import { runTelemetry } from "./run";
import { HANDLED_CRONS, NIGHTLY_CRON } from "./schedule";

/** The nightly cron reports on the previous UTC day, which has closed by the time it fires. */
export function reportDayFor(scheduledTime: number): string {
  return addDays(utcDay(scheduledTime), -1);
}

export async function runScheduled(
  controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
  log: Logger,
) {
  if (!(HANDLED_CRONS as readonly string[]).includes(controller.cron)) {
    log.error("cron_unknown");
    return;
  }
  if (controller.cron === NIGHTLY_CRON) {
    const config = loadConfig(env);
    const date = reportDayFor(controller.scheduledTime);
    await runTelemetry(date, {
      db: env.DB,
      kv: env.KV,
      clients: createClients(config, env),
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      log: log.child({ job: "telemetry", date }),
    });
    await pruneHandledState(env.DB, controller.scheduledTime, log.child({ job: "prune" }));
  }
}
