import { createClients } from "../../shared/clients";
import { addDays, utcDay } from "../../shared/days";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { runOutcomeSync } from "../outcomes/run";
import { pruneHandledState } from "./prune";
import { runTelemetry } from "./run";
import { HANDLED_CRONS, NIGHTLY_CRON, OUTCOME_SYNC_CRON } from "./schedule";

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
  const config = loadConfig(env);
  if (controller.cron === NIGHTLY_CRON) {
    const date = reportDayFor(controller.scheduledTime);
    // The prune runs whatever became of the report (Salesforce down, a bad day): retention must
    // not wait for telemetry. The first failure is thrown once both have run, so the cron shows it.
    const failures: unknown[] = [];
    try {
      await runTelemetry(date, {
        db: env.DB,
        kv: env.KV,
        clients: createClients(config, env),
        budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
        disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
        log: log.child({ job: "telemetry", date }),
      });
    } catch (err) {
      failures.push(err);
    }
    try {
      await pruneHandledState(env.DB, controller.scheduledTime, log.child({ job: "prune" }));
    } catch (err) {
      failures.push(err);
    }
    if (failures.length) throw failures[0];
  }
  if (controller.cron === OUTCOME_SYNC_CRON) {
    // A run still going when the next cron fires holds the lease: the new one finds it busy.
    await runOutcomeSync({
      db: env.DB,
      kv: env.KV,
      clients: createClients(config, env),
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
      log: log.child({ job: "outcomes" }),
    });
  }
}
