import { Hono } from "hono";
import { type SyncHealth, SyncHealthQuerySchema } from "../../shared/contracts/admin";
import {
  type DeadLetterKind,
  FAILURE_STEPS,
  type FailureStep,
  JUDGEMENT_STEPS,
  type JudgementStep,
  SYNC_HEALTH_KINDS,
  type SyncHealthKind,
  WAITING_STEPS,
} from "../../shared/contracts/outcomes";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import { readHeadroom } from "../../shared/hubspot/headroom";
import { describePause, readPauses } from "../../shared/pause";
import { readUsage } from "../../shared/salesforce/budget";
import { classify, classifyDeadLetter } from "./error-kinds";
import { type JobRow, progress } from "./job-store";
import { iso, readQuery } from "./validate";

const MAX_ROWS = 5000;
const MAX_CONTACTS_SHOWN = 25;

type FailureRow = { contact_id: string; at: number; step: FailureStep; detail: string };
type LetterRow = { body: string; kind: DeadLetterKind; reason: string; received_at: number };
type CountRow = { n: number };

type Bucket = {
  count: number;
  contacts: Set<string>;
  codes: Record<string, number>;
  lastAt: number | null;
};

/**
 * GET /admin/sync-health: what went wrong lately, by kind and contact, and how much room is left.
 */
export const syncHealth = new Hono<HonoEnv>().get("/sync-health", async (c) => {
  const { hours } = readQuery(c, SyncHealthQuerySchema);
  const db = c.env.DB;
  const to = Date.now();
  const from = to - hours * 60 * 60 * 1000;
  const buckets = new Map<SyncHealthKind, Bucket>(
    SYNC_HEALTH_KINDS.map((k) => [k, { count: 0, contacts: new Set(), codes: {}, lastAt: null }]),
  );
  const add = (kind: SyncHealthKind, code: string, at: number, contactId?: string) => {
    const b = buckets.get(kind)!;
    b.count += 1;
    b.codes[code] = (b.codes[code] ?? 0) + 1;
    b.lastAt = Math.max(b.lastAt ?? 0, at);
    if (contactId && b.contacts.size < MAX_CONTACTS_SHOWN) b.contacts.add(contactId);
  };

  const [failures, letters, judgements, openLetters, waiting, running] = await readWindow(c.env, [
    db
      .prepare(
        `SELECT contact_id, at, step, detail FROM audit WHERE at >= ? AND step IN (${placeholders(FAILURE_STEPS)}) ORDER BY id DESC LIMIT ?`,
      )
      .bind(from, ...FAILURE_STEPS, MAX_ROWS),
    db
      .prepare(
        "SELECT body, kind, reason, received_at FROM dead_letters WHERE received_at >= ? ORDER BY id DESC LIMIT ?",
      )
      .bind(from, MAX_ROWS),
    db
      .prepare(
        `SELECT step, count(*) AS n FROM audit WHERE at >= ? AND step IN (${placeholders(JUDGEMENT_STEPS)}) GROUP BY step`,
      )
      .bind(from, ...JUDGEMENT_STEPS),
    db.prepare("SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NULL"),
    // Contacts whose latest step is a hold or a retry: work still owed to them.
    db
      .prepare(
        `SELECT count(*) AS n FROM (SELECT contact_id, max(id) AS last FROM audit WHERE at >= ? GROUP BY contact_id) t
       JOIN audit a ON a.id = t.last WHERE a.step IN (${placeholders(WAITING_STEPS)})`,
      )
      .bind(from, ...WAITING_STEPS),
    db.prepare("SELECT * FROM jobs WHERE state = 'running'"),
  ]);

  for (const row of rowsOf<FailureRow>(failures)) {
    const { kind, code } = classify(row.step, safeJson(row.detail));
    add(kind, code, row.at, row.contact_id);
  }
  for (const row of rowsOf<LetterRow>(letters)) {
    const { kind, code } = classifyDeadLetter(row.kind, row.reason);
    add(kind, code, row.received_at, contactOfLetter(safeJson(row.body)));
  }
  const count = (step: JudgementStep) =>
    Number(
      rowsOf<CountRow & { step: JudgementStep }>(judgements).find((r) => r.step === step)?.n ?? 0,
    );
  const jobs = rowsOf<JobRow>(running);
  const pending = (await Promise.all(jobs.map((j) => progress(db, j.id)))).reduce(
    (sum, p) => sum + p.pending,
    0,
  );

  const config = c.get("config");
  const [usage, headroom, pauses] = await Promise.all([
    readUsage(c.env.KV),
    readHeadroom(c.env.KV),
    readPauses(c.env.KV),
  ]);
  const body: SyncHealth = {
    window: { from: iso(from)!, to: iso(to)! },
    errors: [...buckets].map(([kind, b]) => ({
      kind,
      count: b.count,
      contacts: [...b.contacts],
      codes: b.codes,
      lastAt: iso(b.lastAt),
    })),
    salesforce: {
      used: usage?.used ?? null,
      max: usage?.max ?? null,
      share: usage && usage.max > 0 ? usage.used / usage.max : null,
      budgetShare: config.SALESFORCE_DAILY_BUDGET_SHARE,
      observedAt: iso(usage?.at),
    },
    hubspot: {
      remaining: headroom?.remaining ?? null,
      max: headroom?.max ?? null,
      intervalMs: headroom?.intervalMs ?? null,
      dailyRemaining: headroom?.dailyRemaining ?? null,
      daily: headroom?.daily ?? null,
      observedAt: iso(headroom?.at),
    },
    backlog: {
      deadLetters: Number(rowsOf<CountRow>(openLetters)[0]?.n ?? 0),
      waitingContacts: Number(rowsOf<CountRow>(waiting)[0]?.n ?? 0),
      backfillPending: pending,
      runningJobs: jobs.length,
    },
    outcomes: {
      handedOff: count("qualified"),
      rejected: count("refused"),
      existingContacts: count("existing_contact"),
    },
    paused: pauses.map((p) => ({
      dependency: p.dependency,
      reason: p.reason,
      since: iso(p.since)!,
      lastSeen: iso(p.lastSeen)!,
      message: describePause(p),
    })),
  };
  return c.json(body);
});

/**
 * The window's reads, one D1 batch. With D1 down the page cannot be drawn: the answer says so,
 * with the pauses in force (they live in KV).
 */
async function readWindow(
  env: Pick<Env, "DB" | "KV">,
  statements: D1PreparedStatement[],
): Promise<D1Result<unknown>[]> {
  try {
    return await env.DB.batch(statements);
  } catch (err) {
    const lines = (await readPauses(env.KV)).map(describePause);
    const cause = (err instanceof Error ? err.message : String(err)).slice(0, 200);
    throw new HttpError(
      ErrorCode.Upstream,
      [`D1 could not be read (${cause})`, ...lines].join("; "),
    );
  }
}

/** A batch result's rows, as the query that produced them selects them. */
function rowsOf<T>(result: D1Result<unknown> | undefined): T[] {
  return (result?.results ?? []) as T[];
}

const placeholders = (values: readonly unknown[]) => values.map(() => "?").join(", ");

function safeJson(text: unknown): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(String(text));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The contact a dead letter is about: named on it, or the one all its events share. */
function contactOfLetter(body: Record<string, unknown>): string | undefined {
  if (typeof body.contactId === "string") return body.contactId;
  const ids = new Set(
    Array.isArray(body.events)
      ? body.events.map((e) => (e as { contactId?: unknown })?.contactId)
      : [],
  );
  const [only] = ids;
  return ids.size === 1 && typeof only === "string" ? only : undefined;
}
