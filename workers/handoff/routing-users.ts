import type { Connection } from "jsforce";
import { type Routing, routingUserIds } from "../../shared/contracts/routing";
import { userKey } from "../../shared/salesforce/ids";
import { readRoutingUsers } from "../../shared/salesforce/users";

// Which of a routing's users Salesforce says are active, cached in this isolate for a few minutes
// per routing version (and user list): one query per isolate every few minutes, not per batch.
// The staleness is acceptable because deactivating a rep is rare and deliberate, saving a routing
// (the admin API checks every user then) starts a fresh entry, and a user deactivated inside the
// window is at worst given a few more leads for minutes.

const ACTIVE_USERS_TTL_MS = 5 * 60_000;

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
  const users = ids.length ? await readRoutingUsers(await conn(), routing) : [];
  const active = new Set(users.filter((u) => u.IsActive).map((u) => userKey(u.Id)));
  for (const [k, entry] of cache) if (entry.until <= now) cache.delete(k);
  cache.set(key, { until: now + ACTIVE_USERS_TTL_MS, active });
  return active;
}

/** Empties the cache (tests that deactivate a user mid-file). */
export function forgetActiveUsers(): void {
  cache.clear();
}
