import { DEFAULT_MAPPING, type Mapping, MappingSchema } from "../contracts/mapping";

export interface MappingVersion {
  version: number;
  mapping: Mapping;
  createdAt: number;
  createdBy: string;
  note: string | null;
}

type Row = {
  version: number;
  mapping: string;
  created_at: number;
  created_by: string;
  note: string | null;
};

const toVersion = (row: Row): MappingVersion => ({
  version: row.version,
  mapping: MappingSchema.parse(JSON.parse(row.mapping)),
  createdAt: row.created_at,
  createdBy: row.created_by,
  note: row.note,
});

/** The mapping in force: the highest version, seeding DEFAULT_MAPPING as version 1 on first use. */
export async function currentMapping(db: D1Database): Promise<MappingVersion> {
  const found = await latestMapping(db);
  if (found) return found;
  await db
    .prepare(
      "INSERT INTO mappings (version, mapping, created_at, created_by, note) VALUES (1, ?, ?, 'leadbridge', 'defaults') ON CONFLICT (version) DO NOTHING",
    )
    .bind(JSON.stringify(DEFAULT_MAPPING), Date.now())
    .run();
  return currentMapping(db);
}

/** The highest version stored, without seeding the defaults (a read that writes nothing). */
export async function latestMapping(db: D1Database): Promise<MappingVersion | null> {
  const row = await db.prepare("SELECT * FROM mappings ORDER BY version DESC LIMIT 1").first<Row>();
  return row ? toVersion(row) : null;
}

export async function mappingVersion(
  db: D1Database,
  version: number,
): Promise<MappingVersion | null> {
  const row = await db
    .prepare("SELECT * FROM mappings WHERE version = ?")
    .bind(version)
    .first<Row>();
  return row ? toVersion(row) : null;
}

export async function listMappings(db: D1Database): Promise<MappingVersion[]> {
  const { results } = await db.prepare("SELECT * FROM mappings ORDER BY version DESC").all<Row>();
  return results.map(toVersion);
}

/** Stores a new version; the caller validated `mapping`. Concurrent writers cannot share a number. */
export async function saveMapping(
  db: D1Database,
  mapping: Mapping,
  createdBy: string,
  note?: string,
): Promise<MappingVersion> {
  const current = await currentMapping(db);
  const version = current.version + 1;
  await db
    .prepare(
      "INSERT INTO mappings (version, mapping, created_at, created_by, note) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(
      version,
      JSON.stringify(MappingSchema.parse(mapping)),
      Date.now(),
      createdBy,
      note ?? null,
    )
    .run();
  return (await mappingVersion(db, version))!;
}
