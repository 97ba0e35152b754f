export type LeadStatus = "handed_off" | "rejected" | "held" | "deleted" | "merged" | "error";

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
}

export interface AuditEntry {
  contactId: string;
  step: string;
  detail?: Record<string, unknown>;
  at?: number;
}

export async function getLeads(db: D1Database, contactIds: string[]): Promise<Map<string, LeadRow>> {
  const found = new Map<string, LeadRow>();
  for (let i = 0; i < contactIds.length; i += 90) {
    const chunk = contactIds.slice(i, i + 90);
    const { results } = await db
      .prepare(`SELECT * FROM leads WHERE contact_id IN (${chunk.map(() => "?").join(",")})`)
      .bind(...chunk)
      .all<LeadRow>();
    for (const row of results) found.set(row.contact_id, row);
  }
  return found;
}

/** Upsert of a lead's state; first_event_at keeps the earliest time ever seen. */
export function upsertLead(db: D1Database, lead: Omit<LeadRow, "attempts">): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO leads (contact_id, portal_id, lead_id, status, source, email_domain, reasons, rules_version,
         engagement_score, salesforce_lead_id, first_event_at, last_event_at, judged_at, handed_off_at,
         feedback_key, merged_into, updated_at, push_key, criteria)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
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
         updated_at = excluded.updated_at, push_key = excluded.push_key, criteria = excluded.criteria`,
    )
    .bind(
      lead.contact_id, lead.portal_id, lead.lead_id, lead.status, lead.source, lead.email_domain, lead.reasons,
      lead.rules_version, lead.engagement_score, lead.salesforce_lead_id, lead.first_event_at, lead.last_event_at,
      lead.judged_at, lead.handed_off_at, lead.feedback_key, lead.merged_into, lead.updated_at, lead.push_key,
      lead.criteria,
    );
}

export function audit(db: D1Database, entry: AuditEntry, batchId?: string): D1PreparedStatement {
  return db
    .prepare("INSERT INTO audit (contact_id, at, step, detail, batch_id) VALUES (?, ?, ?, ?, ?)")
    .bind(entry.contactId, entry.at ?? Date.now(), entry.step, JSON.stringify(entry.detail ?? {}), batchId ?? null);
}

export function markSeen(db: D1Database, keys: { key: string; contactId: string }[], at: number): D1PreparedStatement[] {
  return keys.map(({ key, contactId }) =>
    db.prepare("INSERT INTO seen_events (event_key, contact_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").bind(key, contactId, at),
  );
}

export async function alreadySeen(db: D1Database, keys: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i += 90) {
    const chunk = keys.slice(i, i + 90);
    const { results } = await db
      .prepare(`SELECT event_key FROM seen_events WHERE event_key IN (${chunk.map(() => "?").join(",")})`)
      .bind(...chunk)
      .all<{ event_key: string }>();
    for (const r of results) seen.add(r.event_key);
  }
  return seen;
}

/** Privacy deletion: the lead row and every audit detail go; one bare audit line says it happened. */
export function purgeContact(db: D1Database, contactId: string, at: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM leads WHERE contact_id = ?").bind(contactId),
    db.prepare("DELETE FROM audit WHERE contact_id = ?").bind(contactId),
    db.prepare("DELETE FROM seen_events WHERE contact_id = ?").bind(contactId),
    db.prepare("INSERT INTO audit (contact_id, at, step, detail) VALUES (?, ?, 'privacy_deleted', '{}')").bind(contactId, at),
  ];
}
