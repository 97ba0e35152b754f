import { withD1Faults } from "../shared/db/faulty";
import { loadConfig } from "../shared/env";
import { createLogger } from "../shared/log";
import { consumeAdminJobs } from "./admin/job-queue";
import { createApp } from "./app";
import { consumeLeadEvents } from "./handoff/consumer";
import { consumeDeadLetters } from "./handoff/dead-letters";
import { yieldToLiveLeads } from "./handoff/live-first";
import { QUEUES } from "./queues";
import { consumeSlaTimers } from "./sla/consumer";
import { runScheduled } from "./telemetry/scheduled";

const app = createApp();

export default {
  fetch: app.fetch,

  async queue(batch: MessageBatch<unknown>, boundEnv: Env, ctx: ExecutionContext): Promise<void> {
    const env = withD1Faults(boundEnv); // test-only; without its local binding, boundEnv itself
    const config = loadConfig(env);
    const log = createLogger(
      { queue: batch.queue, batchSize: batch.messages.length },
      config.LOG_LEVEL,
    );
    if (batch.queue === QUEUES.leadEvents) return consumeLeadEvents(batch, env, ctx, log);
    // The same handoff, after live leads (live-first.ts); work it holds or sends again goes back
    // to the backfill lane, not live.
    if (batch.queue === QUEUES.leadBackfill) {
      const waitedMs = await yieldToLiveLeads(env.DB);
      if (waitedMs > 0) log.info("backfill_yielded", { waitedMs });
      return consumeLeadEvents(batch, { ...env, LEAD_EVENTS: env.LEAD_BACKFILL }, ctx, log);
    }
    if (batch.queue === QUEUES.deadLetters) return consumeDeadLetters(batch, env, log);
    if (batch.queue === QUEUES.adminJobs) return consumeAdminJobs(batch, env, log);
    if (batch.queue === QUEUES.leadSla) return consumeSlaTimers(batch, env, log);
    log.error("queue_unknown");
    batch.retryAll();
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const config = loadConfig(env);
    const log = createLogger({ cron: controller.cron }, config.LOG_LEVEL);
    await runScheduled(controller, env, ctx, log);
  },
} satisfies ExportedHandler<Env>;
