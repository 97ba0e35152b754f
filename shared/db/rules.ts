import { DEFAULT_RULES, type Rules, RulesSchema } from "../contracts/rules";

export interface RulesVersion {
  version: number;
  rules: Rules;
  createdAt: number;
  createdBy: string;
  note: string | null;
}

type Row = {
  version: number;
  rules: string;
  created_at: number;
  created_by: string;
  note: string | null;
};

const toVersion = (row: Row): RulesVersion => ({
  version: row.version,
  rules: RulesSchema.parse(JSON.parse(row.rules)),
  createdAt: row.created_at,
  createdBy: row.created_by,
  note: row.note,
});

/** The rules in force: the highest version, seeding the defaults as version 1 on first use. */
export async function currentRules(db: D1Database): Promise<RulesVersion> {
  const found = await latestRules(db);
  if (found) return found;
  await db
    .prepare(
      "INSERT INTO rules (version, rules, created_at, created_by, note) VALUES (1, ?, ?, 'leadbridge', 'defaults') ON CONFLICT (version) DO NOTHING",
    )
    .bind(JSON.stringify(DEFAULT_RULES), Date.now())
    .run();
  return currentRules(db);
}

/** The highest version stored, without seeding the defaults (a read that writes nothing). */
export async function latestRules(db: D1Database): Promise<RulesVersion | null> {
  const row = await db.prepare("SELECT * FROM rules ORDER BY version DESC LIMIT 1").first<Row>();
  return row ? toVersion(row) : null;
}

export async function rulesVersion(db: D1Database, version: number): Promise<RulesVersion | null> {
  const row = await db.prepare("SELECT * FROM rules WHERE version = ?").bind(version).first<Row>();
  return row ? toVersion(row) : null;
}

export async function listRules(db: D1Database): Promise<RulesVersion[]> {
  const { results } = await db.prepare("SELECT * FROM rules ORDER BY version DESC").all<Row>();
  return results.map(toVersion);
}

/** Stores a new version; the caller validated `rules`. Concurrent writers cannot share a number. */
export async function saveRules(
  db: D1Database,
  rules: Rules,
  createdBy: string,
  note?: string,
): Promise<RulesVersion> {
  const current = await currentRules(db);
  const version = current.version + 1;
  await db
    .prepare(
      "INSERT INTO rules (version, rules, created_at, created_by, note) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(version, JSON.stringify(RulesSchema.parse(rules)), Date.now(), createdBy, note ?? null)
    .run();
  return (await rulesVersion(db, version))!;
}
