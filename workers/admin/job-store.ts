import { chunks } from "../../shared/batching";
import type { Job } from "../../shared/contracts/admin";
import { iso } from "./validate";

export type JobState = Job["state"];
export type JobParams = Job["params"];
export type JobCursor = NonNullable<Job["cursor"]>;

export interface JobRow {
  id: string;
  kind: "backfill";
  state: JobState;
  params: string;
  cursor: string | null;
  expected: number | null;
  step: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export async function createJob(
  db: D1Database,
  params: JobParams,
  now = Date.now(),
): Promise<JobRow> {
  const id = `bf_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await db
    .prepare(
      "INSERT INTO jobs (id, kind, state, params, step, created_at, updated_at) VALUES (?, 'backfill', 'running', ?, 0, ?, ?)",
    )
    .bind(id, JSON.stringify(params), now, now)
    .run();
  return (await getJob(db, id))!;
}

export const getJob = (db: D1Database, id: string) =>
  db.prepare("SELECT * FROM jobs WHERE id = ?").bind(id).first<JobRow>();

/** True while the job still runs the step this row was read at. */
export async function isCurrent(db: D1Database, job: JobRow): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 AS ok FROM jobs WHERE id = ? AND step = ? AND state = 'running'")
    .bind(job.id, job.step)
    .first();
  return row !== null;
}

export const runningJob = (db: D1Database) =>
  db
    .prepare("SELECT * FROM jobs WHERE state = 'running' ORDER BY created_at LIMIT 1")
    .first<JobRow>();

/**
 * Moves a job between states when it is in one of `from`; a new step number makes every step
 * message already in flight stale. Returns the updated row, or null when the job was elsewhere.
 */
export async function transition(
  db: D1Database,
  id: string,
  from: JobState[],
  to: JobState,
  now = Date.now(),
): Promise<JobRow | null> {
  const res = await db
    .prepare(
      `UPDATE jobs SET state = ?, step = step + 1, updated_at = ?, last_error = CASE WHEN ? = 'running' THEN NULL ELSE last_error END
       WHERE id = ? AND state IN (${from.map(() => "?").join(",")})`,
    )
    .bind(to, now, to, id, ...from)
    .run();
  return res.meta.changes ? getJob(db, id) : null;
}

/**
 * Saves a finished step: only the holder of the current step number can, so duplicates of a step
 * advance nothing.
 */
export async function advance(
  db: D1Database,
  job: JobRow,
  cursor: JobCursor | null,
  done: boolean,
  now = Date.now(),
): Promise<boolean> {
  const res = await db
    .prepare(
      `UPDATE jobs SET cursor = ?, step = step + 1, updated_at = ?, last_error = NULL,
         state = CASE WHEN ? THEN 'done' ELSE state END, finished_at = CASE WHEN ? THEN ? ELSE finished_at END
       WHERE id = ? AND step = ? AND state = 'running'`,
    )
    .bind(
      cursor ? JSON.stringify(cursor) : null,
      now,
      done ? 1 : 0,
      done ? 1 : 0,
      now,
      job.id,
      job.step,
    )
    .run();
  return res.meta.changes === 1;
}

export async function setExpected(db: D1Database, id: string, total: number): Promise<void> {
  await db
    .prepare("UPDATE jobs SET expected = ? WHERE id = ? AND expected IS NULL")
    .bind(total, id)
    .run();
}

export async function recordError(
  db: D1Database,
  id: string,
  message: string,
  fail: boolean,
  now = Date.now(),
): Promise<void> {
  await db
    .prepare(
      `UPDATE jobs SET last_error = ?, updated_at = ?, state = CASE WHEN ? AND state = 'running' THEN 'failed' ELSE state END WHERE id = ?`,
    )
    .bind(message.slice(0, 500), now, fail ? 1 : 0, id)
    .run();
}

/** Remembers the contacts a page found (once per job) and returns those not yet enqueued. */
export async function foundContacts(
  db: D1Database,
  jobId: string,
  contactIds: string[],
  now = Date.now(),
): Promise<string[]> {
  if (!contactIds.length) return [];
  const inserts = contactIds.map((id) =>
    db
      .prepare(
        "INSERT INTO job_contacts (job_id, contact_id, found_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .bind(jobId, id, now),
  );
  await db.batch(inserts);
  const waiting: string[] = [];
  for (const ids of chunks(contactIds, IDS_PER_STATEMENT)) {
    const { results } = await db
      .prepare(
        `SELECT contact_id FROM job_contacts WHERE job_id = ? AND enqueued_at IS NULL AND contact_id IN (${ids.map(() => "?").join(",")})`,
      )
      .bind(jobId, ...ids)
      .all<{ contact_id: string }>();
    waiting.push(...results.map((r) => r.contact_id));
  }
  return waiting;
}

export async function markEnqueued(
  db: D1Database,
  jobId: string,
  contactIds: string[],
  now = Date.now(),
): Promise<void> {
  const updates = chunks(contactIds, IDS_PER_STATEMENT).map((ids) =>
    db
      .prepare(
        `UPDATE job_contacts SET enqueued_at = ? WHERE job_id = ? AND contact_id IN (${ids.map(() => "?").join(",")})`,
      )
      .bind(now, jobId, ...ids),
  );
  if (updates.length) await db.batch(updates);
}

/** D1 binds at most 100 parameters per statement. */
/** Ids a statement binds at most (D1 allows 100 bound parameters). */
const IDS_PER_STATEMENT = 90;

/**
 * Progress from D1 alone: a contact counts as handled once its lead row changed after the job
 * enqueued it.
 */
export async function progress(db: D1Database, jobId: string): Promise<Job["progress"]> {
  const row = await db
    .prepare(
      `SELECT count(*) AS scanned,
              count(jc.enqueued_at) AS enqueued,
              sum(CASE WHEN l.updated_at >= jc.enqueued_at AND l.status = 'handed_off' THEN 1 ELSE 0 END) AS handed_off,
              sum(CASE WHEN l.updated_at >= jc.enqueued_at AND l.status = 'rejected' THEN 1 ELSE 0 END) AS refused,
              sum(CASE WHEN l.updated_at >= jc.enqueued_at AND l.status NOT IN ('handed_off', 'rejected') THEN 1 ELSE 0 END) AS other
       FROM job_contacts jc LEFT JOIN leads l ON l.contact_id = jc.contact_id
       WHERE jc.job_id = ?`,
    )
    .bind(jobId)
    .first<{
      scanned: number;
      enqueued: number;
      handed_off: number | null;
      refused: number | null;
      other: number | null;
    }>();
  const handedOff = row?.handed_off ?? 0;
  const refused = row?.refused ?? 0;
  const otherOutcomes = row?.other ?? 0;
  const enqueued = row?.enqueued ?? 0;
  return {
    scanned: row?.scanned ?? 0,
    enqueued,
    handedOff,
    refused,
    otherOutcomes,
    pending: Math.max(0, enqueued - handedOff - refused - otherOutcomes),
  };
}

export function toJobView(row: JobRow, p: Job["progress"]): Job {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    params: JSON.parse(row.params) as JobParams,
    cursor: row.cursor ? (JSON.parse(row.cursor) as JobCursor) : null,
    progress: p,
    expected: row.expected,
    lastError: row.last_error,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
  };
}
