import { JUDGEMENT_STEPS } from "../../shared/contracts/outcomes";
import { dayRange } from "../../shared/days";
import { readDailyCounters } from "../../shared/db/counters";
import { DEFAULT_STAGE_MAP, type StageMap, StageMapSchema } from "../../shared/sales-process";
import type { MetricRow } from "./facts";
import type { HandoffRow, JudgementRow, LeadDayInput } from "./lead-facts";
import {
  closedDayOf,
  closedDealFacts,
  type HistoryRow,
  type IsClosedStage,
  type JumpFinding,
  type OpportunityRow,
  pipelineFacts,
  stageJumpFindings,
  stageReachFacts,
} from "./sales-facts";
import { DEFAULT_STALE_AFTER_DAYS, MAX_STALE_AFTER_DAYS } from "./sales-half";

// D1 access of the nightly job: the mirror's derived columns and the per-day aggregates.

/** D1 allows 100 bound parameters per statement; IN lists stay under that. */
const CHUNK = 90;

export async function selectIn<T>(
  db: D1Database,
  sql: (placeholders: string) => string,
  values: string[],
  extra: unknown[] = [],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    const { results } = await db
      .prepare(sql(chunk.map(() => "?").join(",")))
      .bind(...extra, ...chunk)
      .all<T>();
    out.push(...results);
  }
  return out;
}

export interface TelemetrySettings {
  stageMap: StageMap;
  rampShare: number;
  /** Days a handed-off lead may wait for sales' first touch before it counts as stale. */
  staleAfterDays: number;
}

export async function readSettings(db: D1Database): Promise<TelemetrySettings> {
  const { results } = await db
    .prepare("SELECT key, value FROM telemetry_config")
    .all<{ key: string; value: string }>();
  const value = (key: string) => results.find((r) => r.key === key)?.value;
  const stageMap = value("stage_map");
  const share = Number(value("ramp_quota_share") ?? 0.8);
  return {
    stageMap: stageMap ? StageMapSchema.parse(JSON.parse(stageMap)) : DEFAULT_STAGE_MAP,
    rampShare: Number.isFinite(share) && share > 0 ? share : 0.8,
    staleAfterDays: staleAfterDays(value("stale_after_days")),
  };
}

function staleAfterDays(value: string | undefined): number {
  const days = Number(value ?? DEFAULT_STALE_AFTER_DAYS);
  return Number.isInteger(days) && days >= 1 && days <= MAX_STALE_AFTER_DAYS
    ? days
    : DEFAULT_STALE_AFTER_DAYS;
}

export async function readStages(db: D1Database) {
  const { results } = await db
    .prepare("SELECT name, is_closed, is_won, sort_order, is_active FROM sf_stages")
    .all<{
      name: string;
      is_closed: number;
      is_won: number;
      sort_order: number | null;
      is_active: number;
    }>();
  return results;
}

async function histories(db: D1Database, opportunityIds: string[]): Promise<HistoryRow[]> {
  const rows = await selectIn<HistoryRow>(
    db,
    (ids) =>
      `SELECT opportunity_id, stage_name, created_at FROM sf_opportunity_history WHERE opportunity_id IN (${ids})`,
    opportunityIds,
  );
  return rows.sort(
    (a, b) => a.created_at - b.created_at || a.opportunity_id.localeCompare(b.opportunity_id),
  );
}

function groupHistory(rows: HistoryRow[]): Map<string, HistoryRow[]> {
  const out = new Map<string, HistoryRow[]>();
  for (const row of rows)
    out.set(row.opportunity_id, [...(out.get(row.opportunity_id) ?? []), row]);
  return out;
}

/**
 * Works out the closing day of every touched opportunity; returns the days whose closings changed
 * (old and new).
 */
export async function refreshClosedDays(
  db: D1Database,
  touched: Set<string>,
  isClosed: IsClosedStage,
): Promise<Set<string>> {
  const ids = [...touched];
  const opps = await selectIn<OpportunityRow>(
    db,
    (p) => `SELECT * FROM sf_opportunities WHERE id IN (${p})`,
    ids,
  );
  const history = groupHistory(await histories(db, ids));
  const dirty = new Set<string>();
  const updates: D1PreparedStatement[] = [];
  for (const opp of opps) {
    const closedDay = closedDayOf(opp, history.get(opp.id) ?? [], isClosed);
    if (opp.closed_day) dirty.add(opp.closed_day);
    if (closedDay) dirty.add(closedDay);
    if (closedDay !== opp.closed_day)
      updates.push(
        db
          .prepare("UPDATE sf_opportunities SET closed_day = ? WHERE id = ?")
          .bind(closedDay, opp.id),
      );
  }
  for (let i = 0; i < updates.length; i += 100) await db.batch(updates.slice(i, i + 100));
  return dirty;
}

/** Rebuilds the sf.* aggregates and stage-jump findings of the given days from the mirror. */
export async function recomputeSalesDays(
  db: D1Database,
  days: Set<string>,
  map: StageMap,
  isClosed: IsClosedStage,
): Promise<void> {
  const list = [...days].sort();
  if (!list.length) return;
  const closed = await selectIn<OpportunityRow>(
    db,
    (p) => `SELECT * FROM sf_opportunities WHERE closed_day IN (${p})`,
    list,
  );
  const created = await selectIn<OpportunityRow>(
    db,
    (p) => `SELECT * FROM sf_opportunities WHERE created_day IN (${p})`,
    list,
  );
  const conversions = await selectIn<{ converted_day: string }>(
    db,
    (p) => `SELECT converted_day FROM sf_lead_conversions WHERE converted_day IN (${p})`,
    list,
  );
  const active = await selectIn<{ opportunity_id: string }>(
    db,
    (p) => `SELECT DISTINCT opportunity_id FROM sf_opportunity_history WHERE day IN (${p})`,
    list,
  );
  const historyIds = new Set([...closed.map((o) => o.id), ...active.map((r) => r.opportunity_id)]);
  const allHistory = await histories(db, [...historyIds]);
  const byOpp = groupHistory(allHistory);
  const activeIds = new Set(active.map((a) => a.opportunity_id));
  const activeHistory = allHistory.filter((h) => activeIds.has(h.opportunity_id));

  const inDays = (r: { day: string }) => days.has(r.day);
  const metrics = [
    ...closedDealFacts(
      closed.map((opp) => ({ opp, history: byOpp.get(opp.id) ?? [] })),
      isClosed,
    ),
    ...pipelineFacts(created, conversions),
    ...stageReachFacts(activeHistory, isClosed),
  ].filter(inDays);
  const findings = stageJumpFindings(activeHistory, map).findings.filter(inDays);
  const counted = [...metrics, ...jumpCounts(findings)];

  const statements: D1PreparedStatement[] = [];
  for (const day of list) {
    statements.push(
      db.prepare("DELETE FROM telemetry_daily WHERE day = ? AND metric LIKE 'sf.%'").bind(day),
    );
    statements.push(db.prepare("DELETE FROM stage_jump_findings WHERE day = ?").bind(day));
  }
  statements.push(...insertMetrics(db, counted), ...insertFindings(db, findings));
  for (let i = 0; i < statements.length; i += 100) await db.batch(statements.slice(i, i + 100));
}

function jumpCounts(findings: JumpFinding[]): MetricRow[] {
  const perDay = new Map<string, number>();
  for (const f of findings) perDay.set(f.day, (perDay.get(f.day) ?? 0) + 1);
  return [...perDay].map(([day, value]) => ({ day, metric: "sf.illegal_jumps", dim: "", value }));
}

/**
 * Upserts rather than INSERT OR REPLACE: a replace deletes without firing the running totals'
 * trigger.
 */
export function insertMetrics(db: D1Database, rows: MetricRow[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += 24) {
    const chunk = rows.slice(i, i + 24);
    out.push(
      db
        .prepare(
          `INSERT INTO telemetry_daily (day, metric, dim, value) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}
           ON CONFLICT (day, metric, dim) DO UPDATE SET value = excluded.value`,
        )
        .bind(...chunk.flatMap((r) => [r.day, r.metric, r.dim, r.value])),
    );
  }
  return out;
}

function insertFindings(db: D1Database, rows: JumpFinding[]): D1PreparedStatement[] {
  return rows.map((f) =>
    db
      .prepare(
        "INSERT OR REPLACE INTO stage_jump_findings (day, opportunity_id, at, from_stage, to_stage, reason) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .bind(f.day, f.opportunity_id, f.at, f.from_stage, f.to_stage, f.reason),
  );
}

/** What leadFacts needs for one day, read through the audit and lead indexes on time. */
export async function readLeadDay(db: D1Database, day: string): Promise<LeadDayInput> {
  const { start, end } = dayRange(day);
  const [judgements, handoffs, fresh, counters] = await Promise.all([
    db
      .prepare(
        `SELECT contact_id, step, detail FROM audit WHERE at >= ? AND at < ? AND step IN (${JUDGEMENT_STEPS.map(() => "?").join(", ")}) ORDER BY at, id`,
      )
      .bind(start, end, ...JUDGEMENT_STEPS)
      .all<JudgementRow>(),
    db
      .prepare(
        "SELECT first_event_at, handed_off_at, handoff_origin FROM leads WHERE handed_off_at >= ? AND handed_off_at < ?",
      )
      .bind(start, end)
      .all<HandoffRow>(),
    db
      .prepare("SELECT source FROM leads WHERE first_event_at >= ? AND first_event_at < ?")
      .bind(start, end)
      .all<{ source: string | null }>(),
    readDailyCounters(db, day),
  ]);
  const contacts = [...new Set(judgements.results.map((j) => j.contact_id))];
  const sources = await selectIn<{ contact_id: string; source: string | null }>(
    db,
    (p) => `SELECT contact_id, source FROM leads WHERE contact_id IN (${p})`,
    contacts,
  );
  return {
    day,
    webhookEvents: counters.webhook_events ?? 0,
    judgements: judgements.results,
    sourceOf: new Map(sources.map((s) => [s.contact_id, s.source])),
    handoffs: handoffs.results,
    newLeadSources: fresh.results.map((r) => r.source),
  };
}

export async function replaceLeadDay(
  db: D1Database,
  day: string,
  rows: MetricRow[],
): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM telemetry_daily WHERE day = ? AND metric LIKE 'lead.%'").bind(day),
    ...insertMetrics(db, rows),
  ]);
}

/** Days among `days` that already have their lead aggregates. */
export async function leadDaysDone(db: D1Database, days: string[]): Promise<Set<string>> {
  const rows = await selectIn<{ day: string }>(
    db,
    (p) => `SELECT day FROM telemetry_daily WHERE metric = 'lead.judged' AND day IN (${p})`,
    days,
  );
  return new Set(rows.map((r) => r.day));
}
