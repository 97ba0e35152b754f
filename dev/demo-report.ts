import { duration } from "../cli/routing-report";
import type { FunnelReport } from "../shared/contracts/report";

/**
 * The fields of a report that carry nothing (zeros, nulls, empty lists): what the demo must fill.
 */
export function emptyFields(r: FunnelReport): string[] {
  const empty: string[] = [];
  for (const [name, value] of Object.entries(r.funnel))
    if (!(value > 0)) empty.push(`funnel.${name}`);
  const checks: [string, boolean][] = [
    ["acceptanceRate", r.acceptanceRate !== null && r.acceptanceRate > 0 && r.acceptanceRate < 1],
    ["rejectionReasons", r.rejectionReasons.some((x) => x.count > 0)],
    ["rejectionRateBySource", r.rejectionRateBySource.some((x) => x.judged > 0)],
    ["speedToLead", r.speedToLead.count > 0 && r.speedToLead.p95Ms !== null],
    ["winRateByStage", r.winRateByStage.some((x) => x.reached > 0 && x.winRate !== null)],
    ["lostAtStage", r.lostAtStage.some((x) => x.lost > 0)],
    ["contentUsage.leads", r.contentUsage.some((x) => x.leads > 0)],
    ["contentUsage.wins", r.contentUsage.some((x) => x.wins > 0)],
    [
      "quotaAttainment",
      r.quotaAttainment.some((x) => x.closedWonAmount > 0 && x.attainment !== null),
    ],
    ["timeToRamp", r.timeToRamp.some((x) => x.daysToRamp !== null)],
    ["alerts", r.alerts.length > 0],
    ["dataQuality.illegalStageJumps", r.dataQuality.illegalStageJumps > 0],
    ["sales.acceptanceRate", (r.sales?.acceptanceRate ?? 0) > 0],
    ["sales.rejectionReasons", (r.sales?.rejectionReasons ?? []).some((x) => x.count > 0)],
    ["sales.bySource.won", (r.sales?.bySource ?? []).some((x) => x.won > 0)],
    ["sales.timeToFirstTouch", (r.sales?.timeToFirstTouch.count ?? 0) > 0],
    // Present, zeros allowed: Leads get owners only once the handoff assigns them, and an SLA
    // breach takes longer than the demo.
    ["routing", r.routing !== undefined],
  ];
  for (const [name, ok] of checks) if (!ok) empty.push(name);
  return empty;
}

const pct = (x: number | null) => (x === null ? "n/a" : `${Math.round(x * 100)}%`);

/** The demo summary's `sales` line: what sales did with the leads handed off. */
export function salesLine(r: FunnelReport): string {
  const s = r.sales;
  if (!s) return "  sales         not in this report";
  const reasons = s.rejectionReasons
    .map((x) => `${x.reason || "no reason given"} ${x.count}`)
    .join(", ");
  const sources = s.bySource
    .map((x) => `${x.source} ${x.handedOff}→${x.opportunities}→${x.won}`)
    .join(", ");
  const touch = s.timeToFirstTouch;
  return [
    `  sales         acceptance ${pct(s.acceptanceRate)} (${s.accepted} of ${s.handedOff} handed off since ${s.from})`,
    `refused ${s.rejected}${reasons ? ` (${reasons})` : ""}`,
    `handed off→opportunity→won ${sources || "none"}`,
    `first touch p50 ${duration(touch.p50Ms)}, p95 ${duration(touch.p95Ms)} over ${touch.count}`,
    `stale ${s.staleMqls.count} (untouched over ${s.staleMqls.afterDays} d)`,
  ].join("; ");
}
