import type { z } from "zod";
import type {
  FeatureRequest,
  Requirement,
  RequirementStatus,
  RequirementUpdateSchema,
} from "../contracts/requirements";

// The requirement pool in D1 (migration 0024): requirements, their requests (each in at most one),
// and the ranking by RICE with the money behind each requirement.

interface RequirementRow {
  id: number;
  title: string;
  status: RequirementStatus;
  impact: number | null;
  confidence: number | null;
  effort: number | null;
  shipped_at: number | null;
  reach: number;
  requests: number;
  open_amount: number;
  lost_amount: number;
  score: number | null;
}

/**
 * Reach, requests and money per requirement, then RICE. An opportunity two requests share counts
 * once; a won deal is no longer at stake. Every join is by key (see test/workers/requirements).
 */
export const RANKING_SQL = `
WITH members AS (
  SELECT rr.requirement_id, fr.account_id, fr.opportunity_id
  FROM requirement_requests rr JOIN feature_requests fr ON fr.id = rr.request_id
  WHERE ?1 IS NULL OR rr.requirement_id = ?1
),
reach AS (
  SELECT requirement_id, COUNT(DISTINCT account_id) AS reach, COUNT(*) AS requests
  FROM members GROUP BY requirement_id
),
money AS (
  SELECT d.requirement_id,
    TOTAL(CASE WHEN o.is_closed = 0 THEN o.amount END) AS open_amount,
    TOTAL(CASE WHEN o.is_closed = 1 AND o.is_won = 0 THEN o.amount END) AS lost_amount
  FROM (SELECT DISTINCT requirement_id, opportunity_id FROM members WHERE opportunity_id IS NOT NULL) d
  JOIN sf_opportunities o ON o.id = d.opportunity_id
  GROUP BY d.requirement_id
)
SELECT r.id, r.title, r.status, r.impact, r.confidence, r.effort, r.shipped_at,
  COALESCE(reach.reach, 0) AS reach, COALESCE(reach.requests, 0) AS requests,
  COALESCE(money.open_amount, 0) AS open_amount, COALESCE(money.lost_amount, 0) AS lost_amount,
  COALESCE(reach.reach, 0) * r.impact * r.confidence / r.effort AS score
FROM requirements r
LEFT JOIN reach ON reach.requirement_id = r.id
LEFT JOIN money ON money.requirement_id = r.id
WHERE r.merged_into IS NULL AND (?1 IS NULL OR r.id = ?1)
  AND (?2 = 'all' OR r.status = ?2 OR (?2 = 'pool' AND r.status IN ('open', 'planned')))
ORDER BY score IS NULL, score DESC, lost_amount + open_amount DESC, r.id
LIMIT ?3`;

const toRequirement = (r: RequirementRow): Requirement => ({
  id: r.id,
  title: r.title,
  status: r.status,
  reach: r.reach,
  requests: r.requests,
  impact: r.impact,
  confidence: r.confidence,
  effort: r.effort,
  // Rounded for reading; the order is the exact score's.
  score: r.score === null ? null : Math.round(r.score * 1000) / 1000,
  openAmount: r.open_amount,
  lostAmount: r.lost_amount,
  shippedAt: r.shipped_at === null ? null : new Date(r.shipped_at).toISOString(),
});

/** The pool ranked by RICE (unscored last), open and planned requirements unless `status` says. */
export async function rankRequirements(
  db: D1Database,
  options: { top?: number; status?: RequirementStatus | "all" } = {},
): Promise<Requirement[]> {
  const { results } = await db
    .prepare(RANKING_SQL)
    .bind(null, options.status ?? "pool", options.top ?? -1)
    .all<RequirementRow>();
  return results.map(toRequirement);
}

/** One requirement with its figures; null when it does not exist or was merged into another. */
export async function requirementById(db: D1Database, id: number): Promise<Requirement | null> {
  const row = await db.prepare(RANKING_SQL).bind(id, "all", 1).first<RequirementRow>();
  return row ? toRequirement(row) : null;
}

/** Whether requirement `id` exists and where it went if merged: one row, no figures. */
export async function requirementLink(
  db: D1Database,
  id: number,
): Promise<{ mergedInto: number | null } | null> {
  const row = await db
    .prepare("SELECT merged_into FROM requirements WHERE id = ?")
    .bind(id)
    .first<{ merged_into: number | null }>();
  return row ? { mergedInto: row.merged_into } : null;
}

interface RequestRow {
  id: string;
  name: string;
  account_id: string;
  account_name: string | null;
  industry: string | null;
  opportunity_id: string | null;
  pain: string | null;
  expected_solution: string | null;
  business_value: number | null;
  urgency: string | null;
  requirement_id: number | null;
}

const toRequest = (r: RequestRow): FeatureRequest => ({
  id: r.id,
  name: r.name,
  accountId: r.account_id,
  accountName: r.account_name,
  industry: r.industry,
  opportunityId: r.opportunity_id,
  pain: r.pain,
  expectedSolution: r.expected_solution,
  businessValue: r.business_value,
  urgency: r.urgency,
  requirementId: r.requirement_id,
});

const REQUEST_COLUMNS = `fr.id, fr.name, fr.account_id, fr.account_name, fr.industry, fr.opportunity_id,
  fr.pain, fr.expected_solution, fr.business_value, fr.urgency, rr.requirement_id`;

export async function requestsOf(db: D1Database, requirementId: number): Promise<FeatureRequest[]> {
  const { results } = await db
    .prepare(
      `SELECT ${REQUEST_COLUMNS} FROM requirement_requests rr
       JOIN feature_requests fr ON fr.id = rr.request_id
       WHERE rr.requirement_id = ? ORDER BY fr.created_at, fr.id`,
    )
    .bind(requirementId)
    .all<RequestRow>();
  return results.map(toRequest);
}

/** Requests no requirement holds yet, oldest first: what an admin groups next. */
export async function unassignedRequests(db: D1Database, limit = 200): Promise<FeatureRequest[]> {
  const { results } = await db
    .prepare(
      `SELECT ${REQUEST_COLUMNS} FROM feature_requests fr
       LEFT JOIN requirement_requests rr ON rr.request_id = fr.id
       WHERE rr.request_id IS NULL ORDER BY fr.created_at, fr.id LIMIT ?`,
    )
    .bind(limit)
    .all<RequestRow>();
  return results.map(toRequest);
}

export async function countUnassigned(db: D1Database): Promise<number> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS n FROM feature_requests fr
       WHERE NOT EXISTS (SELECT 1 FROM requirement_requests rr WHERE rr.request_id = fr.id)`,
    )
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The ids among `ids` the mirror does not hold. */
export async function unknownRequests(db: D1Database, ids: string[]): Promise<string[]> {
  const { results } = await db
    .prepare(
      "SELECT value AS id FROM json_each(?) WHERE value NOT IN (SELECT id FROM feature_requests)",
    )
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Attaching moves: the request's one membership row now names this requirement. */
const attach = (db: D1Database, requirementId: number, ids: string[], now: number) =>
  db
    .prepare(
      `INSERT INTO requirement_requests (request_id, requirement_id, added_at)
       SELECT value, ?, ? FROM json_each(?) WHERE true
       ON CONFLICT (request_id) DO UPDATE SET requirement_id = excluded.requirement_id,
         added_at = excluded.added_at`,
    )
    .bind(requirementId, now, JSON.stringify(ids));

export async function createRequirement(
  db: D1Database,
  title: string,
  requestIds: string[],
  now: number,
): Promise<number> {
  const row = await db
    .prepare(
      "INSERT INTO requirements (title, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(title, now, now)
    .first<{ id: number }>();
  const id = row!.id;
  if (requestIds.length) await attach(db, id, requestIds, now).run();
  return id;
}

export async function attachRequests(
  db: D1Database,
  requirementId: number,
  requestIds: string[],
  now: number,
): Promise<void> {
  await db.batch([
    attach(db, requirementId, requestIds, now),
    db.prepare("UPDATE requirements SET updated_at = ? WHERE id = ?").bind(now, requirementId),
  ]);
}

/** Moves every request of `from` to `into` and marks `from` merged, in one transaction. */
export async function mergeRequirements(
  db: D1Database,
  from: number,
  into: number,
  now: number,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        "UPDATE requirement_requests SET requirement_id = ?, added_at = ? WHERE requirement_id = ?",
      )
      .bind(into, now, from),
    db
      .prepare("UPDATE requirements SET merged_into = ?, updated_at = ? WHERE id = ?")
      .bind(into, now, from),
    db.prepare("UPDATE requirements SET updated_at = ? WHERE id = ?").bind(now, into),
  ]);
}

export type RequirementPatch = z.infer<typeof RequirementUpdateSchema>;

/** Sets what the patch names; shipped_at is the first time the status became shipped. */
export async function updateRequirement(
  db: D1Database,
  id: number,
  patch: RequirementPatch,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `UPDATE requirements SET title = COALESCE(?2, title), impact = COALESCE(?3, impact),
         confidence = COALESCE(?4, confidence), effort = COALESCE(?5, effort),
         status = COALESCE(?6, status),
         shipped_at = CASE WHEN ?6 = 'shipped' THEN COALESCE(shipped_at, ?7) ELSE shipped_at END,
         updated_at = ?7
       WHERE id = ?1`,
    )
    .bind(
      id,
      patch.title ?? null,
      patch.impact ?? null,
      patch.confidence ?? null,
      patch.effort ?? null,
      patch.status ?? null,
      now,
    )
    .run();
}
