import type { PendingKind } from "./pull";

// sf_pending: what pulled pages left to do, marked in the page's own transaction (see pull.ts).

export interface Pending {
  keys: string[];
  /**
   * Statements that drop the rows read, to run in the same transaction as the work that used
   * them. A row a pull marked again since it was read has a later `at` and stays.
   */
  release(): D1PreparedStatement[];
}

export async function readPending(
  db: D1Database,
  kind: PendingKind,
  limit = 100_000,
): Promise<Pending> {
  const { results } = await db
    .prepare("SELECT key, at FROM sf_pending WHERE kind = ? ORDER BY at, key LIMIT ?")
    .bind(kind, limit)
    .all<{ key: string; at: number }>();
  return {
    keys: results.map((r) => r.key),
    release: () =>
      results.length
        ? [
            db
              // A row value IN a subquery: SQLite indexes the list once, so releasing thousands of
              // rows costs as many lookups, not rows × list.
              .prepare(
                `DELETE FROM sf_pending WHERE kind = ?1 AND (key, at) IN (
                   SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2))`,
              )
              .bind(kind, JSON.stringify(results.map((r) => [r.key, r.at]))),
          ]
        : [],
  };
}
