import { MAX_STALE_AFTER_DAYS } from "../../shared/contracts/admin";
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
import { DEFAULT_STALE_AFTER_DAYS } from "./sales-half";
import { insertRows, ROWS_PER_STATEMENT } from "./sf-records";

// D1 access of the nightly job: the mirror's derived columns and the per-day aggregates.

/**
 * Keys per query: they travel as one JSON parameter read back with json_each (D1 allows 100 bound
 * parameters per statement, and 1,000 queries per invocation), far below D1's 2 MB value limit.
 */
const KEYS_PER_QUERY = 10_000;

/** Rows whose key is among `values`; `sql` gets the key list to put after IN. */
export async function selectIn<T>(
  db: D1Database,
  sql: (keys: string) => string,
  values: string[],
  extra: unknown[] = [],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += KEYS_PER_QUERY) {
    const { results } = await db
      .prepare(sql("SELECT value FROM json_each(?)"))
      .bind(...extra, JSON.stringify(values.slice(i, i + KEYS_PER_QUERY)))
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

/** Where each setting lives in telemetry_config, a JSON value per key (docs/report.md#settings). */
const SETTING_KEYS = {
  stageMap: "stage_map",
  rampShare: "ramp_quota_share",
  staleAfterDays: "stale_after_days",
} as const satisfies Record<keyof TelemetrySettings, string>;
const DEFAULT_RAMP_SHARE = 0.8;

export async function readSettings(db: D1Database): Promise<TelemetrySettings> {
  const { results } = await db
    .prepare("SELECT key, value FROM telemetry_config")
    .all<{ key: string; value: string }>();
  const value = (name: keyof TelemetrySettings) =>
    results.find((r) => r.key === SETTING_KEYS[name])?.value;
  const stageMap = value("stageMap");
  const share = Number(value("rampShare") ?? DEFAULT_RAMP_SHARE);
  return {
    stageMap: stageMap ? StageMapSchema.parse(JSON.parse(stageMap)) : DEFAULT_STAGE_MAP,
    rampShare: Number.isFinite(share) && share > 0 ? share : DEFAULT_RAMP_SHARE,
    staleAfterDays: staleAfterDays(value("staleAfterDays")),
  };
}

/** Writes the settings given in one batch; answers the telemetry_config keys written. */
export async function writeSettings(
  db: D1Database,
  settings: Partial<TelemetrySettings>,
): Promise<string[]> {
  const set = (Object.keys(SETTING_KEYS) as (keyof TelemetrySettings)[]).filter(
    (name) => settings[name] !== undefined,
  );
  if (set.length)
    await db.batch(
      set.map((name) =>
        db
          .prepare(
            "INSERT INTO telemetry_config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          )
          .bind(SETTING_KEYS[name], JSON.stringify(settings[name])),
      ),
    );
  return set.map((name) => SETTING_KEYS[name]);
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
  const updates: [id: string, closedDay: string | null][] = [];
  for (const opp of opps) {
    const closedDay = closedDayOf(opp, history.get(opp.id) ?? [], isClosed);
    if (opp.closed_day) dirty.add(opp.closed_day);
    if (closedDay) dirty.add(closedDay);
    if (closedDay !== opp.closed_day) updates.push([opp.id, closedDay]);
  }
  if (updates.length) await db.batch(setClosedDays(db, updates));
  return dirty;
}

/** Sets the closing days, ROWS_PER_STATEMENT opportunities to a statement. */
function setClosedDays(
  db: D1Database,
  updates: [id: string, closedDay: string | null][],
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < updates.length; i += ROWS_PER_STATEMENT)
    out.push(
      db
        .prepare(
          `UPDATE sf_opportunities SET closed_day = json_extract(u.value, '$[1]')
           FROM json_each(?) AS u WHERE sf_opportunities.id = json_extract(u.value, '$[0]')`,
        )
        .bind(JSON.stringify(updates.slice(i, i + ROWS_PER_STATEMENT))),
    );
  return out;
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
  return insertRows(
    db,
    (select) =>
      `INSERT OR REPLACE INTO stage_jump_findings (day, opportunity_id, at, from_stage, to_stage, reason) ${select}`,
    rows.map((f) => [f.day, f.opportunity_id, f.at, f.from_stage, f.to_stage, f.reason]),
  );
}

/**
 * Rows per page of a day's reads: a day of 100,000 judged contacts is read in tens of queries, each
 * result well under a megabyte (see docs/report.md, "One invocation's budget").
 */
export const DAY_PAGE_ROWS = 5_000;

/**
 * Every row of a keyset-paged query. `sql` orders by (t, r) and reads after `?1`/`?2` (the last
 * row's t and r) with `LIMIT ?3`; `params` follow as ?4…
 */
export async function readPaged<T extends { t: number; r: number }>(
  db: D1Database,
  sql: string,
  from: number,
  params: unknown[],
): Promise<T[]> {
  const out: T[] = [];
  let after = { t: from, r: -1 };
  for (;;) {
    const { results } = await db
      .prepare(sql)
      .bind(after.t, after.r, DAY_PAGE_ROWS, ...params)
      .all<T>();
    out.push(...results);
    if (results.length < DAY_PAGE_ROWS) return out;
    after = results[results.length - 1]!;
  }
}

const JUDGEMENTS_PAGE_SQL = `SELECT a.at AS t, a.id AS r, a.contact_id, a.step,
    CASE WHEN a.step = 'refused' THEN a.detail
      ELSE json_object('rulesVersion', json_extract(a.detail, '$.rulesVersion')) END AS detail,
    l.source
  FROM audit a LEFT JOIN leads l ON l.contact_id = a.contact_id
  WHERE a.at >= ?1 AND a.at < ?4 AND (a.at > ?1 OR a.id > ?2)
    AND a.step IN (${JUDGEMENT_STEPS.map((_, i) => `?${i + 5}`).join(", ")})
  ORDER BY a.at, a.id LIMIT ?3`;

const HANDOFFS_PAGE_SQL = `SELECT handed_off_at AS t, rowid AS r, first_event_at, handed_off_at, handoff_origin
  FROM leads WHERE handed_off_at >= ?1 AND handed_off_at < ?4 AND (handed_off_at > ?1 OR rowid > ?2)
  ORDER BY handed_off_at, rowid LIMIT ?3`;

/** Counted sources spelled out again as a list, the shape leadFacts and salesDayFacts take. */
export function sourceList(rows: { source: string | null; n: number }[]): (string | null)[] {
  return rows.flatMap((r) => Array<string | null>(r.n).fill(r.source));
}

/**
 * What leadFacts needs for one day, read through the audit and lead indexes on time, a page at a
 * time; the judged contacts' sources come with their verdicts.
 */
export async function readLeadDay(db: D1Database, day: string): Promise<LeadDayInput> {
  const { start, end } = dayRange(day);
  const judgements = await readPaged<
    JudgementRow & { t: number; r: number; source: string | null }
  >(db, JUDGEMENTS_PAGE_SQL, start, [end, ...JUDGEMENT_STEPS]);
  const handoffs = await readPaged<HandoffRow & { t: number; r: number }>(
    db,
    HANDOFFS_PAGE_SQL,
    start,
    [end],
  );
  const [fresh, counters] = await Promise.all([
    db
      .prepare(
        "SELECT source, count(*) AS n FROM leads WHERE first_event_at >= ? AND first_event_at < ? GROUP BY source",
      )
      .bind(start, end)
      .all<{ source: string | null; n: number }>(),
    readDailyCounters(db, day),
  ]);
  return {
    day,
    webhookEvents: counters.webhook_events ?? 0,
    judgements: judgements.map(({ contact_id, step, detail }) => ({ contact_id, step, detail })),
    sourceOf: new Map(judgements.map((j) => [j.contact_id, j.source])),
    handoffs: handoffs.map(({ first_event_at, handed_off_at, handoff_origin }) => ({
      first_event_at,
      handed_off_at,
      handoff_origin,
    })),
    newLeadSources: sourceList(fresh.results),
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
