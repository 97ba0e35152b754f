import { columnsOf, jsonChunks } from "./leads";

/** Property values as a judgement read them: every asked key, null when HubSpot had no value. */
export type SnapshotProperties = Record<string, string | null>;

/** What a contact's last judgement read (docs/rules.md, "Preview"). */
export interface JudgedSnapshot {
  contactId: string;
  judgedAt: number;
  rulesVersion: number;
  contact: SnapshotProperties;
  /** Its primary company's properties (with `hs_object_id`); null when it had none. */
  company: SnapshotProperties | null;
}

/** A bound JSON parameter stays at most this many bytes (D1 takes up to 2 MB a value). */
const SNAPSHOT_CHUNK_BYTES = 500_000;
const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).byteLength;

/** Upserts of snapshots, a few bulk statements whatever their number (a contact's last one wins). */
export function upsertSnapshots(
  db: D1Database,
  snapshots: JudgedSnapshot[],
): D1PreparedStatement[] {
  const rows = snapshots.map((s) => [
    s.contactId,
    s.judgedAt,
    s.rulesVersion,
    s.contact,
    s.company,
  ]);
  return jsonChunks(rows, SNAPSHOT_CHUNK_BYTES, utf8Length).map((chunk) =>
    db
      .prepare(
        `INSERT INTO judged_snapshots (contact_id, judged_at, rules_version, contact, company)
         SELECT ${columnsOf(5)} FROM json_each(?1) WHERE true
         ON CONFLICT (contact_id) DO UPDATE SET judged_at = excluded.judged_at,
           rules_version = excluded.rules_version, contact = excluded.contact, company = excluded.company`,
      )
      .bind(chunk),
  );
}

interface Row {
  contact_id: string;
  judged_at: number;
  rules_version: number;
  contact: string;
  company: string | null;
}

/** The snapshots judged at or after `since`, by contact id after `after`, `limit` at most. */
export async function snapshotPage(
  db: D1Database,
  since: number,
  after: string,
  limit: number,
): Promise<JudgedSnapshot[]> {
  const { results } = await db
    .prepare(
      "SELECT * FROM judged_snapshots WHERE contact_id > ?1 AND judged_at >= ?2 ORDER BY contact_id LIMIT ?3",
    )
    .bind(after, since, limit)
    .all<Row>();
  return results.map((r) => ({
    contactId: r.contact_id,
    judgedAt: r.judged_at,
    rulesVersion: r.rules_version,
    contact: JSON.parse(r.contact),
    company: r.company == null ? null : JSON.parse(r.company),
  }));
}
