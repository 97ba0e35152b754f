import { utcDay } from "../../shared/days";
import { checkTransition, type StageMap } from "../../shared/sales-process";
import { MetricBag, type MetricRow, normalizeSource } from "./facts";

export interface OpportunityRow {
  id: string;
  owner_id: string | null;
  stage_name: string;
  amount: number | null;
  lead_source: string | null;
  is_closed: number;
  is_won: number;
  created_day: string;
  closed_day: string | null;
}

export interface HistoryRow {
  opportunity_id: string;
  stage_name: string;
  created_at: number;
}

export interface JumpFinding {
  day: string;
  opportunity_id: string;
  at: string;
  from_stage: string;
  to_stage: string;
  reason: string;
}

/**
 * Whether a stage name is closed: Salesforce's OpportunityStage says so, the stage map is the
 * fallback.
 */
export type IsClosedStage = (stageName: string) => boolean;

export function closedStageTest(
  stages: { name: string; is_closed: number }[],
  map: StageMap,
): IsClosedStage {
  const closed = new Map(stages.map((s) => [s.name, s.is_closed === 1]));
  return (name) => closed.get(name) ?? (map[name] === "ClosedWon" || map[name] === "ClosedLost");
}

/**
 * The day a closed deal entered its final closed stage: the first row of the last closed run of its
 * history.
 */
export function closedDayOf(
  opp: Pick<OpportunityRow, "is_closed" | "created_day">,
  history: HistoryRow[],
  isClosed: IsClosedStage,
): string | null {
  if (!opp.is_closed) return null;
  let at: number | null = null;
  for (const row of history) {
    if (!isClosed(row.stage_name)) at = null;
    else if (at === null) at = row.created_at;
  }
  return at === null ? opp.created_day : utcDay(at);
}

/** Open stages a deal passed through, in order, without repeats. */
function openStagesReached(history: HistoryRow[], isClosed: IsClosedStage): string[] {
  const seen: string[] = [];
  for (const row of history)
    if (!isClosed(row.stage_name) && !seen.includes(row.stage_name)) seen.push(row.stage_name);
  return seen;
}

/**
 * Facts of deals on the day they closed: which stages they had reached (win rate by stage),
 * where lost ones stopped, amounts won per owner, wins and closings per lead source.
 */
export function closedDealFacts(
  deals: { opp: OpportunityRow; history: HistoryRow[] }[],
  isClosed: IsClosedStage,
): MetricRow[] {
  const bag = new MetricBag();
  for (const { opp, history } of deals) {
    const day = opp.closed_day;
    if (!day || !opp.is_closed) continue;
    const won = opp.is_won === 1;
    const source = normalizeSource(opp.lead_source);
    const reached = openStagesReached(history, isClosed);
    for (const stage of reached) {
      bag.add(day, "sf.stage_closed", stage);
      if (won) bag.add(day, "sf.stage_won", stage);
    }
    bag.add(day, "sf.opps_closed", source);
    if (won) {
      bag.add(day, "sf.won", "");
      bag.add(day, "sf.opps_won", source);
      bag.add(day, "sf.won_amount", opp.owner_id ?? "", opp.amount ?? 0);
    } else {
      bag.add(day, "sf.lost", "");
      const lastOpen = [...history].reverse().find((h) => !isClosed(h.stage_name));
      bag.add(day, "sf.lost_at", lastOpen?.stage_name ?? "(none)");
    }
  }
  return bag.list();
}

/** Opportunities created per lead source and leads converted, on their days. */
export function pipelineFacts(
  created: OpportunityRow[],
  conversions: { converted_day: string }[],
): MetricRow[] {
  const bag = new MetricBag();
  for (const opp of created)
    bag.add(opp.created_day, "sf.opps_created", normalizeSource(opp.lead_source));
  for (const c of conversions) bag.add(c.converted_day, "sf.converted", "");
  return bag.list();
}

/** Every deal, open or closed, on the first day it reached each open stage. */
export function stageReachFacts(history: HistoryRow[], isClosed: IsClosedStage): MetricRow[] {
  const bag = new MetricBag();
  const first = new Map<string, number>();
  for (const row of history) {
    if (isClosed(row.stage_name)) continue;
    const key = `${row.opportunity_id}\u0000${row.stage_name}`;
    const at = first.get(key);
    if (at === undefined || row.created_at < at) first.set(key, row.created_at);
  }
  for (const [key, at] of first) bag.add(utcDay(at), "sf.stage_reached", key.split("\u0000")[1]!);
  return bag.list();
}

/**
 * Stage changes that are not one step of the sales process, dated by the change. History rows
 * that only changed amount or date repeat the stage and are skipped; unmapped stages are reported
 * apart.
 */
export function stageJumpFindings(
  history: HistoryRow[],
  map: StageMap,
): { findings: JumpFinding[]; unmapped: Set<string> } {
  const findings: JumpFinding[] = [];
  const unmapped = new Set<string>();
  const byOpp = new Map<string, HistoryRow[]>();
  for (const row of history) {
    if (!(row.stage_name in map)) unmapped.add(row.stage_name);
    const rows = byOpp.get(row.opportunity_id) ?? [];
    rows.push(row);
    byOpp.set(row.opportunity_id, rows);
  }
  for (const [opportunityId, rows] of byOpp) {
    rows.sort((a, b) => a.created_at - b.created_at);
    for (let i = 1; i < rows.length; i++) {
      const from = rows[i - 1]!.stage_name;
      const to = rows[i]!.stage_name;
      const fromState = map[from];
      const toState = map[to];
      if (from === to || !fromState || !toState) continue;
      const check = checkTransition(fromState, toState);
      if (check.legal) continue;
      const at = rows[i]!.created_at;
      findings.push({
        day: utcDay(at),
        opportunity_id: opportunityId,
        at: new Date(at).toISOString(),
        from_stage: from,
        to_stage: to,
        reason: check.reason,
      });
    }
  }
  return { findings, unmapped };
}
