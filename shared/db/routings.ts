import { type Routing, RoutingSchema } from "../contracts/routing";

// Routing versions (docs/routing.md). Unlike the rules and the mapping nothing is seeded: until an
// admin saves a routing, new Leads follow SALESFORCE_LEAD_ASSIGNMENT as they always did.

export interface RoutingVersion {
  version: number;
  routing: Routing;
  createdAt: number;
  createdBy: string;
  note: string | null;
}

type Row = {
  version: number;
  routing: string;
  created_at: number;
  created_by: string;
  note: string | null;
};

const toVersion = (row: Row): RoutingVersion => ({
  version: row.version,
  routing: RoutingSchema.parse(JSON.parse(row.routing)),
  createdAt: row.created_at,
  createdBy: row.created_by,
  note: row.note,
});

/** The routing in force (the highest version), or null while none was saved. */
export async function latestRouting(db: D1Database): Promise<RoutingVersion | null> {
  const row = await db.prepare("SELECT * FROM routings ORDER BY version DESC LIMIT 1").first<Row>();
  return row ? toVersion(row) : null;
}

/** The routing in force at `at` (ms): the highest version saved before it, or null. */
export async function routingInForceAt(db: D1Database, at: number): Promise<RoutingVersion | null> {
  const row = await db
    .prepare("SELECT * FROM routings WHERE created_at < ? ORDER BY version DESC LIMIT 1")
    .bind(at)
    .first<Row>();
  return row ? toVersion(row) : null;
}

export async function routingVersion(
  db: D1Database,
  version: number,
): Promise<RoutingVersion | null> {
  const row = await db
    .prepare("SELECT * FROM routings WHERE version = ?")
    .bind(version)
    .first<Row>();
  return row ? toVersion(row) : null;
}

export async function listRoutings(db: D1Database): Promise<RoutingVersion[]> {
  const { results } = await db.prepare("SELECT * FROM routings ORDER BY version DESC").all<Row>();
  return results.map(toVersion);
}

/** Stores a new version; the caller validated `routing`. Concurrent writers cannot share a number. */
export async function saveRouting(
  db: D1Database,
  routing: Routing,
  createdBy: string,
  note?: string,
): Promise<RoutingVersion> {
  const version = ((await latestRouting(db))?.version ?? 0) + 1;
  await db
    .prepare(
      "INSERT INTO routings (version, routing, created_at, created_by, note) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(
      version,
      JSON.stringify(RoutingSchema.parse(routing)),
      Date.now(),
      createdBy,
      note ?? null,
    )
    .run();
  return (await routingVersion(db, version))!;
}
