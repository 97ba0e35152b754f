// Reps' quotas (the quotas table: owner is a Salesforce User Id or Username, month '*' or
// YYYY-MM) and the start dates set through the admin API (rep_start_dates, migration 0023).

export interface QuotaEntry {
  month: string;
  amount: number;
}

export interface RepQuotas {
  rep: string;
  name: string | null;
  quotas: QuotaEntry[];
}

/** Every rep's quotas, by owner as stored, the standing quota first, then month by month. */
export async function readQuotas(db: D1Database): Promise<RepQuotas[]> {
  const { results } = await db
    .prepare(
      `SELECT q.owner, q.month, q.amount,
         (SELECT u.name FROM sf_users u WHERE u.id = q.owner OR u.username = q.owner LIMIT 1) AS name
       FROM quotas q ORDER BY q.owner, q.month = '*' DESC, q.month`,
    )
    .all<{ owner: string; month: string; amount: number; name: string | null }>();
  const byRep = new Map<string, RepQuotas>();
  for (const row of results) {
    const rep = byRep.get(row.owner) ?? { rep: row.owner, name: row.name, quotas: [] };
    rep.quotas.push({ month: row.month, amount: row.amount });
    byRep.set(row.owner, rep);
  }
  return [...byRep.values()];
}

/**
 * Replaces the quotas of each rep in one batch: the rows under any of `aliases` (its Id in 15 and
 * 18 characters, its Username) go, `quotas` are written under `owner`. A rep known by two keys
 * would otherwise keep an old row that shadows the new one (quotaFor: id beats username).
 */
export async function replaceQuotas(
  db: D1Database,
  reps: { owner: string; aliases: string[]; quotas: QuotaEntry[] }[],
): Promise<void> {
  const statements = reps.flatMap((rep) => [
    db
      .prepare("DELETE FROM quotas WHERE owner IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify([rep.owner, ...rep.aliases])),
    ...rep.quotas.map((q) =>
      db
        .prepare("INSERT INTO quotas (owner, month, amount) VALUES (?, ?, ?)")
        .bind(rep.owner, q.month, q.amount),
    ),
  ]);
  await db.batch(statements);
}

export interface RepRow {
  userId: string;
  username: string | null;
  name: string | null;
  active: boolean | null;
  salesforceStartDate: string | null;
  startDateOverride: string | null;
  startDate: string | null;
}

type JoinedRow = {
  id: string;
  username: string | null;
  name: string | null;
  is_active: number | null;
  sf_start: string | null;
  override: string | null;
};

const toRep = (r: JoinedRow): RepRow => ({
  userId: r.id,
  username: r.username,
  name: r.name,
  active: r.is_active === null ? null : r.is_active === 1,
  salesforceStartDate: r.sf_start,
  startDateOverride: r.override,
  startDate: r.override ?? r.sf_start,
});

/**
 * The reps the Salesforce mirror knows, with the start date time to ramp counts from, and the
 * overrides of users the mirror does not hold yet (the nightly pulls them).
 */
export async function readReps(db: D1Database, userId?: string): Promise<RepRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM (
         SELECT u.id, u.username, u.name, u.is_active, u.start_date AS sf_start, o.start_date AS override
         FROM sf_users u LEFT JOIN rep_start_dates o ON o.user_id = u.id
         UNION ALL
         SELECT o.user_id, NULL, NULL, NULL, NULL, o.start_date
         FROM rep_start_dates o WHERE o.user_id NOT IN (SELECT id FROM sf_users)
       ) WHERE ?1 IS NULL OR id = ?1 ORDER BY is_active = 1 DESC, name, id`,
    )
    .bind(userId ?? null)
    .all<JoinedRow>();
  return results.map(toRep);
}

/** Sets (or, with null, drops) the start date that overrides Salesforce's for one rep. */
export async function setRepStartDate(
  db: D1Database,
  userId: string,
  startDate: string | null,
  actor: string,
  now = Date.now(),
): Promise<void> {
  await (startDate === null
    ? db.prepare("DELETE FROM rep_start_dates WHERE user_id = ?").bind(userId)
    : db
        .prepare(
          `INSERT INTO rep_start_dates (user_id, start_date, set_at, set_by) VALUES (?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET start_date = excluded.start_date,
             set_at = excluded.set_at, set_by = excluded.set_by`,
        )
        .bind(userId, startDate, now, actor)
  ).run();
}
