import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  FUNNEL_LATEST_KEY,
  type FunnelReport,
  latestReportableDay,
  ReportSchema,
} from "../../shared/contracts/report";
import { admin } from "./admin-client";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utcDayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function reportRows(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM funnel_reports").first<{
    n: number;
  }>();
  return row!.n;
}

describe("latestReportableDay: today somewhere on Earth", () => {
  it("is today in UTC until 10:00 UTC and tomorrow from then on (UTC+14)", () => {
    const midnight = Date.parse("2026-12-02T00:00:00Z");
    expect(latestReportableDay(midnight)).toBe("2026-12-02");
    expect(latestReportableDay(midnight + 10 * HOUR - 1)).toBe("2026-12-02");
    expect(latestReportableDay(midnight + 10 * HOUR)).toBe("2026-12-03");
    expect(latestReportableDay(midnight + DAY - 1)).toBe("2026-12-03");
  });
});

describe("a report for a future day", () => {
  it.each(["9999-12-31", "2062-12-02"])(
    "is refused for %s, and nothing is written",
    async (day) => {
      const rowsBefore = await reportRows();
      const latestBefore = await env.KV.get(FUNNEL_LATEST_KEY);
      const res = await admin("POST", `/admin/telemetry/run?date=${day}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
      expect(res.body.error.message).toContain(`${day} is in the future`);
      expect(res.body.error.message).toContain(latestReportableDay(Date.now()));
      expect(await reportRows()).toBe(rowsBefore);
      expect(await env.KV.get(FUNNEL_LATEST_KEY)).toBe(latestBefore);
    },
  );

  it("is refused the day after the last reportable day, and that day itself is run", async () => {
    const last = latestReportableDay(Date.now());
    const dayAfter = utcDayOf(Date.parse(`${last}T00:00:00Z`) + DAY);
    expect((await admin("POST", `/admin/telemetry/run?date=${dayAfter}`)).status).toBe(400);
    const ok = await admin("POST", `/admin/telemetry/run?date=${last}`);
    expect(ok.status).toBe(200);
    expect(ok.body.report.date).toBe(last);
  });

  it("left in KV as the latest by an older version is replaced by the next run", async () => {
    const today = utcDayOf(Date.now());
    const ran = await admin("POST", `/admin/telemetry/run?date=${today}`);
    expect(ran.status).toBe(200);
    const pinned: FunnelReport = { ...(ran.body.report as FunnelReport), date: "2062-12-02" };
    await env.KV.put(FUNNEL_LATEST_KEY, JSON.stringify(ReportSchema.parse(pinned)));
    expect((await admin("GET", "/admin/reports/funnel/latest")).body.date).toBe("2062-12-02");

    expect((await admin("POST", `/admin/telemetry/run?date=${today}`)).status).toBe(200);
    expect((await admin("GET", "/admin/reports/funnel/latest")).body.date).toBe(today);
  });

  it("does not move a latest that is a real later day back to an older one", async () => {
    const today = utcDayOf(Date.now());
    const yesterday = utcDayOf(Date.now() - DAY);
    expect((await admin("POST", `/admin/telemetry/run?date=${today}`)).status).toBe(200);
    expect((await admin("POST", `/admin/telemetry/run?date=${yesterday}`)).status).toBe(200);
    expect((await admin("GET", "/admin/reports/funnel/latest")).body.date).toBe(today);
  });
});
