import { withD1Faults } from "../shared/db/faulty";
import { loadConfig } from "../shared/env";
import { createLogger } from "../shared/log";
import { createHttpApp } from "./http-app";
import { QUEUES } from "./queues";

// Only what a webhook or a health check runs is loaded when the Worker starts; the admin routes
// and each consumer load on their first request or batch (bench/README.md, Startup).
const app = createHttpApp();
let withAdmin: ReturnType<typeof createHttpApp> | undefined;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // Whatever starts with /admin goes to the whole surface, which answers it as it always has.
    if (!new URL(request.url).pathname.startsWith("/admin")) return app.fetch(request, env, ctx);
    withAdmin ??= (await import("./app")).createApp();
    return withAdmin.fetch(request, env, ctx);
  },

  async queue(batch: MessageBatch<unknown>, boundEnv: Env, ctx: ExecutionContext): Promise<void> {
    const env = withD1Faults(boundEnv); // test-only; without its local binding, boundEnv itself
    const config = loadConfig(env);
    const log = createLogger(
      { queue: batch.queue, batchSize: batch.messages.length },
      config.LOG_LEVEL,
    );
    if (batch.queue === QUEUES.leadEvents)
      return (await import("./handoff/consumer")).consumeLeadEvents(batch, env, ctx, log);
    // The same handoff, after live leads (live-first.ts); work it holds or sends again goes back
    // to the backfill lane, not live.
    if (batch.queue === QUEUES.leadBackfill) {
      const [{ consumeLeadEvents }, { yieldToLiveLeads }] = await Promise.all([
        import("./handoff/consumer"),
        import("./handoff/live-first"),
      ]);
      const waitedMs = await yieldToLiveLeads(env.DB);
      if (waitedMs > 0) log.info("backfill_yielded", { waitedMs });
      return consumeLeadEvents(batch, { ...env, LEAD_EVENTS: env.LEAD_BACKFILL }, ctx, log);
    }
    if (batch.queue === QUEUES.deadLetters)
      return (await import("./handoff/dead-letters")).consumeDeadLetters(batch, env, log);
    if (batch.queue === QUEUES.adminJobs)
      return (await import("./admin/job-queue")).consumeAdminJobs(batch, env, log);
    if (batch.queue === QUEUES.leadSla)
      return (await import("./sla/consumer")).consumeSlaTimers(batch, env, log);
    log.error("queue_unknown");
    batch.retryAll();
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    const config = loadConfig(env);
    const log = createLogger({ cron: controller.cron }, config.LOG_LEVEL);
    await (await import("./telemetry/scheduled")).runScheduled(controller, env, ctx, log);
  },
} satisfies ExportedHandler<Env>;
