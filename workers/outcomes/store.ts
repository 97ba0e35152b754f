// D1 access of the outcome sync: many keys travel as one JSON parameter (json_each), so a run of
// thousands of Leads costs a handful of queries.

export async function selectByKeys<T>(
  db: D1Database,
  sql: (keys: string) => string,
  keys: string[],
): Promise<T[]> {
  if (!keys.length) return [];
  const { results } = await db
    .prepare(sql("SELECT value FROM json_each(?)"))
    .bind(JSON.stringify(keys))
    .all<T>();
  return results;
}

/** `json_extract(value, '$[0]'), …` for rows sent as JSON arrays of `n` values. */
export const jsonColumns = (n: number) =>
  Array.from({ length: n }, (_, i) => `json_extract(value, '$[${i}]')`).join(", ");
