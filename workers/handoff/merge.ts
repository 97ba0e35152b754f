import { getLeads } from "../../shared/db/leads";
import { AUTO_ASSIGN_HEADER, UPDATE_ASSIGN_VALUE } from "../../shared/salesforce/assignment";
import type { ContactWork } from "./coalesce";
import { EXTERNAL_ID_FIELD } from "./salesforce-lead";
import { classifyCallError } from "./salesforce-upsert";
import type { HandoffDeps, StageRecord } from "./types";

/**
 * HubSpot merged contacts into a survivor: the merged-away contact's Salesforce lead is
 * re-keyed to the survivor (unless the survivor already has one), so the next upsert
 * updates that lead instead of creating a second one. Returns the merged-away rows to write.
 */
export async function rekeyMergedLeads(
  items: ContactWork[],
  deps: Pick<HandoffDeps, "db" | "clients" | "now">,
): Promise<StageRecord> {
  const merges = items.filter((w) => w.mergedIds.length);
  if (!merges.length) return {};
  const { db, clients } = deps;
  const now = deps.now ?? Date.now;
  const rows = await getLeads(db, [
    ...new Set(merges.flatMap((w) => [w.contactId, ...w.mergedIds])),
  ]);
  const record: Required<Pick<StageRecord, "leads" | "audits">> = { leads: [], audits: [] };
  for (const work of merges) {
    let survivorHasLead = Boolean(rows.get(work.contactId)?.salesforce_lead_id);
    for (const oldId of work.mergedIds) {
      const old = rows.get(oldId);
      if (!old || old.status === "merged") continue;
      if (old.salesforce_lead_id && !survivorHasLead) {
        const conn = await clients.salesforce();
        try {
          await conn.sobject("Lead").update(
            { Id: old.salesforce_lead_id, [EXTERNAL_ID_FIELD]: work.contactId },
            // Re-keying is an update: the rep working the Lead keeps it.
            { headers: { [AUTO_ASSIGN_HEADER]: UPDATE_ASSIGN_VALUE } },
          );
        } catch (err) {
          throw classifyCallError(err);
        }
        survivorHasLead = true;
        record.audits.push({
          contactId: work.contactId,
          step: "lead_rekeyed",
          detail: { from: oldId, salesforceId: old.salesforce_lead_id },
          at: now(),
        });
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
  return record;
}
