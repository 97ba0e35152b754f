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

export async function recordUsage(kv: KVNamespace, usage: { used: number; limit: number } | undefined): Promise<void> {
  if (!usage) return;
  await kv.put(USAGE_KEY, JSON.stringify({ used: usage.used, max: usage.limit, at: Date.now() } satisfies ApiUsage), {
    // Expire so a held queue probes again once the daily allocation has rolled over.
    expirationTtl: 15 * 60,
  });
}

/** True when pushing now would eat into the share of the daily allocation kept for others. */
export function overBudget(usage: ApiUsage | null, share: number): boolean {
  return usage !== null && usage.max > 0 && usage.used / usage.max >= share;
}
