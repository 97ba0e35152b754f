import { Hono } from "hono";
import { ERROR_KINDS, type SyncHealth, SyncHealthQuerySchema } from "../../shared/contracts/admin";
import type { HonoEnv } from "../../shared/hono-env";
import { readHeadroom } from "../../shared/hubspot/headroom";
import { readUsage } from "../../shared/salesforce/budget";
import { classify, classifyDeadLetter, type ErrorKind } from "./error-kinds";
import { type JobRow, progress } from "./job-store";
import { iso, readQuery } from "./validate";

const FAILURE_STEPS = ["salesforce_refused", "held", "error", "push_retry", "feedback_retry"];
const MAX_ROWS = 5000;
const MAX_CONTACTS_SHOWN = 25;

type Bucket = {
  count: number;
  contacts: Set<string>;
  codes: Record<string, number>;
  lastAt: number | null;
};

/** GET /admin/sync-health: what went wrong lately, by kind and contact, and how much room is left. */
export const syncHealth = new Hono<HonoEnv>().get("/sync-health", async (c) => {
  const { hours } = readQuery(c, SyncHealthQuerySchema);
  const db = c.env.DB;
  const to = Date.now();
  const from = to - hours * 60 * 60 * 1000;
  const buckets = new Map<ErrorKind, Bucket>(
    ERROR_KINDS.map((k) => [k, { count: 0, contacts: new Set(), codes: {}, lastAt: null }]),
  );
  const add = (kind: ErrorKind, code: string, at: number, contactId?: string) => {
    const b = buckets.get(kind)!;
    b.count += 1;
    b.codes[code] = (b.codes[code] ?? 0) + 1;
    b.lastAt = Math.max(b.lastAt ?? 0, at);
    if (contactId && b.contacts.size < MAX_CONTACTS_SHOWN) b.contacts.add(contactId);
  };

  const [failures, letters, outcomes, openLetters, waiting, running] = await db.batch<
    Record<string, any>
  >([
    db
      .prepare(
        `SELECT contact_id, at, step, detail FROM audit WHERE at >= ? AND step IN (${FAILURE_STEPS.map(() => "?").join(",")}) ORDER BY id DESC LIMIT ?`,
      )
      .bind(from, ...FAILURE_STEPS, MAX_ROWS),
    db
      .prepare(
        "SELECT body, reason, received_at FROM dead_letters WHERE received_at >= ? ORDER BY id DESC LIMIT ?",
      )
      .bind(from, MAX_ROWS),
    db
      .prepare(
        "SELECT step, count(*) AS n FROM audit WHERE at >= ? AND step IN ('qualified', 'refused') GROUP BY step",
      )
      .bind(from),
    db.prepare("SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NULL"),
    // Contacts whose latest step is a hold or a retry: work still owed to them.
    db
      .prepare(
        `SELECT count(*) AS n FROM (SELECT contact_id, max(id) AS last FROM audit WHERE at >= ? GROUP BY contact_id) t
       JOIN audit a ON a.id = t.last WHERE a.step IN ('held', 'push_retry', 'feedback_retry', 'error')`,
      )
      .bind(from),
    db.prepare("SELECT * FROM jobs WHERE state = 'running'"),
  ]);

  for (const row of failures?.results ?? []) {
    const { kind, code } = classify(row.step, safeJson(row.detail));
    add(kind, code, row.at, row.contact_id);
  }
  for (const row of letters?.results ?? []) {
    const { kind, code } = classifyDeadLetter(String(row.reason));
    add(kind, code, row.received_at, contactOfLetter(safeJson(row.body)));
  }
  const count = (step: string) => Number(outcomes?.results.find((r) => r.step === step)?.n ?? 0);
  const jobs = (running?.results ?? []) as JobRow[];
  const pending = (await Promise.all(jobs.map((j) => progress(db, j.id)))).reduce(
    (sum, p) => sum + p.pending,
    0,
  );

  const config = c.get("config");
  const [usage, headroom] = await Promise.all([readUsage(c.env.KV), readHeadroom(c.env.KV)]);
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
      deadLetters: Number(openLetters?.results[0]?.n ?? 0),
      waitingContacts: Number(waiting?.results[0]?.n ?? 0),
      backfillPending: pending,
      runningJobs: jobs.length,
    },
    outcomes: { handedOff: count("qualified"), rejected: count("refused") },
  };
  return c.json(body);
});

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
