import { Hono } from "hono";
import { JobIdParamSchema } from "../../shared/contracts/admin";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import type { JobStepMessage } from "./backfill-step";
import { getJob, type JobRow, progress, runningJob, toJobView, transition } from "./job-store";
import { readParams } from "./validate";

/**
 * GET /admin/jobs, GET /admin/jobs/:id, POST /admin/jobs/:id/cancel, POST /admin/jobs/:id/resume.
 */
export const jobs = new Hono<HonoEnv>();

const view = async (db: D1Database, row: JobRow) => toJobView(row, await progress(db, row.id));

async function existing(db: D1Database, id: string): Promise<JobRow> {
  const job = await getJob(db, id);
  if (!job) throw new HttpError(ErrorCode.NotFound, `No job ${id}`);
  return job;
}

jobs.get("/jobs", async (c) => {
  const { results } = await c.env.DB.prepare(
    "SELECT * FROM jobs ORDER BY created_at DESC LIMIT 50",
  ).all<JobRow>();
  return c.json({ jobs: await Promise.all(results.map((row) => view(c.env.DB, row))) });
});

jobs.get("/jobs/:id", async (c) => {
  const { id } = readParams(c, JobIdParamSchema);
  return c.json(await view(c.env.DB, await existing(c.env.DB, id)));
});

jobs.post("/jobs/:id/cancel", async (c) => {
  const { id } = readParams(c, JobIdParamSchema);
  const job = await existing(c.env.DB, id);
  const cancelled = await transition(c.env.DB, id, ["running"], "cancelled");
  if (!cancelled)
    throw new HttpError(
      ErrorCode.Conflict,
      `Job ${id} is ${job.state}; only a running job can be cancelled`,
    );
  c.get("log").info("job_cancelled", { jobId: id });
  return c.json(await view(c.env.DB, cancelled));
});

jobs.post("/jobs/:id/resume", async (c) => {
  const { id } = readParams(c, JobIdParamSchema);
  const job = await existing(c.env.DB, id);
  const running = await runningJob(c.env.DB);
  if (running && running.id !== id)
    throw new HttpError(ErrorCode.Conflict, `Backfill ${running.id} is running; one at a time`);
  const resumed = await transition(c.env.DB, id, ["cancelled", "failed"], "running");
  if (!resumed)
    throw new HttpError(
      ErrorCode.Conflict,
      `Job ${id} is ${job.state}; only a cancelled or failed job can be resumed`,
    );
  await c.env.ADMIN_JOBS.send({ jobId: id, step: resumed.step } satisfies JobStepMessage, {
    contentType: "json",
  });
  c.get("log").info("job_resumed", { jobId: id });
  return c.json(await view(c.env.DB, resumed));
});
