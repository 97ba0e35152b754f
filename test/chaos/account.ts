import { forEachLimit, type RawContact, type Sandboxes } from "../harness/control";
import { queryD1 } from "../harness/d1";
import type { InboundLead } from "../harness/inbound";

export interface Accounting {
  leads: number;
  handedOff: number;
  refused: number;
  deadLettered: number;
  lost: number;
  duplicates: number;
  missingFeedback: number;
  /** Settled, but not the way the rules say (e.g. a qualifying lead refused). */
  unexpected: number;
  /** Contact ids per problem, for reproduction. */
  examples: Record<"lost" | "duplicates" | "missingFeedback" | "unexpected", string[]>;
}

/**
 * Ground truth from the sandboxes (and D1's dead-letter record): every lead must be exactly
 * once in Salesforce with `handed_off` feedback, or refused with reasons and a note in
 * HubSpot, or dead-lettered with its reason.
 */
export async function accountFor(
  leads: InboundLead[],
  sandboxes: Sandboxes,
  stateDir: string,
): Promise<Accounting> {
  const sfByContact = new Map<string, string[]>();
  for (const lead of await sandboxes.salesforceLeads()) {
    const id = lead.HubSpot_Contact_Id__c;
    if (id) sfByContact.set(id, [...(sfByContact.get(id) ?? []), lead.Id]);
  }
  const dead = await deadLetteredContacts(stateDir);
  const contacts = new Map<string, RawContact>();
  await forEachLimit(leads, 16, async (lead) => {
    contacts.set(lead.contactId, await sandboxes.rawContact(lead.contactId));
  });

  const result: Accounting = {
    leads: leads.length,
    handedOff: 0,
    refused: 0,
    deadLettered: 0,
    lost: 0,
    duplicates: 0,
    missingFeedback: 0,
    unexpected: 0,
    examples: { lost: [], duplicates: [], missingFeedback: [], unexpected: [] },
  };
  const note = (kind: keyof Accounting["examples"], id: string) => {
    if (result.examples[kind].length < 10) result.examples[kind].push(id);
  };
  for (const lead of leads) {
    const id = lead.contactId;
    const inSalesforce = sfByContact.get(id) ?? [];
    const { properties, notes } = contacts.get(id)!;
    const status = properties.leadbridge_status;
    if (inSalesforce.length > 1 || notes.length > 1) {
      result.duplicates += Math.max(0, inSalesforce.length - 1) + Math.max(0, notes.length - 1);
      note("duplicates", id);
    }
    let outcome: "handed_off" | "rejected" | undefined;
    if (
      inSalesforce.length &&
      status === "handed_off" &&
      properties.leadbridge_salesforce_lead_id === inSalesforce[0]
    )
      outcome = "handed_off";
    else if (
      !inSalesforce.length &&
      status === "rejected" &&
      properties.leadbridge_rejection_reasons &&
      notes.length
    )
      outcome = "rejected";

    if (outcome === "handed_off") result.handedOff += 1;
    else if (outcome === "rejected") result.refused += 1;
    else if (dead.has(id)) result.deadLettered += 1;
    else if (inSalesforce.length || status) {
      result.missingFeedback += 1;
      note("missingFeedback", id);
    } else {
      result.lost += 1;
      note("lost", id);
    }
    if (outcome && outcome !== lead.expected) {
      result.unexpected += 1;
      note("unexpected", id);
    }
  }
  return result;
}

/** Contact ids in D1's dead-letter record that carry a reason. */
async function deadLetteredContacts(stateDir: string): Promise<Set<string>> {
  const rows = await queryD1<{ body: string; reason: string }>(
    stateDir,
    "SELECT body, reason FROM dead_letters",
  );
  const ids = new Set<string>();
  for (const row of rows) {
    try {
      const body = JSON.parse(row.body) as { contactId?: unknown };
      if (row.reason && typeof body.contactId === "string") ids.add(body.contactId);
    } catch {
      // A body that is not JSON names no contact.
    }
  }
  return ids;
}

export function summaryLine(a: Accounting, seconds: number): string {
  return (
    `chaos: leads=${a.leads} handedOff=${a.handedOff} refused=${a.refused} deadLettered=${a.deadLettered} ` +
    `lost=${a.lost} duplicates=${a.duplicates} missingFeedback=${a.missingFeedback} unexpected=${a.unexpected} in ${Math.round(seconds)}s`
  );
}
