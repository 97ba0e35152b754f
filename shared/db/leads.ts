import type { AuditStep, LeadOrigin, LeadStatus } from "../contracts/outcomes";
import { utcDay } from "../days";

export interface LeadRow {
  contact_id: string;
  portal_id: string;
  lead_id: string;
  status: LeadStatus;
  source: string | null;
  email_domain: string | null;
  reasons: string;
  rules_version: number | null;
  engagement_score: number | null;
  salesforce_lead_id: string | null;
  first_event_at: number | null;
  last_event_at: number | null;
  judged_at: number | null;
  handed_off_at: number | null;
  feedback_key: string | null;
  merged_into: string | null;
  attempts: number;
  updated_at: number;
  push_key: string | null;
  criteria: string;
  /**
   * JSON reason codes a handed-off contact fails the rules in force for; null when it meets them.
   */
  no_longer_qualifies: string | null;
  /** How the contact reached its first handoff; null for handoffs made before origins were kept. */
  handoff_origin: LeadOrigin | null;
  /** When Leadbridge learnt the Lead is converted (and what it became): nothing is pushed after. */
  converted_at: number | null;
  converted_contact_id: string | null;
  converted_account_id: string | null;
  converted_opportunity_id: string | null;
  /** The Salesforce Contact an existing customer already is (status existing_contact only). */
  salesforce_contact_id: string | null;
  /** The mapping version that built the payload Salesforce was sent; null for refusals. */
  mapping_version: number | null;
  /** The first conversion event (or form) and first URL seen, for crediting collateral. */
  conversion_event: string | null;
  first_url: string | null;
}

/** A lead row as the handoff writes it (attempts is the database's own). */
export type LeadState = Omit<LeadRow, "attempts">;

export interface AuditEntry {
  contactId: string;
  step: AuditStep;
  detail?: Record<string, unknown>;
  at?: number;
}

/**
 * Many rows travel as one JSON parameter read back with `json_each`, so a batch of any size
 * costs a handful of D1 queries (1,000 per invocation is the limit), not one per row. A chunk
 * stays far below D1's 2 MB value limit.
 */
const JSON_CHUNK_CHARS = 400_000;

/** Rows as JSON arrays of at most `max` in `sizeOf`'s measure (characters unless told). */
export function jsonChunks(
  rows: unknown[],
  max = JSON_CHUNK_CHARS,
  sizeOf = (text: string) => text.length,
): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    const length = sizeOf(text);
    if (current.length && size + length + 1 > max) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += length + 1;
  }
  if (current.length) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

/** `json_extract(value, '$[0]'), …` for a row sent as a JSON array of `n` values. */
export const columnsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => `json_extract(value, '$[${i}]')`).join(", ");

export async function getLeads(
  db: D1Database,
  contactIds: string[],
): Promise<Map<string, LeadRow>> {
  const found = new Map<string, LeadRow>();
  for (const ids of jsonChunks(contactIds)) {
    const { results } = await db
      .prepare("SELECT * FROM leads WHERE contact_id IN (SELECT value FROM json_each(?))")
      .bind(ids)
      .all<LeadRow>();
    for (const row of results) found.set(row.contact_id, row);
  }
  return found;
}

const LEAD_COLUMNS = [
  "contact_id",
  "portal_id",
  "lead_id",
  "status",
  "source",
  "email_domain",
  "reasons",
  "rules_version",
  "engagement_score",
  "salesforce_lead_id",
  "first_event_at",
  "last_event_at",
  "judged_at",
  "handed_off_at",
  "feedback_key",
  "merged_into",
  "updated_at",
  "push_key",
  "criteria",
  "no_longer_qualifies",
  "handoff_origin",
  "converted_at",
  "converted_contact_id",
  "converted_account_id",
  "converted_opportunity_id",
  "salesforce_contact_id",
  "mapping_version",
  "conversion_event",
  "first_url",
] as const satisfies readonly (keyof LeadRow)[];

/**
 * D1 upserts of leads' rows, in order (a contact twice ends with its last row); first_event_at
 * keeps the earliest time ever seen, handed_off_at and handoff_origin the first hand-off, the
 * converted_* columns the first conversion learnt, conversion_event and first_url the first seen.
 */
export function upsertLeadRows(db: D1Database, leads: LeadState[]): D1PreparedStatement[] {
  return jsonChunks(leads.map((lead) => LEAD_COLUMNS.map((c) => lead[c]))).map((rows) =>
    db
      .prepare(
        `INSERT INTO leads (${LEAD_COLUMNS.join(", ")})
         SELECT ${columnsOf(LEAD_COLUMNS.length)} FROM json_each(?1) WHERE true
         ON CONFLICT (contact_id) DO UPDATE SET
           status = excluded.status, source = excluded.source, email_domain = excluded.email_domain,
           reasons = excluded.reasons, rules_version = excluded.rules_version,
           engagement_score = excluded.engagement_score,
           salesforce_lead_id = COALESCE(excluded.salesforce_lead_id, leads.salesforce_lead_id),
           first_event_at = MIN(COALESCE(leads.first_event_at, excluded.first_event_at), COALESCE(excluded.first_event_at, leads.first_event_at)),
           last_event_at = MAX(COALESCE(leads.last_event_at, 0), COALESCE(excluded.last_event_at, 0)),
           judged_at = excluded.judged_at,
           handed_off_at = COALESCE(leads.handed_off_at, excluded.handed_off_at),
           feedback_key = excluded.feedback_key, merged_into = excluded.merged_into,
           updated_at = excluded.updated_at, push_key = excluded.push_key, criteria = excluded.criteria,
           no_longer_qualifies = excluded.no_longer_qualifies,
           handoff_origin = CASE WHEN leads.handed_off_at IS NULL THEN excluded.handoff_origin ELSE leads.handoff_origin END,
           converted_at = COALESCE(leads.converted_at, excluded.converted_at),
           converted_contact_id = COALESCE(leads.converted_contact_id, excluded.converted_contact_id),
           converted_account_id = COALESCE(leads.converted_account_id, excluded.converted_account_id),
           converted_opportunity_id = COALESCE(leads.converted_opportunity_id, excluded.converted_opportunity_id),
           salesforce_contact_id = excluded.salesforce_contact_id,
           mapping_version = COALESCE(excluded.mapping_version, leads.mapping_version),
           conversion_event = COALESCE(leads.conversion_event, excluded.conversion_event),
           first_url = COALESCE(leads.first_url, excluded.first_url)`,
      )
      .bind(rows),
  );
}

/** Audit lines, in order (their ids keep it). */
export function insertAudits(
  db: D1Database,
  entries: AuditEntry[],
  batchId?: string,
): D1PreparedStatement[] {
  const now = Date.now();
  return jsonChunks(
    entries.map((e) => [
      e.contactId,
      e.at ?? now,
      e.step,
      JSON.stringify(e.detail ?? {}),
      batchId ?? null,
    ]),
  ).map((rows) =>
    db
      .prepare(
        `INSERT INTO audit (contact_id, at, step, detail, batch_id) SELECT ${columnsOf(5)} FROM json_each(?) ORDER BY key`,
      )
      .bind(rows),
  );
}

/** Event keys handled; a row's own `at` wins over the common one. */
export function markSeen(
  db: D1Database,
  keys: { key: string; contactId: string; at?: number }[],
  at: number,
): D1PreparedStatement[] {
  return jsonChunks(keys.map((k) => [k.key, k.contactId, k.at ?? at])).map((rows) =>
    db
      .prepare(
        `INSERT INTO seen_events (event_key, contact_id, seen_at) SELECT ${columnsOf(3)} FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`,
      )
      .bind(rows),
  );
}

export async function alreadySeen(db: D1Database, keys: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const chunk of jsonChunks(keys)) {
    const { results } = await db
      .prepare(
        "SELECT event_key FROM seen_events WHERE event_key IN (SELECT value FROM json_each(?))",
      )
      .bind(chunk)
      .all<{ event_key: string }>();
    for (const r of results) seen.add(r.event_key);
  }
  return seen;
}

/**
 * Privacy deletion, in bulk statements (a few whatever the number of contacts): every row that
 * holds the contact's id goes (lead row, audit trail, handled event keys, note intents, admin job
 * entries, sales outcome, judged snapshot, the Salesforce mirror's rows for its Leads and their pending work, its
 * dead letters), and other rows stop naming it (a merge's `merged_into`, the audit details that
 * name it, the nightly reports' stale-MQL lists; the latest report in KV is privacy.ts's). What stays is a count: the day's `privacy_deletions` counter.
 * A dead letter goes when it is about the contact alone (a one-contact letter, a single event, or
 * a delivery about it alone): its reason can quote a value Salesforce refused, and replaying it
 * would judge the contact again. Idempotent: a purge done twice changes nothing more.
 */
export function purgeContacts(
  db: D1Database,
  contactIds: string[],
  at: number,
  /** How many of them are new privacy deletions (the rest are late events of earlier ones). */
  deletions = contactIds.length,
): D1PreparedStatement[] {
  if (!contactIds.length) return [];
  const ids = JSON.stringify(contactIds);
  const of = (sql: string) => db.prepare(sql).bind(ids);
  const IDS = "(SELECT value FROM json_each(?1))";
  return [
    // Other contacts' audit details that name a purged contact: a merge's both ends.
    of(`UPDATE audit SET detail = json_remove(detail, '$.from')
        WHERE contact_id IN (SELECT merged_into FROM leads WHERE contact_id IN ${IDS} AND merged_into IS NOT NULL)
          AND json_valid(detail) AND json_extract(detail, '$.from') IN ${IDS}`),
    of(`UPDATE audit SET detail = json_remove(detail, '$.into')
        WHERE contact_id IN (SELECT contact_id FROM leads WHERE merged_into IN ${IDS})
          AND json_valid(detail) AND json_extract(detail, '$.into') IN ${IDS}`),
    of(`UPDATE leads SET merged_into = NULL WHERE merged_into IN ${IDS}`),
    of(`DELETE FROM leads WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM audit WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM seen_events WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM note_intents WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM job_contacts WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM sales_outcomes WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM judged_snapshots WHERE contact_id IN ${IDS}`),
    // Its routing assignment; the day's counts and the pools' turns it moved stay (numbers only).
    of(`DELETE FROM assignments WHERE contact_id IN ${IDS}`),
    of(`DELETE FROM sf_pending WHERE kind = 'outcome_lead'
          AND key IN (SELECT id FROM sf_leads WHERE hubspot_contact_id IN ${IDS})`),
    of(`DELETE FROM sf_leads WHERE hubspot_contact_id IN ${IDS}`),
    of(`DELETE FROM sf_lead_conversions WHERE hubspot_contact_id IN ${IDS}`),
    // The nightly reports' stale-MQL lists name contacts; the counts beside them stay.
    of(`UPDATE funnel_reports SET report = json_set(report, '$.sales.staleMqls.oldest',
          (SELECT json_group_array(json(o.value)) FROM json_each(report, '$.sales.staleMqls.oldest') o
           WHERE json_extract(o.value, '$.contactId') NOT IN ${IDS}))
        WHERE json_valid(report) AND EXISTS (SELECT 1 FROM json_each(report, '$.sales.staleMqls.oldest') o
          WHERE json_extract(o.value, '$.contactId') IN ${IDS})`),
    of(`DELETE FROM dead_letters
        WHERE CASE WHEN json_valid(body) THEN coalesce(json_extract(body, '$.contactId'), json_extract(body, '$.events[0].contactId')) END IN ${IDS}`),
    ...(deletions
      ? [
          db
            .prepare(
              `INSERT INTO daily_counters (day, name, value) VALUES (?, 'privacy_deletions', ?)
               ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value`,
            )
            .bind(utcDay(at), deletions),
        ]
      : []),
  ];
}
