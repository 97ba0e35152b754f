/** UTC calendar day of a millisecond timestamp, as YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds to per-day counters (webhook events and the like) that the nightly report reads. */
export async function bumpDailyCounters(db: D1Database, at: number, counts: Record<string, number>): Promise<void> {
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

export async function readDailyCounters(db: D1Database, day: string): Promise<Record<string, number>> {
  const { results } = await db.prepare("SELECT name, value FROM daily_counters WHERE day = ?").bind(day).all<{ name: string; value: number }>();
  return Object.fromEntries(results.map((r) => [r.name, r.value]));
}
