import type { Hono } from "hono";
import { API, type SfApp, type SfEnv } from "../http";
import type { SandboxState } from "../state";

// Discovery resources: the versions list, a version's resources, and org limits.

export const MIN_VERSION = 20;
export const MAX_VERSION = 64;

/** Release names run Winter, Spring, Summer; v62.0 is Winter '25. */
function releaseLabel(version: number): string {
  const k = version - 62;
  const season = ["Winter", "Spring", "Summer"][((k % 3) + 3) % 3]!;
  return `${season} '${25 + Math.floor(k / 3)}`;
}

export function versionsRoute(app: Hono<SfEnv>): void {
  app.get("/services/data", (c) =>
    c.json(
      Array.from({ length: MAX_VERSION - MIN_VERSION + 1 }, (_, i) => {
        const v = MIN_VERSION + i;
        return { label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` };
      }),
    ),
  );
}

export function isSupportedVersion(version: string): boolean {
  const match = /^v(\d+)\.0$/.exec(version);
  const n = match ? Number(match[1]) : NaN;
  return n >= MIN_VERSION && n <= MAX_VERSION;
}

export function metaRoutes(app: SfApp, state: SandboxState): void {
  app.get(`${API}`, (c) => {
    const base = `/services/data/${c.get("version")}`;
    const names = [
      "sobjects",
      "query",
      "queryAll",
      "limits",
      "composite",
      "search",
      "recent",
      "tooling",
      "metadata",
      "analytics",
    ];
    return c.json(Object.fromEntries(names.map((n) => [n, `${base}/${n}`])));
  });

  app.get(`${API}/limits`, (c) => {
    const { max, used } = state.usage;
    const pair = (Max: number, Remaining: number) => ({ Max, Remaining });
    return c.json({
      ConcurrentAsyncGetReportInstances: pair(200, 200),
      DailyApiRequests: pair(max, Math.max(0, max - used)),
      DailyAsyncApexExecutions: pair(250_000, 250_000),
      DailyBulkApiBatches: pair(15_000, 15_000),
      DailyBulkV2QueryJobs: pair(10_000, 10_000),
      DataStorageMB: pair(1_024, 1_000),
      FileStorageMB: pair(1_024, 1_024),
      HourlyODataCallout: pair(20_000, 20_000),
      SingleEmail: pair(5_000, 5_000),
    });
  });
}
