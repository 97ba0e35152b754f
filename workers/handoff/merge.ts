import { type AuditEntry, getLeads, type LeadRow, type LeadState } from "../../shared/db/leads";
import { RetryableError } from "../../shared/retryable";
import { AUTO_ASSIGN_HEADER, UPDATE_ASSIGN_VALUE } from "../../shared/salesforce/assignment";
import type { ContactWork } from "./coalesce";
import {
  CONVERTED_LEAD_CODE,
  conversionDetail,
  readConversions,
  withConversion,
} from "./conversions";
import { EXTERNAL_ID_FIELD } from "./lead-mapping";
import { classifyCallError } from "./salesforce-upsert";
import type { HandoffDeps, StageRecord, Waiting } from "./types";

/**
 * HubSpot merged contacts into a survivor: the merged-away contact's Salesforce lead is
 * re-keyed to the survivor (unless the survivor already has one), so the next upsert
 * updates that lead instead of creating a second one. A converted Lead is not re-keyed (nothing
 * is written to it): it stays with the merged-away contact, whose conversion is recorded, and
 * the survivor is judged on its own. A re-key Salesforce refuses for another reason makes that
 * survivor wait (`waiting`, not to be judged in this batch) without failing the others. Returns
 * the merged-away rows to write and, per survivor, the Lead it took over (its row does not name it
 * until the batch is written).
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
  const record: { leads: LeadState[]; audits: AuditEntry[]; waiting: Waiting[] } = {
    leads: [],
    audits: [],
    waiting: [],
  };
  // Merged-away contacts whose Lead turned out converted: their rows, to record what it became.
  const learnt = new Map<string, number>();
  for (const work of merges) {
    try {
      const merge = await rekeyOne(work, rows, clients, now);
      for (const oldId of merge.converted)
        learnt.set(
          oldId,
          record.leads.length + merge.leads.findIndex((l) => l.contact_id === oldId),
        );
      record.leads.push(...merge.leads);
      record.audits.push(...merge.audits);
      if (merge.leadTakenOver) leadTakenOver.set(work.contactId, merge.leadTakenOver);
    } catch (err) {
      // This merge waits and is tried again whole (nothing of it is recorded); the rest of the
      // batch goes on. Its survivor is not judged now: pushed before the re-key, it would get a
      // Lead of its own.
      const error = rekeyError(err);
      record.waiting.push({ contactId: work.contactId, error });
      record.audits.push({
        contactId: work.contactId,
        step: "push_retry",
        detail: { reason: error.kind, rekey: true },
        at: now(),
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

/** One survivor's merges, recorded only once all of them went through. */
interface MergeRecord {
  leads: LeadState[];
  audits: AuditEntry[];
  /** Merged-away contacts whose Lead Salesforce says is converted. */
  converted: string[];
  leadTakenOver?: string;
}

/** Re-keys the Lead of one survivor's merged-away contacts; throws what Salesforce refused. */
async function rekeyOne(
  work: ContactWork,
  rows: Map<string, LeadRow>,
  clients: HandoffDeps["clients"],
  now: () => number,
): Promise<MergeRecord> {
  const merge: MergeRecord = { leads: [], audits: [], converted: [] };
  for (const oldId of work.mergedIds) {
    const old = rows.get(oldId);
    if (!old || old.status === "merged") continue;
    if (
      old.salesforce_lead_id &&
      !merge.leadTakenOver &&
      !rows.get(work.contactId)?.salesforce_lead_id
    ) {
      if (old.converted_at !== null) {
        merge.audits.push(skipped(work.contactId, oldId, old.salesforce_lead_id, now()));
      } else {
        const conn = await clients.salesforce();
        try {
          await conn.sobject("Lead").update(
            { Id: old.salesforce_lead_id, [EXTERNAL_ID_FIELD]: work.contactId },
            // Re-keying is an update: the rep working the Lead keeps it.
            { headers: { [AUTO_ASSIGN_HEADER]: UPDATE_ASSIGN_VALUE } },
          );
          merge.leadTakenOver = old.salesforce_lead_id;
          merge.audits.push({
            contactId: work.contactId,
            step: "lead_rekeyed",
            detail: { from: oldId, salesforceId: old.salesforce_lead_id },
            at: now(),
          });
        } catch (err) {
          if ((err as { errorCode?: string }).errorCode !== CONVERTED_LEAD_CODE) throw err;
          merge.converted.push(oldId);
          merge.audits.push(skipped(work.contactId, oldId, old.salesforce_lead_id, now()));
        }
      }
    }
    const at = now();
    merge.leads.push({ ...old, status: "merged", merged_into: work.contactId, updated_at: at });
    merge.audits.push({ contactId: oldId, step: "merged", detail: { into: work.contactId }, at });
  }
  return merge;
}

export interface Merged extends StageRecord {
  /** Survivor contact id → the Salesforce Lead re-keyed to it in this batch. */
  leadTakenOver: Map<string, string>;
}

/** Salesforce error codes about the call or the org, not the Lead being re-keyed. */
const CALL_LEVEL_CODES = new Set([
  "SERVER_UNAVAILABLE",
  "REQUEST_RUNNING_TOO_LONG",
  "REQUEST_LIMIT_EXCEEDED",
  "INVALID_SESSION_ID",
  "INVALID_AUTH_HEADER",
  "API_CURRENTLY_DISABLED",
  "API_DISABLED_FOR_ORG",
]);

/**
 * Why a re-key failed. A row lock passes soon; Salesforce refusing this Lead's update (a
 * validation rule, the Lead deleted) is this contact's own trouble: retried, then lettered alone.
 * Anything else is the call failing, classified as any call's error.
 */
function rekeyError(err: unknown): RetryableError {
  if (err instanceof RetryableError) return err;
  const { errorCode: code = "", message = "" } = err as { errorCode?: string; message?: string };
  if (code === "UNABLE_TO_LOCK_ROW")
    return new RetryableError(`Salesforce ${code} on a re-key`, "salesforce_transient", 10);
  if (/^[A-Z][A-Z_]+$/.test(code) && !code.startsWith("ERROR_HTTP_") && !CALL_LEVEL_CODES.has(code))
    return new RetryableError(
      `Salesforce refused re-keying the merged-away Lead (${code}): ${message.slice(0, 300)}`,
      "unexpected",
      30,
    );
  return classifyCallError(err);
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
