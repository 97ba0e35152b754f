import type { z } from "zod";

// The rules, the field mapping and the routing are each a table of versions (version, the
// document as JSON, created_at, created_by, note), read and saved alike; the highest version is
// the one in force.

/** A stored version, its document under `key` (`{ version, rules, createdAt, … }`). */
export type Version<K extends string, T> = {
  version: number;
  createdAt: number;
  createdBy: string;
  note: string | null;
} & { [P in K]: T };

type Row = {
  version: number;
  created_at: number;
  created_by: string;
  note: string | null;
  [column: string]: unknown;
};

/** The reads and the save of one versioned table whose document column is `key`. */
export function versionTable<K extends string, T>(table: string, key: K, schema: z.ZodType<T>) {
  const toVersion = (row: Row) =>
    ({
      version: row.version,
      [key]: schema.parse(JSON.parse(row[key] as string)),
      createdAt: row.created_at,
      createdBy: row.created_by,
      note: row.note,
    }) as Version<K, T>;
  const one = async (db: D1Database, where: string, ...binds: unknown[]) => {
    const row = await db
      .prepare(`SELECT * FROM ${table} ${where} ORDER BY version DESC LIMIT 1`)
      .bind(...binds)
      .first<Row>();
    return row ? toVersion(row) : null;
  };
  return {
    /** The highest version stored, or null while there is none. */
    latest: (db: D1Database) => one(db, ""),
    version: (db: D1Database, version: number) => one(db, "WHERE version = ?", version),
    /** The highest version saved before `at` (ms), or null. */
    inForceAt: (db: D1Database, at: number) => one(db, "WHERE created_at < ?", at),
    list: async (db: D1Database) => {
      const { results } = await db
        .prepare(`SELECT * FROM ${table} ORDER BY version DESC`)
        .all<Row>();
      return results.map(toVersion);
    },
    /** Stores `document` as version 1 unless a version 1 exists (the defaults, on first use). */
    seed: async (db: D1Database, document: T) => {
      await db
        .prepare(
          `INSERT INTO ${table} (version, ${key}, created_at, created_by, note) VALUES (1, ?, ?, 'leadbridge', 'defaults') ON CONFLICT (version) DO NOTHING`,
        )
        .bind(JSON.stringify(document), Date.now())
        .run();
    },
    /**
     * Stores the next version in one statement; the caller validated `document`. Concurrent
     * writers cannot share a number (the loser fails on the table's key).
     */
    save: async (db: D1Database, document: T, createdBy: string, note?: string) => {
      const row = await db
        .prepare(
          `INSERT INTO ${table} (version, ${key}, created_at, created_by, note)
           SELECT coalesce(max(version), 0) + 1, ?, ?, ?, ? FROM ${table} RETURNING *`,
        )
        .bind(JSON.stringify(schema.parse(document)), Date.now(), createdBy, note ?? null)
        .first<Row>();
      return toVersion(row!);
    },
  };
}
