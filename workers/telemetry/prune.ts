import type { Logger } from "../../shared/log";

const DAY = 86_400_000;
/**
 * Handled event keys are kept far past HubSpot's 24 h of retries (and a month of dead-letter
 * replays).
 */
export const SEEN_EVENTS_KEEP_DAYS = 30;
/** Delivery rows only guard against a queue message counted twice; a week is plenty. */
export const DELIVERIES_KEEP_DAYS = 7;
const ROWS_PER_STATEMENT = 20_000;
const MAX_STATEMENTS = 20;

/**
 * Nightly: drops handled event keys and delivery counts past their keeping time, a bounded number
 * of rows a night (a night's deletions are about a day's inserts, so this keeps pace).
 */
export async function pruneHandledState(
  db: D1Database,
  now: number,
  log: Logger,
): Promise<{ seenEvents: number; deliveries: number }> {
  const prune = async (table: string, column: string, before: number) => {
    let total = 0;
    for (let i = 0; i < MAX_STATEMENTS; i++) {
      const { meta } = await db
        .prepare(
          `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${ROWS_PER_STATEMENT})`,
        )
        .bind(before)
        .run();
      total += meta.changes ?? 0;
      if ((meta.changes ?? 0) < ROWS_PER_STATEMENT) break;
    }
    return total;
  };
  const seenEvents = await prune("seen_events", "seen_at", now - SEEN_EVENTS_KEEP_DAYS * DAY);
  const deliveries = await prune(
    "webhook_deliveries",
    "received_at",
    now - DELIVERIES_KEEP_DAYS * DAY,
  );
  log.info("pruned", { seenEvents, deliveries });
  return { seenEvents, deliveries };
}
