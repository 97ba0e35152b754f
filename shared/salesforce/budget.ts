const USAGE_KEY = "salesforce:usage";

export interface ApiUsage {
  used: number;
  max: number;
  at: number;
}

/** Latest `Sforce-Limit-Info` seen by any invocation (KV, so it may be a minute stale). */
export async function readUsage(kv: KVNamespace): Promise<ApiUsage | null> {
  return kv.get<ApiUsage>(USAGE_KEY, "json");
}

/** Best effort: KV allows one write per second per key, and a missed update only delays a hold. */
export async function recordUsage(
  kv: KVNamespace,
  usage: { used: number; limit: number } | undefined,
): Promise<void> {
  if (!usage) return;
  const value: ApiUsage = { used: usage.used, max: usage.limit, at: Date.now() };
  // Expire so a held queue probes again once the daily allocation has rolled over.
  await kv.put(USAGE_KEY, JSON.stringify(value), { expirationTtl: 15 * 60 }).catch(() => {});
}

/** True when pushing now would eat into the share of the daily allocation kept for others. */
export function overBudget(usage: ApiUsage | null, share: number): boolean {
  return usage !== null && usage.max > 0 && usage.used / usage.max >= share;
}
