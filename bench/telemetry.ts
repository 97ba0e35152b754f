import type { Stack } from "../sandbox/stack";
import type { LatestResults } from "./report";

/**
 * The nightly run's growth with ten times the history is not measured yet: it needs dated
 * Salesforce history (opportunities and stage changes spread over past days) in the sandbox,
 * which its API cannot backdate. Reported as null with the reason rather than made up.
 */
export async function measureTelemetry(stack: Stack): Promise<{ figures: LatestResults["telemetry"]; note: string }> {
  // A malformed date: the route (if any) refuses it without running anything.
  const res = await fetch(`${stack.workerUrl}/admin/telemetry/run?date=not-a-date`, { method: "POST", headers: { authorization: "Bearer sandbox-admin-token" } });
  const exists = res.status !== 404;
  return {
    figures: null,
    note: exists
      ? "POST /admin/telemetry/run exists, but seeding 1× and 10× dated history is not built yet; telemetry figures are null"
      : "POST /admin/telemetry/run is not in this Worker yet; telemetry figures are null",
  };
}
