import { dayRange } from "../../shared/days";
import { routingInForceAt } from "../../shared/db/routings";
import type { AssignedGroup, FirstTouchRow, RoutingDayInput, SlaGroup } from "./routing-section";
import { readPaged } from "./store";

// D1 reads of the report's routing section: one UTC day through the time indexes on assignments
// (assigned_at, first_touch_at) and sla_events (at), so a night costs what the day holds. Counts
// are grouped in SQL; only the first touches come back row by row (percentiles need them), a page
// at a time.

export const FIRST_TOUCHES_PAGE_SQL = `SELECT first_touch_at AS t, rowid AS r, owner_id, pool, assigned_at, first_touch_at
  FROM assignments WHERE first_touch_at >= ?1 AND first_touch_at < ?4 AND (first_touch_at > ?1 OR rowid > ?2)
  ORDER BY first_touch_at, rowid LIMIT ?3`;

export const ASSIGNED_OF_DAY_SQL = `SELECT owner_id, pool, reason, count(*) AS n
  FROM assignments WHERE assigned_at >= ? AND assigned_at < ? GROUP BY owner_id, pool, reason`;

// An alert is sent once alerted_at is set, given up when it never was and alert_error says why; a
// reassignment failed when Salesforce refused it for good (reassign_error) and none happened.
export const SLA_OF_DAY_SQL = `SELECT pool, breach, count(*) AS n,
    count(reassigned_at) AS reassigned,
    count(CASE WHEN reassigned_at IS NULL THEN reassign_error END) AS reassign_failed,
    sum(alert) AS alerts_owed,
    count(CASE WHEN alert = 1 THEN alerted_at END) AS alerts_sent,
    count(CASE WHEN alert = 1 AND alerted_at IS NULL THEN alert_error END) AS alerts_given_up
  FROM sla_events WHERE at >= ? AND at < ? GROUP BY pool, breach`;

export async function readRoutingDay(db: D1Database, day: string): Promise<RoutingDayInput> {
  const { start, end } = dayRange(day);
  const [routing, touches, assigned, sla] = await Promise.all([
    routingInForceAt(db, end),
    readPaged<FirstTouchRow & { t: number; r: number }>(db, FIRST_TOUCHES_PAGE_SQL, start, [end]),
    db.prepare(ASSIGNED_OF_DAY_SQL).bind(start, end).all<AssignedGroup>(),
    db.prepare(SLA_OF_DAY_SQL).bind(start, end).all<SlaGroup>(),
  ]);
  return { routing, touches, assigned: assigned.results, sla: sla.results };
}
