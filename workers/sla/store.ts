import { jsonColumns, selectByKeys } from "../outcomes/store";

// D1 access of the SLA consumer: a batch's rows read with one query per table (json_each).

export type AssignmentRow = {
  contact_id: string;
  owner_id: string | null;
  lead_id: string | null;
  first_touch_at: number | null;
};

export type SlaEventRow = {
  contact_id: string;
  breach: 1 | 2;
  lead_id: string;
  pool: string;
  routing_version: number;
  at: number;
  due_at: number;
  from_owner: string | null;
  to_owner: string | null;
  reassigned_at: number | null;
  reassign_error: string | null;
  alert: number;
  alerted_at: number | null;
  alert_attempts: number;
  alert_error: string | null;
  next_timer_at: number | null;
};

/** A Lead's first touch as Salesforce shows it: when, in ms. */
export type FirstTouch = { contactId: string; at: number };

/**
 * Sets assignments.first_touch_at where it is not set yet (set once): the outcome sync's touches
 * (a Lead out of its open status) and the SLA check's (an open Lead with a Task) alike.
 */
export function firstTouchStatements(db: D1Database, touches: FirstTouch[]): D1PreparedStatement[] {
  if (!touches.length) return [];
  return [
    db
      .prepare(
        `UPDATE assignments SET first_touch_at = json_extract(t.value, '$[1]')
         FROM json_each(?) AS t
         WHERE assignments.contact_id = json_extract(t.value, '$[0]')
           AND assignments.first_touch_at IS NULL`,
      )
      .bind(JSON.stringify(touches.map((t) => [t.contactId, t.at]))),
  ];
}

export const eventKey = (contactId: string, breach: number) => `${contactId}:${breach}`;

export async function readAssignments(
  db: D1Database,
  contactIds: string[],
): Promise<Map<string, AssignmentRow>> {
  const rows = await selectByKeys<AssignmentRow>(
    db,
    (keys) =>
      `SELECT contact_id, owner_id, lead_id, first_touch_at FROM assignments WHERE contact_id IN (${keys})`,
    [...new Set(contactIds)],
  );
  return new Map(rows.map((r) => [r.contact_id, r]));
}

export async function readEvents(
  db: D1Database,
  contactIds: string[],
): Promise<Map<string, SlaEventRow>> {
  const rows = await selectByKeys<SlaEventRow>(
    db,
    (keys) => `SELECT * FROM sla_events WHERE contact_id IN (${keys})`,
    [...new Set(contactIds)],
  );
  return new Map(rows.map((r) => [eventKey(r.contact_id, r.breach), r]));
}

const EVENT_COLUMNS = [
  "contact_id",
  "breach",
  "lead_id",
  "pool",
  "routing_version",
  "at",
  "due_at",
  "from_owner",
  "to_owner",
  "alert",
] as const;

/**
 * Records new breaches and returns the rows inserted. A breach already recorded keeps its row and
 * is not returned (ON CONFLICT DO NOTHING): a redelivered or duplicated timer finds that row in the
 * batch's first read and is never inserted again.
 */
export async function insertEvents(
  db: D1Database,
  events: Pick<SlaEventRow, (typeof EVENT_COLUMNS)[number]>[],
): Promise<SlaEventRow[]> {
  if (!events.length) return [];
  const { results } = await db
    .prepare(
      `INSERT INTO sla_events (${EVENT_COLUMNS.join(", ")})
       SELECT ${jsonColumns(EVENT_COLUMNS.length)} FROM json_each(?) WHERE true
       ON CONFLICT (contact_id, breach) DO NOTHING RETURNING *`,
    )
    .bind(JSON.stringify(events.map((e) => EVENT_COLUMNS.map((c) => e[c]))))
    .all<SlaEventRow>();
  return results;
}

/** Users' names and who the nightly mirror (sf_users) saw inactive, by 15-char id. */
export type SfUsers = { names: Map<string, string>; inactive: Set<string> };

export async function readUsers(db: D1Database, ids: string[]): Promise<SfUsers> {
  const rows = await selectByKeys<{ id: string; name: string | null; is_active: number }>(
    db,
    (keys) => `SELECT id, name, is_active FROM sf_users WHERE substr(id, 1, 15) IN (${keys})`,
    [...new Set(ids.map((id) => id.slice(0, 15)))],
  );
  const names = new Map<string, string>();
  const inactive = new Set<string>();
  for (const r of rows) {
    if (r.name) names.set(r.id.slice(0, 15), r.name);
    if (!r.is_active) inactive.add(r.id.slice(0, 15));
  }
  return { names, inactive };
}
