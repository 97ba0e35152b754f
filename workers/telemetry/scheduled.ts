import type { Logger } from "../../shared/log";
import { HANDLED_CRONS } from "./schedule";

export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext, log: Logger) {
  if (!(HANDLED_CRONS as readonly string[]).includes(controller.cron)) {
    log.error("cron_unknown");
    return;
  }
  log.info("nightly_skipped", { reason: "telemetry not built yet" });
}
