import type { Connection } from "jsforce";
import { z } from "zod";
import { type Routing, routingUserIds } from "../../shared/contracts/routing";
import { userKey } from "../../shared/salesforce/ids";
import { inQueries } from "../../shared/salesforce/soql-in";

// Which of a routing's users Salesforce says are active, cached in this isolate for a few minutes
// per routing version (and user list): one query per isolate every few minutes, not per batch.
// The staleness is acceptable because deactivating a rep is rare and deliberate, saving a routing
// (the admin API checks every user then) starts a fresh entry, and a user deactivated inside the
// window is at worst given a few more leads for minutes.

export const ACTIVE_USERS_TTL_MS = 5 * 60_000;

const UserSchema = z.object({ Id: z.string(), IsActive: z.boolean().nullable() });

const cache = new Map<string, { until: number; active: Set<string> }>();

/** The cache entry's key: the version and the users, since tests and restores reuse numbers. */
const keyOf = (version: number, ids: string[]) => `${version}:${ids.join(",")}`;

/** The routing's active users (by userKey), from the cache or one query. Throws when it fails. */
export async function activeUsers(
  conn: () => Promise<Connection>,
  routing: Routing,
  version: number,
  now: number,
): Promise<Set<string>> {
  const ids = routingUserIds(routing);
  const key = keyOf(version, ids);
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.active;
  const active = new Set<string>();
  if (ids.length) {
    const c = await conn();
    for (const soql of inQueries("SELECT Id, IsActive FROM User WHERE Id IN", ids)) {
      const result = await c.query<Record<string, unknown>>(soql);
      for (const record of result.records) {
        const user = UserSchema.safeParse(record);
        if (user.success && user.data.IsActive) active.add(userKey(user.data.Id));
      }
    }
  }
  for (const [k, entry] of cache) if (entry.until <= now) cache.delete(k);
  cache.set(key, { until: now + ACTIVE_USERS_TTL_MS, active });
  return active;
}

/** Empties the cache (tests that deactivate a user mid-file). */
export function forgetActiveUsers(): void {
  cache.clear();
}
