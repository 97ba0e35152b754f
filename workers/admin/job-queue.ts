import { createClients } from "../../shared/clients";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { RetryableError } from "../../shared/retryable";
import { MAX_STEP_DELIVERIES } from "../queues";
import { JobStepMessageSchema, runBackfillStep } from "./backfill-step";
import { recordError } from "./job-store";

/** The admin-jobs consumer: one backfill step per message. */
export async function consumeAdminJobs(
  batch: MessageBatch<unknown>,
  env: Env,
  log: Logger,
): Promise<void> {
  const config = loadConfig(env);
  const hubspot = createClients(config, env).hubspot;
  for (const msg of batch.messages) {
    const parsed = JobStepMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      log.error("job_step_invalid", { messageId: msg.id });
      msg.ack();
      continue;
    }
    let failure: { message: string; retryable: boolean; delaySeconds: number } | undefined;
    try {
      await runBackfillStep(
        {
          env,
          hubspot,
          portalId: config.HUBSPOT_PORTAL_ID,
          log: log.child({ jobId: parsed.data.jobId }),
        },
        parsed.data,
      );
    } catch (err) {
      const retryable = err instanceof RetryableError;
      failure = {
        message: err instanceof Error ? err.message : String(err),
        retryable,
        delaySeconds: retryable ? err.delaySeconds : 0,
      };
    }
    if (!failure) {
      msg.ack();
      continue;
    }
    const giveUp = !failure.retryable || msg.attempts >= MAX_STEP_DELIVERIES;
    log.warn("backfill_step_failed", {
      jobId: parsed.data.jobId,
      retryable: failure.retryable,
      attempts: msg.attempts,
      giveUp,
    });
    await recordError(env.DB, parsed.data.jobId, failure.message, giveUp);
    if (giveUp) msg.ack();
    else msg.retry({ delaySeconds: Math.max(failure.delaySeconds, 2 ** msg.attempts) });
  }
}
