import {
  FUNNEL_LATEST_KEY,
  type FunnelReport,
  latestReportableDay,
  ReportSchema,
} from "../contracts/report";

/**
 * Stores a day's report in D1 history, and in KV as the latest unless a later day is already
 * there. A "latest" dated in the future (written before such days were refused) is replaced.
 */
export async function saveFunnelReport(
  db: D1Database,
  kv: KVNamespace,
  report: FunnelReport,
): Promise<void> {
  const json = JSON.stringify(ReportSchema.parse(report));
  await db
    .prepare(
      `INSERT INTO funnel_reports (day, generated_at, report) VALUES (?, ?, ?)
       ON CONFLICT (day) DO UPDATE SET generated_at = excluded.generated_at, report = excluded.report`,
    )
    .bind(report.date, report.generatedAt, json)
    .run();
  const latest = await readLatestFunnelReport(kv);
  const latestIsFuture =
    latest !== null && latest.date > latestReportableDay(Date.parse(report.generatedAt));
  if (!latest || latest.date <= report.date || latestIsFuture)
    await kv.put(FUNNEL_LATEST_KEY, json);
}

export async function readFunnelReport(db: D1Database, day: string): Promise<FunnelReport | null> {
  const row = await db
    .prepare("SELECT report FROM funnel_reports WHERE day = ?")
    .bind(day)
    .first<{ report: string }>();
  return row ? ReportSchema.parse(JSON.parse(row.report)) : null;
}

export async function readLatestFunnelReport(kv: KVNamespace): Promise<FunnelReport | null> {
  const raw = await kv.get(FUNNEL_LATEST_KEY, "json");
  if (raw === null) return null;
  const parsed = ReportSchema.safeParse(raw);
  // A report written under an older schema is treated as absent rather than served half-valid.
  return parsed.success ? parsed.data : null;
}
