/**
 * Bytes of a query's request URI (`/services/data/vXX.X/query?q=` and the encoded SOQL):
 * Salesforce answers 414 or 431 past 16,384 bytes of URI and headers together, and jsforce
 * always sends a query as a GET, so the rest of that room is left to the headers.
 */
export const QUERY_URI_MAX = 14_000;
const QUERY_PATH = "/services/data/v00.0/query?q=";

/**
 * A query string's bytes on the wire: jsforce encodes with encodeURIComponent, and fetch's URL
 * parser then percent-encodes the quotes it leaves (the special-query set of the URL standard).
 */
export const encodedBytes = (text: string) => encodeURIComponent(text).replace(/'/g, "%27").length;

/** A SOQL string literal. */
export const soqlString = (value: string) => `'${value.replace(/[\\']/g, "\\$&")}'`;

/**
 * `parts` (SOQL fragments) joined by `joiner` into as few statements `wrap(joined)` as fit
 * QUERY_URI_MAX, in order; pure. Sizes add up part by part, so a long list costs linear time.
 */
export function packQueries(
  parts: Iterable<string>,
  joiner: string,
  wrap: (joined: string) => string,
): string[] {
  const fixed = QUERY_PATH.length + encodedBytes(wrap(""));
  const separator = encodedBytes(joiner);
  const statements: string[] = [];
  let current: string[] = [];
  let size = fixed;
  for (const part of parts) {
    const bytes = encodedBytes(part);
    if (current.length && size + separator + bytes > QUERY_URI_MAX) {
      statements.push(wrap(current.join(joiner)));
      current = [];
      size = fixed;
    }
    size += bytes + (current.length ? separator : 0);
    current.push(part);
  }
  if (current.length) statements.push(wrap(current.join(joiner)));
  return statements;
}

/**
 * SOQL statements `${head} (${values as literals}) ${tail}` — one while its request URI fits
 * in QUERY_URI_MAX, more only past that (a few hundred values each); values deduplicated, in
 * order; pure.
 */
export function inQueries(head: string, values: string[], tail = ""): string[] {
  const end = tail ? ` ${tail}` : "";
  return packQueries(
    [...new Set(values)].map(soqlString),
    ", ",
    (list) => `${head} (${list})${end}`,
  );
}
