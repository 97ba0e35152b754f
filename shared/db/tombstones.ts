import { toHex } from "../hex";
/**
 * Privacy tombstones (docs/handoff.md, "Privacy deletion"): after a contact is purged, D1 keeps
 * only HMAC-SHA256(contact id) under the HubSpot app's client secret, so a late event for it (a
 * HubSpot retry of an older event, a replay) can be recognised and purged again without a
 * contact id being kept anywhere. A bare hash would not do: HubSpot record ids are small numbers
 * anyone can hash and compare. Rotating the secret forgets the tombstones, which only matters for
 * events arriving later than that.
 */
export async function tombstoneTokens(secret: string, contactIds: readonly string[]) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(`leadbridge-privacy-tombstone:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const tokens = new Map<string, string>();
  for (const id of new Set(contactIds)) {
    const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(id));
    tokens.set(id, toHex(mac));
  }
  return tokens;
}

/** The statement that records the tombstones, to run in the purge's transaction. */
export function writeTombstones(
  db: D1Database,
  tokens: readonly string[],
  at: number,
): D1PreparedStatement[] {
  if (!tokens.length) return [];
  return [
    db
      .prepare(
        `INSERT INTO privacy_tombstones (token, at) SELECT value, ?2 FROM json_each(?1) WHERE true
         ON CONFLICT (token) DO UPDATE SET at = excluded.at`,
      )
      .bind(JSON.stringify(tokens), at),
  ];
}

/** Which of these contacts were privacy-deleted (one query; none asked, none made). */
export async function tombstonedOf(
  db: D1Database,
  secret: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  if (!contactIds.length) return new Set();
  const tokens = await tombstoneTokens(secret, contactIds);
  const { results } = await db
    .prepare(
      "SELECT token FROM privacy_tombstones WHERE token IN (SELECT value FROM json_each(?1))",
    )
    .bind(JSON.stringify([...tokens.values()]))
    .all<{ token: string }>();
  const found = new Set(results.map((r) => r.token));
  return new Set([...tokens].filter(([, token]) => found.has(token)).map(([id]) => id));
}
