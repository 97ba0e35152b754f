import { utcDay } from "../../shared/days";
import {
  convertedDay,
  type SfHistory,
  type SfLead,
  type SfLeadRow,
  type SfOpportunity,
  sfTime,
} from "./sf-records";
import { selectIn } from "./store";

// What a pulled page changes in the mirror. The pull re-reads rows stamped at its cursor's
// second, and a deal's stage move does not change the day it was created: only real changes
// mark days for rebuilding, so a night's work follows the day's changes, not the history.

export interface PageChanges {
  /** Rows new to the mirror or different from it. */
  changed: Record<string, unknown>[];
  /**
   * Opportunities whose creation-day counts change: new, or with another lead source or creation
   * day.
   */
  recounted: Set<string>;
  /** Leads new to sf_leads or stamped since (their sales outcome is derived again). */
  outcomes?: string[];
}

export async function pageChanges(
  db: D1Database,
  object: string,
  rows: Record<string, unknown>[],
): Promise<PageChanges> {
  const ids = rows.map((r) => String(r.Id));
  if (object === "Opportunity") {
    const held = await byId<{
      id: string;
      lead_source: string | null;
      created_day: string;
      modstamp: string;
      stage_name: string;
      is_won: number;
      is_closed: number;
      amount: number | null;
      owner_id: string | null;
    }>(
      db,
      (p) =>
        `SELECT id, lead_source, created_day, modstamp, stage_name, is_won, is_closed, amount, owner_id FROM sf_opportunities WHERE id IN (${p})`,
      ids,
    );
    const opps = rows as unknown as SfOpportunity[];
    const recounted = opps.filter((o) => {
      const h = held.get(o.Id);
      return (
        !h || h.lead_source !== o.LeadSource || h.created_day !== utcDay(sfTime(o.CreatedDate))
      );
    });
    // The stamp has whole seconds: a stage moved in the second of the last pull shows in the row.
    const changed = opps.filter((o) => {
      const h = held.get(o.Id);
      return (
        !h ||
        h.modstamp !== o.SystemModstamp ||
        h.stage_name !== o.StageName ||
        h.is_won !== (o.IsWon ? 1 : 0) ||
        h.is_closed !== (o.IsClosed ? 1 : 0) ||
        h.amount !== o.Amount ||
        h.owner_id !== o.OwnerId
      );
    });
    return {
      changed: changed as unknown as Record<string, unknown>[],
      recounted: new Set(recounted.map((o) => o.Id)),
    };
  }
  if (object === "OpportunityHistory") {
    // History rows never change once written: a known id is nothing new.
    const held = await byId<{ id: string }>(
      db,
      (p) => `SELECT id FROM sf_opportunity_history WHERE id IN (${p})`,
      ids,
    );
    return {
      changed: (rows as unknown as SfHistory[]).filter((h) => !held.has(h.Id)) as unknown as Record<
        string,
        unknown
      >[],
      recounted: new Set(),
    };
  }
  if (object === "Lead") {
    const leads = rows as unknown as SfLead[];
    // The nightly counts conversions with an opportunity; the outcome sync follows every Lead.
    const conversions = leads.filter((l) => l.IsConverted !== false && l.ConvertedOpportunityId);
    const held = await byId<{
      lead_id: string;
      opportunity_id: string | null;
      lead_source: string | null;
      converted_day: string;
    }>(
      db,
      (p) =>
        `SELECT lead_id, opportunity_id, lead_source, converted_day FROM sf_lead_conversions WHERE lead_id IN (${p})`,
      conversions.map((l) => l.Id),
      "lead_id",
    );
    const changed = conversions.filter((l) => {
      const h = held.get(l.Id);
      return (
        !h ||
        h.opportunity_id !== l.ConvertedOpportunityId ||
        h.lead_source !== l.LeadSource ||
        h.converted_day !== convertedDay(l)
      );
    });
    const handedOff = leads.filter((l) => l.HubSpot_Contact_Id__c);
    const mirrored = await byId<SfLeadRow>(
      db,
      (p) =>
        `SELECT id, hubspot_contact_id, status, disqualification_reason, is_converted, converted_contact_id, converted_account_id, converted_opportunity_id FROM sf_leads WHERE id IN (${p})`,
      handedOff.map((l) => l.Id),
    );
    return {
      changed: changed as unknown as Record<string, unknown>[],
      recounted: new Set(),
      outcomes: handedOff.filter((l) => leadDiffers(l, mirrored.get(l.Id))).map((l) => l.Id),
    };
  }
  return { changed: rows, recounted: new Set() };
}

/**
 * Compared by content, not SystemModstamp: Salesforce stamps to the second, so a change made in
 * the second a pull read the Lead carries the stamp the mirror already holds.
 */
function leadDiffers(l: SfLead, held: SfLeadRow | undefined): boolean {
  return (
    !held ||
    held.hubspot_contact_id !== (l.HubSpot_Contact_Id__c ?? null) ||
    held.status !== l.Status ||
    held.disqualification_reason !== l.DisqualificationReason ||
    held.is_converted !== (l.IsConverted ? 1 : 0) ||
    held.converted_contact_id !== l.ConvertedContactId ||
    held.converted_account_id !== l.ConvertedAccountId ||
    held.converted_opportunity_id !== l.ConvertedOpportunityId
  );
}

async function byId<T extends Record<string, unknown>>(
  db: D1Database,
  sql: (placeholders: string) => string,
  ids: string[],
  key = "id",
): Promise<Map<string, T>> {
  const rows = await selectIn<T>(db, sql, ids);
  return new Map(rows.map((r) => [String(r[key]), r]));
}
