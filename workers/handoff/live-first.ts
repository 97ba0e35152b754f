/**
 * Live leads first: the backfill lane (backfills and resyncs) waits while webhook deliveries are
 * being handed off, so a live burst has HubSpot's per-app limit to itself instead of sharing it
 * with a backfill running at that limit. "Being handed off" is read from D1: the live consumer
 * records each delivery (webhook_deliveries, indexed on received_at) as it takes it, so one received
 * in the last LIVE_QUIET_MS means live work is under way. A batch waits at most MAX_YIELD_MS, so a
 * steady trickle of webhooks slows a backfill without stopping it. It sleeps until the last
 * delivery it saw is LIVE_QUIET_MS old, then looks again: a few D1 reads a batch, not a poll.
 */
export const LIVE_QUIET_MS = 2_000;
export const MAX_YIELD_MS = 5_000;

/**
 * Waits until no live delivery was received for LIVE_QUIET_MS (at most `maxMs`, MAX_YIELD_MS by
 * default): the ms it slept (0 when it did not).
 */
export async function yieldToLiveLeads(
  db: D1Database,
  opts: { now?: () => number; sleep?: (ms: number) => Promise<void>; maxMs?: number } = {},
): Promise<number> {
  const maxMs = opts.maxMs ?? MAX_YIELD_MS;
  if (maxMs <= 0) return 0;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  let waited = 0;
  for (;;) {
    let last: number | null;
    try {
      const row = await db
        .prepare("SELECT max(received_at) AS at FROM webhook_deliveries")
        .first<{ at: number | null }>();
      last = row?.at ?? null;
    } catch {
      // D1 failing: the handoff's own handling of that takes over.
      return waited;
    }
    const t = now();
    if (last === null || t - last >= LIVE_QUIET_MS || waited >= maxMs) return waited;
    await sleep(Math.min(last + LIVE_QUIET_MS - t, maxMs - waited));
    waited = now() - started;
  }
}
