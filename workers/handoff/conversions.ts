import type { Connection } from "jsforce";
import { z } from "zod";
import type { LeadState } from "../../shared/db/leads";
import { inQueries } from "../../shared/salesforce/soql-in";
import { EXTERNAL_ID_FIELD } from "./lead-mapping";

/** What Salesforce answers an update of a converted Lead: the only way a push learns of it. */
export const CONVERTED_LEAD_CODE = "CANNOT_UPDATE_CONVERTED_LEAD";

/** What a converted Lead became; ids null when Salesforce could not be asked. */
export interface Conversion {
  leadId: string | null;
  contactId: string | null;
  accountId: string | null;
  opportunityId: string | null;
}

const UNKNOWN: Conversion = { leadId: null, contactId: null, accountId: null, opportunityId: null };

const ConvertedLeadSchema = z.object({
  Id: z.string(),
  [EXTERNAL_ID_FIELD]: z.string(),
  ConvertedContactId: z.string().nullable(),
  ConvertedAccountId: z.string().nullable(),
  ConvertedOpportunityId: z.string().nullable(),
});

/**
 * What the converted Leads of these HubSpot contacts became: one SOQL query while its URI fits
 * (a few hundred contacts; a pass of 1,000 takes a few), each answered in its first page. The
 * conversion is a fact whether or not its ids can be read: a failed read leaves every contact's
 * ids unknown, never fails them.
 */
export async function readConversions(
  salesforce: () => Promise<Connection>,
  contactIds: string[],
): Promise<Map<string, Conversion>> {
  const found = new Map<string, Conversion>(contactIds.map((id) => [id, UNKNOWN]));
  if (!contactIds.length) return found;
  try {
    const conn = await salesforce();
    const statements = inQueries(
      `SELECT Id, ${EXTERNAL_ID_FIELD}, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId FROM Lead WHERE IsConverted = true AND ${EXTERNAL_ID_FIELD} IN`,
      contactIds,
    );
    for (const soql of statements) {
      const page = await conn.query<Record<string, unknown>>(soql);
      for (const record of page.records) {
        const lead = ConvertedLeadSchema.safeParse(record);
        if (!lead.success) continue;
        found.set(lead.data[EXTERNAL_ID_FIELD], {
          leadId: lead.data.Id,
          contactId: lead.data.ConvertedContactId,
          accountId: lead.data.ConvertedAccountId,
          opportunityId: lead.data.ConvertedOpportunityId,
        });
      }
    }
  } catch {
    // The ids stay unknown; the conversion itself is still recorded.
  }
  return found;
}

/** A lead row with its conversion recorded as learnt at `at`; pure. */
export function withConversion(row: LeadState, conversion: Conversion, at: number): LeadState {
  return {
    ...row,
    converted_at: row.converted_at ?? at,
    salesforce_lead_id: row.salesforce_lead_id ?? conversion.leadId,
    converted_contact_id: row.converted_contact_id ?? conversion.contactId,
    converted_account_id: row.converted_account_id ?? conversion.accountId,
    converted_opportunity_id: row.converted_opportunity_id ?? conversion.opportunityId,
  };
}

/** The audit detail of a conversion learnt. */
export function conversionDetail(conversion: Conversion, learntFrom: string) {
  return {
    learntFrom,
    salesforceId: conversion.leadId,
    convertedContactId: conversion.contactId,
    convertedAccountId: conversion.accountId,
    convertedOpportunityId: conversion.opportunityId,
  };
}
