// One outcome sync at a time: the cron and an admin run never write the same rows at once.

export const OUTCOME_LEASE = "outcome_sync";
/**
 * Longer than a run's longest step (a run renews it between steps); a run that died lets the next
 * one in once it expires, two cron ticks later at most.
 */
export const LEASE_MS = 10 * 60_000;

export interface Lease {
  holder: string;
  /** Extends the lease from `now`; false when it was lost (expired and taken by another run). */
  renew(now: number): Promise<boolean>;
  release(): Promise<void>;
}

/** The lease, or the time the one held by another run expires. */
export async function acquireLease(
  db: D1Database,
  holder: string,
  now: number,
): Promise<Lease | { heldUntil: number }> {
  const taken = await db
    .prepare(
      `INSERT INTO sync_leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE sync_leases.expires_at <= ?4`,
    )
    .bind(OUTCOME_LEASE, holder, now + LEASE_MS, now)
    .run();
  if (taken.meta.changes === 1)
    return {
      holder,
      renew: async (at) => {
        const renewed = await db
          .prepare("UPDATE sync_leases SET expires_at = ? WHERE name = ? AND holder = ?")
          .bind(at + LEASE_MS, OUTCOME_LEASE, holder)
          .run();
        return renewed.meta.changes === 1;
      },
      release: async () => {
        await db
          .prepare("DELETE FROM sync_leases WHERE name = ? AND holder = ?")
          .bind(OUTCOME_LEASE, holder)
          .run();
      },
    };
  const held = await db
    .prepare("SELECT expires_at FROM sync_leases WHERE name = ?")
    .bind(OUTCOME_LEASE)
    .first<{ expires_at: number }>();
  return { heldUntil: held?.expires_at ?? now };
}
