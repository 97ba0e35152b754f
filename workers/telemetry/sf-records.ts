import { z } from "zod";
import { utcDay } from "../../shared/days";
import { jsonColumns } from "../outcomes/store";

// Salesforce rows as the pull selects them, parsed before use, and their mirror rows in D1.

/**
 * Salesforce datetimes come as "2026-04-21T09:30:00.000+0000"; Date.parse wants the offset with a
 * colon.
 */
export function sfTime(value: string): number {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (Number.isNaN(ms)) throw new Error(`unreadable Salesforce datetime ${value}`);
  return ms;
}

const id = z.string().min(15).max(18);
const datetime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"))), "datetime");

export const OpportunitySchema = z.object({
  Id: id,
  OwnerId: id.nullable(),
  StageName: z.string(),
  Amount: z.number().nullable(),
  LeadSource: z.string().nullable(),
  IsClosed: z.boolean(),
  IsWon: z.boolean(),
  CreatedDate: datetime,
  SystemModstamp: datetime,
});

export const HistorySchema = z.object({
  Id: id,
  OpportunityId: id,
  StageName: z.string().nullable(),
  CreatedDate: datetime,
});

export const StageSchema = z.object({
  ApiName: z.string(),
  IsActive: z.boolean(),
  IsClosed: z.boolean(),
  IsWon: z.boolean(),
  SortOrder: z.number().nullable(),
  SystemModstamp: datetime,
});

export const UserSchema = z.object({
  Id: id,
  Username: z.string().nullable(),
  Name: z.string().nullable(),
  IsActive: z.boolean(),
  Start_Date__c: z.string().nullable().optional(),
  SystemModstamp: datetime,
});

export const ConvertedLeadSchema = z.object({
  Id: id,
  HubSpot_Contact_Id__c: z.string().nullable().optional(),
  ConvertedOpportunityId: id.nullable(),
  ConvertedDate: z.string().nullable(),
  LeadSource: z.string().nullable(),
  SystemModstamp: datetime,
});

const LeadFieldsSchema = z.object({
  Id: id,
  HubSpot_Contact_Id__c: z.string().nullable().optional(),
  Status: z.string().nullable(),
  IsConverted: z.boolean(),
  ConvertedContactId: id.nullable(),
  ConvertedAccountId: id.nullable(),
  ConvertedOpportunityId: id.nullable(),
  ConvertedDate: z.string().nullable(),
  LeadSource: z.string().nullable(),
  SystemModstamp: datetime,
  // A picklist or text field; a number field is read as its text.
  DisqualificationReason: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined || v === "" ? null : String(v))),
});

/**
 * Every Lead Leadbridge handed off. Sales' reason for a refusal is read from the configured field
 * (`reasonField`; none when the org lacks it) into `DisqualificationReason`, so the rest of the
 * code knows one name.
 */
export function leadSchema(reasonField: string | null) {
  return z.preprocess(
    (raw) =>
      raw && typeof raw === "object"
        ? {
            ...raw,
            DisqualificationReason: reasonField
              ? (raw as Record<string, unknown>)[reasonField]
              : null,
          }
        : raw,
    LeadFieldsSchema,
  );
}
export type SfLead = z.infer<typeof LeadFieldsSchema>;

export type SfOpportunity = z.infer<typeof OpportunitySchema>;
export type SfHistory = z.infer<typeof HistorySchema>;
export type SfStage = z.infer<typeof StageSchema>;
export type SfUser = z.infer<typeof UserSchema>;
export type SfConvertedLead = z.infer<typeof ConvertedLeadSchema>;

/**
 * Rows per upsert statement: a SOQL page (2,000 rows) travels as one JSON parameter read back with
 * json_each, so a page costs a statement per table whatever its size (D1 allows 1,000 queries per
 * invocation); 2,000 mirror rows are a few hundred KB, below D1's 2 MB value limit.
 */
export const ROWS_PER_STATEMENT = 2_000;

/** `INSERT … SELECT` over `rows` (arrays of column values), ROWS_PER_STATEMENT at a time. */
export function insertRows(
  db: D1Database,
  sql: (select: string) => string,
  rows: unknown[][],
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  const columns = rows[0]?.length ?? 0;
  const select = `SELECT ${jsonColumns(columns)} FROM json_each(?) WHERE true`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    out.push(db.prepare(sql(select)).bind(JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))));
  return out;
}

export function upsertOpportunities(db: D1Database, rows: SfOpportunity[]): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_opportunities (id, owner_id, stage_name, amount, lead_source, is_closed, is_won, created_day, modstamp)
       ${select}
       ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, stage_name = excluded.stage_name, amount = excluded.amount,
         lead_source = excluded.lead_source, is_closed = excluded.is_closed, is_won = excluded.is_won, modstamp = excluded.modstamp`,
    rows.map((o) => [
      o.Id,
      o.OwnerId,
      o.StageName,
      o.Amount,
      o.LeadSource,
      o.IsClosed ? 1 : 0,
      o.IsWon ? 1 : 0,
      utcDay(sfTime(o.CreatedDate)),
      o.SystemModstamp,
    ]),
  );
}

export function upsertHistories(db: D1Database, rows: SfHistory[]): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_opportunity_history (id, opportunity_id, stage_name, created_at, day) ${select}
       ON CONFLICT (id) DO NOTHING`,
    rows.map((h) => {
      const at = sfTime(h.CreatedDate);
      return [h.Id, h.OpportunityId, h.StageName ?? "", at, utcDay(at)];
    }),
  );
}

export function upsertStages(db: D1Database, rows: SfStage[]): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_stages (name, is_closed, is_won, sort_order, is_active) ${select}
       ON CONFLICT (name) DO UPDATE SET is_closed = excluded.is_closed, is_won = excluded.is_won,
         sort_order = excluded.sort_order, is_active = excluded.is_active`,
    rows.map((s) => [
      s.ApiName,
      s.IsClosed ? 1 : 0,
      s.IsWon ? 1 : 0,
      s.SortOrder,
      s.IsActive ? 1 : 0,
    ]),
  );
}

export function upsertUsers(db: D1Database, rows: SfUser[]): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_users (id, username, name, start_date, is_active) ${select}
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, name = excluded.name,
         start_date = excluded.start_date, is_active = excluded.is_active`,
    rows.map((u) => [u.Id, u.Username, u.Name, u.Start_Date__c ?? null, u.IsActive ? 1 : 0]),
  );
}

/** The day a conversion counts on: its ConvertedDate, else the day it was last stamped. */
export function convertedDay(l: Pick<SfConvertedLead, "ConvertedDate" | "SystemModstamp">): string {
  return l.ConvertedDate ?? utcDay(sfTime(l.SystemModstamp));
}

export function upsertConversions(db: D1Database, rows: SfConvertedLead[]): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_lead_conversions (lead_id, hubspot_contact_id, opportunity_id, lead_source, converted_day) ${select}
       ON CONFLICT (lead_id) DO UPDATE SET opportunity_id = excluded.opportunity_id, lead_source = excluded.lead_source,
         converted_day = excluded.converted_day`,
    rows.map((l) => [
      l.Id,
      l.HubSpot_Contact_Id__c ?? null,
      l.ConvertedOpportunityId,
      l.LeadSource,
      convertedDay(l),
    ]),
  );
}

/**
 * The Leads' rows in sf_leads; first_touched_at is kept once set (`touchedAt` is null while the
 * Lead is in an open status).
 */
export function upsertSfLeads(
  db: D1Database,
  rows: { lead: SfLead; touchedAt: number | null }[],
): D1PreparedStatement[] {
  return insertRows(
    db,
    (select) =>
      `INSERT INTO sf_leads (id, hubspot_contact_id, status, disqualification_reason, is_converted, converted_contact_id,
         converted_account_id, converted_opportunity_id, lead_source, first_touched_at, modstamp)
       ${select}
       ON CONFLICT (id) DO UPDATE SET hubspot_contact_id = excluded.hubspot_contact_id, status = excluded.status,
         disqualification_reason = excluded.disqualification_reason, is_converted = excluded.is_converted,
         converted_contact_id = excluded.converted_contact_id, converted_account_id = excluded.converted_account_id,
         converted_opportunity_id = excluded.converted_opportunity_id, lead_source = excluded.lead_source,
         first_touched_at = COALESCE(sf_leads.first_touched_at, excluded.first_touched_at), modstamp = excluded.modstamp`,
    rows.map(({ lead: l, touchedAt }) => [
      l.Id,
      l.HubSpot_Contact_Id__c ?? null,
      l.Status,
      l.DisqualificationReason,
      l.IsConverted ? 1 : 0,
      l.ConvertedContactId,
      l.ConvertedAccountId,
      l.ConvertedOpportunityId,
      l.LeadSource,
      touchedAt,
      l.SystemModstamp,
    ]),
  );
}

/** The columns of an sf_leads row the pull compares and the outcome sync derives from. */
export type SfLeadRow = {
  id: string;
  hubspot_contact_id: string | null;
  status: string | null;
  disqualification_reason: string | null;
  is_converted: number;
  converted_contact_id: string | null;
  converted_account_id: string | null;
  converted_opportunity_id: string | null;
};
