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
 * (a trigger on webhook_deliveries adds to daily_counters for new rows only).
 */
export async function recordDeliveries(db: D1Database, deliveries: DeliveryCount[]): Promise<void> {
  if (!deliveries.length) return;
  const rows = JSON.stringify(
    deliveries.map((d) => [d.id, utcDay(d.receivedAt), d.events, d.ignored, d.receivedAt]),
  );
  await db
    .prepare(
      `INSERT INTO webhook_deliveries (id, day, events, ignored, received_at)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]') FROM json_each(?) WHERE true ON CONFLICT (id) DO NOTHING`,
    )
    .bind(rows)
    .run();
}
