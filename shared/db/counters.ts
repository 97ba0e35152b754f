import type { DeliveryCount } from "../contracts/webhook";

/** UTC calendar day of a millisecond timestamp, as YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds to per-day counters (webhook events and the like) that the nightly report reads. */
export async function bumpDailyCounters(
  db: D1Database,
  at: number,
  counts: Record<string, number>,
): Promise<void> {
  const day = utcDay(at);
  const statements = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) =>
      db
        .prepare(
          `INSERT INTO daily_counters (day, name, value) VALUES (?, ?, ?)
           ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value`,
        )
        .bind(day, name, n),
    );
  if (statements.length) await db.batch(statements);
}

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
