import { Hono } from "hono";
import { BackfillRequestSchema } from "../../shared/contracts/admin";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import type { JobStepMessage } from "./backfill-step";
import { createJob, progress, runningJob, toJobView } from "./job-store";
import { readJson } from "./validate";

/**
 * POST /admin/backfill: a resumable job walking HubSpot contacts in a time range into the
 * handoff. One backfill runs at a time, so together they stay within HubSpot's search limit.
 */
export const backfill = new Hono<HonoEnv>().post("/backfill", async (c) => {
  const body = await readJson(c, BackfillRequestSchema);
  const running = await runningJob(c.env.DB);
  if (running)
    throw new HttpError(
      ErrorCode.Conflict,
      `Backfill ${running.id} is still running; cancel it or wait for it to finish`,
    );
  const job = await createJob(c.env.DB, {
    since: new Date(body.since).toISOString(),
    until: new Date(body.until ?? Date.now()).toISOString(),
    dryRun: body.dryRun,
    property: body.property,
    pageSize: body.pageSize,
  });
  await c.env.ADMIN_JOBS.send({ jobId: job.id, step: job.step } satisfies JobStepMessage, {
    contentType: "json",
  });
  c.get("log").info("backfill_started", { jobId: job.id, dryRun: body.dryRun });
  return c.json(toJobView(job, await progress(c.env.DB, job.id)), 202);
});
