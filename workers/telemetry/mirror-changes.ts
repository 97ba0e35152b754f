import { utcDay } from "../../shared/days";
import {
  convertedDay,
  type SfConvertedLead,
  type SfHistory,
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
    }>(
      db,
      (p) =>
        `SELECT id, lead_source, created_day, modstamp FROM sf_opportunities WHERE id IN (${p})`,
      ids,
    );
    const opps = rows as unknown as SfOpportunity[];
    const recounted = opps.filter((o) => {
      const h = held.get(o.Id);
      return (
        !h || h.lead_source !== o.LeadSource || h.created_day !== utcDay(sfTime(o.CreatedDate))
      );
    });
    const changed = opps.filter((o) => held.get(o.Id)?.modstamp !== o.SystemModstamp);
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
    const held = await byId<{
      lead_id: string;
      opportunity_id: string | null;
      lead_source: string | null;
      converted_day: string;
    }>(
      db,
      (p) =>
        `SELECT lead_id, opportunity_id, lead_source, converted_day FROM sf_lead_conversions WHERE lead_id IN (${p})`,
      ids,
      "lead_id",
    );
    const changed = (rows as unknown as SfConvertedLead[]).filter((l) => {
      const h = held.get(l.Id);
      return (
        !h ||
        h.opportunity_id !== l.ConvertedOpportunityId ||
        h.lead_source !== l.LeadSource ||
        h.converted_day !== convertedDay(l)
      );
    });
    return { changed: changed as unknown as Record<string, unknown>[], recounted: new Set() };
  }
  return { changed: rows, recounted: new Set() };
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
