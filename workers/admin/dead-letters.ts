import { Hono } from "hono";
import {
  DeadLetterQuerySchema,
  MAX_REPLAY,
  ReplayRequestSchema,
} from "../../shared/contracts/admin";
import type { DeadLetterKind } from "../../shared/contracts/outcomes";
import {
  eventsOf,
  type LeadQueueBody,
  LeadQueueBodySchema,
  originOf,
} from "../../shared/contracts/webhook";
import type { HonoEnv } from "../../shared/hono-env";
import { type SlaTimer, SlaTimerSchema, sendTimers } from "../sla/timers";
import { sendLeadEvents } from "./enqueue";
import { iso, readJson, readQuery } from "./validate";

type DeadLetterRow = {
  id: number;
  body: string;
  kind: DeadLetterKind;
  reason: string;
  attempts: number;
  received_at: number;
  replayed_at: number | null;
};

/**
 * What a dead letter holds, its body parsed once: the message (one event or a contact's events)
 * when the handoff can still take it, else the SLA timer when it is one (the lead-sla consumer's
 * give-up).
 */
function contentsOf(row: DeadLetterRow): { event: LeadQueueBody | null; timer: SlaTimer | null } {
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch {
    return { event: null, timer: null };
  }
  const event = LeadQueueBodySchema.safeParse(body);
  if (event.success) return { event: event.data, timer: null };
  const timer = SlaTimerSchema.safeParse(body);
  return { event: null, timer: timer.success ? timer.data : null };
}

const toView = (row: DeadLetterRow) => {
  const { event } = contentsOf(row);
  return {
    id: row.id,
    kind: row.kind,
    reason: row.reason,
    attempts: row.attempts,
    receivedAt: iso(row.received_at)!,
    replayedAt: iso(row.replayed_at),
    contactId: event ? (eventsOf(event)[0]?.contactId ?? null) : null,
    eventType: event ? [...new Set(eventsOf(event).map((e) => e.type))].join(",") : null,
  };
};

const countOpen = async (db: D1Database) =>
  (
    await db
      .prepare("SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NULL")
      .first<{ n: number }>()
  )?.n ?? 0;

/** GET /admin/dead-letters and POST /admin/dead-letters/replay. */
export const deadLetters = new Hono<HonoEnv>();

deadLetters.get("/dead-letters", async (c) => {
  const q = readQuery(c, DeadLetterQuerySchema);
  const state = { open: "replayed_at IS NULL", replayed: "replayed_at IS NOT NULL", all: "1 = 1" }[
    q.state
  ];
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM dead_letters WHERE ${state} AND id < ? ORDER BY id DESC LIMIT ?`,
  )
    .bind(q.cursor ?? Number.MAX_SAFE_INTEGER, q.limit + 1)
    .all<DeadLetterRow>();
  const page = results.slice(0, q.limit);
  const nextCursor = results.length > q.limit ? (page.at(-1)?.id ?? null) : null;
  return c.json({ deadLetters: page.map(toView), open: await countOpen(c.env.DB), nextCursor });
});

/**
 * Re-sends the original events with their original keys, then marks them replayed. A replay
 * that runs twice cannot judge twice: the handoff drops keys it has already handled. Each letter
 * goes back to its origin's lane: a webhook's to lead-events, a backfill's or resync's to
 * lead-backfill, behind live leads.
 */
deadLetters.post("/dead-letters/replay", async (c) => {
  const body = await readJson(c, ReplayRequestSchema);
  const db = c.env.DB;
  const ids = "ids" in body ? [...new Set(body.ids)] : null;
  const rows: DeadLetterRow[] = [];
  if (ids) {
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90);
      const { results } = await db
        .prepare(`SELECT * FROM dead_letters WHERE id IN (${chunk.map(() => "?").join(",")})`)
        .bind(...chunk)
        .all<DeadLetterRow>();
      rows.push(...results);
    }
  } else {
    const { results } = await db
      .prepare("SELECT * FROM dead_letters WHERE replayed_at IS NULL ORDER BY id LIMIT ?")
      .bind(MAX_REPLAY)
      .all<DeadLetterRow>();
    rows.push(...results);
  }

  const skipped: { id: number; reason: string }[] = [];
  const found = new Set(rows.map((r) => r.id));
  for (const id of ids ?? [])
    if (!found.has(id)) skipped.push({ id, reason: "no such dead letter" });
  const replay: { id: number; event: LeadQueueBody }[] = [];
  const timers: { id: number; timer: SlaTimer }[] = [];
  for (const row of rows) {
    const { event, timer } = contentsOf(row);
    if (row.replayed_at !== null) skipped.push({ id: row.id, reason: "already replayed" });
    else if (event) replay.push({ id: row.id, event });
    else if (timer) timers.push({ id: row.id, timer });
    else skipped.push({ id: row.id, reason: "not a lead event; it would fail again" });
  }

  const live = (event: LeadQueueBody) => eventsOf(event).some((e) => originOf(e) === "webhook");
  await sendLeadEvents(
    c.env.LEAD_EVENTS,
    replay.filter((r) => live(r.event)).map((r) => r.event),
  );
  await sendLeadEvents(
    c.env.LEAD_BACKFILL,
    replay.filter((r) => !live(r.event)).map((r) => r.event),
  );
  // An SLA timer the lead-sla consumer gave up on goes back to its own queue, due at once (or when
  // it falls due, were that still ahead): the consumer checks the Lead again, and a breach it
  // already handled is not handled twice.
  const now = Date.now();
  await sendTimers(
    c.env.LEAD_SLA,
    timers.map((t) => t.timer),
    now,
  );
  const marks = [...replay, ...timers].map((r) =>
    db.prepare("UPDATE dead_letters SET replayed_at = ? WHERE id = ?").bind(now, r.id),
  );
  for (let i = 0; i < marks.length; i += 100) await db.batch(marks.slice(i, i + 100));
  c.get("log").info("dead_letters_replayed", {
    replayed: replay.length,
    timers: timers.length,
    skipped: skipped.length,
  });
  return c.json({
    replayed: [...replay, ...timers].map((r) => r.id),
    skipped,
    remaining: await countOpen(db),
  });
});
