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
  ];
  for (const [name, ok] of checks) if (!ok) empty.push(name);
  return empty;
}
