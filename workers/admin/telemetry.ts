import { Hono } from "hono";
import { createClients } from "../../shared/clients";
import { latestReportableDay, ReportDateSchema } from "../../shared/contracts/report";
import { readFunnelReport, readLatestFunnelReport } from "../../shared/db/reports";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { describeZodError } from "../../shared/zod-error";
import { runTelemetry } from "../telemetry/run";

/** Run the nightly telemetry for a date and read the funnel reports (mounted under /admin). */
export const telemetry = new Hono<HonoEnv>();

function dateParam(raw: string | undefined): string {
  const parsed = ReportDateSchema.safeParse(raw ?? "");
  if (!parsed.success)
    throw new HttpError(ErrorCode.BadRequest, describeZodError(parsed.error, "query.date"));
  return parsed.data;
}

telemetry.post("/telemetry/run", async (c) => {
  const date = dateParam(c.req.query("date"));
  const lastDay = latestReportableDay(Date.now());
  if (date > lastDay)
    throw new HttpError(
      ErrorCode.BadRequest,
      `query.date: ${date} is in the future; the latest day that can be reported is ${lastDay}`,
    );
  const config = c.get("config");
  const run = await runTelemetry(date, {
    db: c.env.DB,
    kv: c.env.KV,
    clients: createClients(config, c.env),
    budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
    disqualificationField: config.SALESFORCE_DISQUALIFICATION_FIELD,
    log: c.get("log").child({ job: "telemetry", date }),
  });
  return c.json(run);
});

telemetry.get("/reports/funnel/latest", async (c) => {
  const report = await readLatestFunnelReport(c.env.KV);
  if (!report)
    throw new HttpError(
      ErrorCode.NotFound,
      "No funnel report yet; POST /admin/telemetry/run?date=YYYY-MM-DD makes one",
    );
  return c.json(report);
});

telemetry.get("/reports/funnel", async (c) => {
  const date = dateParam(c.req.query("date"));
  const report = await readFunnelReport(c.env.DB, date);
  if (!report) throw new HttpError(ErrorCode.NotFound, `No funnel report for ${date}`);
  return c.json(report);
});
