import { type AuditEntry, getLeads, type LeadState } from "../../shared/db/leads";
import { AUTO_ASSIGN_HEADER, UPDATE_ASSIGN_VALUE } from "../../shared/salesforce/assignment";
import type { ContactWork } from "./coalesce";
import {
  CONVERTED_LEAD_CODE,
  conversionDetail,
  readConversions,
  withConversion,
} from "./conversions";
import { EXTERNAL_ID_FIELD } from "./salesforce-lead";
import { classifyCallError } from "./salesforce-upsert";
import type { HandoffDeps, StageRecord } from "./types";

/**
 * HubSpot merged contacts into a survivor: the merged-away contact's Salesforce lead is
 * re-keyed to the survivor (unless the survivor already has one), so the next upsert
 * updates that lead instead of creating a second one. A converted Lead is not re-keyed (nothing
 * is written to it): it stays with the merged-away contact, whose conversion is recorded, and
 * the survivor is judged on its own. Returns the merged-away rows to write and, per survivor,
 * the Lead it took over (its row does not name it until the batch is written).
 */
export async function rekeyMergedLeads(
  items: ContactWork[],
  deps: Pick<HandoffDeps, "db" | "clients" | "now">,
): Promise<Merged> {
  const merges = items.filter((w) => w.mergedIds.length);
  const leadTakenOver = new Map<string, string>();
  if (!merges.length) return { leadTakenOver };
  const { db, clients } = deps;
  const now = deps.now ?? Date.now;
  const rows = await getLeads(db, [
    ...new Set(merges.flatMap((w) => [w.contactId, ...w.mergedIds])),
  ]);
  const record: { leads: LeadState[]; audits: AuditEntry[] } = { leads: [], audits: [] };
  // Merged-away contacts whose Lead turned out converted: their rows, to record what it became.
  const learnt = new Map<string, number>();
  for (const work of merges) {
    let survivorHasLead = Boolean(rows.get(work.contactId)?.salesforce_lead_id);
    for (const oldId of work.mergedIds) {
      const old = rows.get(oldId);
      if (!old || old.status === "merged") continue;
      if (old.salesforce_lead_id && !survivorHasLead && old.converted_at !== null) {
        record.audits.push(skipped(work.contactId, oldId, old.salesforce_lead_id, now()));
      } else if (old.salesforce_lead_id && !survivorHasLead) {
        const conn = await clients.salesforce();
        try {
          await conn.sobject("Lead").update(
            { Id: old.salesforce_lead_id, [EXTERNAL_ID_FIELD]: work.contactId },
            // Re-keying is an update: the rep working the Lead keeps it.
            { headers: { [AUTO_ASSIGN_HEADER]: UPDATE_ASSIGN_VALUE } },
          );
          survivorHasLead = true;
          leadTakenOver.set(work.contactId, old.salesforce_lead_id);
          record.audits.push({
            contactId: work.contactId,
            step: "lead_rekeyed",
            detail: { from: oldId, salesforceId: old.salesforce_lead_id },
            at: now(),
          });
        } catch (err) {
          if ((err as { errorCode?: string }).errorCode !== CONVERTED_LEAD_CODE)
            throw classifyCallError(err);
          learnt.set(oldId, record.leads.length);
          record.audits.push(skipped(work.contactId, oldId, old.salesforce_lead_id, now()));
        }
      }
      const at = now();
      record.leads.push({ ...old, status: "merged", merged_into: work.contactId, updated_at: at });
      record.audits.push({
        contactId: oldId,
        step: "merged",
        detail: { into: work.contactId },
        at,
      });
    }
  }
  if (learnt.size) {
    const conversions = await readConversions(clients.salesforce, [...learnt.keys()]);
    const at = now();
    for (const [oldId, index] of learnt) {
      const conversion = conversions.get(oldId)!;
      record.leads[index] = withConversion(record.leads[index]!, conversion, at);
      const detail = conversionDetail(conversion, "merge");
      record.audits.push({ contactId: oldId, step: "lead_converted", detail, at });
    }
  }
  return { ...record, leadTakenOver };
}

export interface Merged extends StageRecord {
  /** Survivor contact id → the Salesforce Lead re-keyed to it in this batch. */
  leadTakenOver: Map<string, string>;
}

/**
 * The survivor's audit line for a merged-away contact whose converted Lead it does not take over.
 */
function skipped(survivor: string, from: string, salesforceId: string, at: number): AuditEntry {
  return {
    contactId: survivor,
    step: "rekey_skipped_converted",
    detail: { from, salesforceId },
    at,
  };
}
