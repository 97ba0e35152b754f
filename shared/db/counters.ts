import type { DeliveryCount } from "../contracts/webhook";
import { utcDay } from "../days";

export async function readDailyCounters(
  db: D1Database,
  day: string,
): Promise<Record<string, number>> {
  const { results } = await db
    .prepare("SELECT name, value FROM daily_counters WHERE day = ?")
    .bind(day)
    .all<{ name: string; value: number }>();
  return Object.fromEntries(results.map((r) => [r.name, r.value]));
}

/**
 * Counts webhook deliveries into the day's counters, each once however often its message comes
 * (a trigger on webhook_deliveries adds to daily_counters for new rows only), and their events
 * for another portal or app as webhook_events_foreign.
 */
export async function recordDeliveries(db: D1Database, deliveries: DeliveryCount[]): Promise<void> {
  if (!deliveries.length) return;
  const unique = [...new Map(deliveries.map((d) => [d.id, d])).values()];
  const rows = JSON.stringify(
    unique.map((d) => [d.id, utcDay(d.receivedAt), d.events, d.ignored, d.receivedAt]),
  );
  const insert = db
    .prepare(
      `INSERT INTO webhook_deliveries (id, day, events, ignored, received_at)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(?) WHERE true ON CONFLICT (id) DO NOTHING`,
    )
    .bind(rows);
  const foreign = unique.filter((d) => d.foreign);
  if (!foreign.length) {
    await insert.run();
    return;
  }
  // Events for another portal or app, counted in the same transaction as the deliveries and only
  // for deliveries not recorded before.
  const foreignRows = JSON.stringify(foreign.map((d) => [d.id, utcDay(d.receivedAt), d.foreign]));
  await db.batch([
    db
      .prepare(
        `INSERT INTO daily_counters (day, name, value)
         SELECT json_extract(value, '$[1]') AS day, 'webhook_events_foreign', sum(json_extract(value, '$[2]')) FROM json_each(?)
         WHERE json_extract(value, '$[0]') NOT IN (SELECT id FROM webhook_deliveries) GROUP BY day
         ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value`,
      )
      .bind(foreignRows),
    insert,
  ]);
}
