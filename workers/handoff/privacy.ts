import type { Connection } from "jsforce";
import { z } from "zod";
import { runLimited } from "../../shared/batching";
import { FUNNEL_LATEST_KEY } from "../../shared/contracts/report";
import { readLatestFunnelReport } from "../../shared/db/reports";
import { tombstoneTokens } from "../../shared/db/tombstones";
import type { PrivacyDeletionChoice } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { asRetryableError } from "../../shared/retryable";
import { inQueries } from "../../shared/salesforce/soql-in";
import type { ContactWork } from "./coalesce";
import { EXTERNAL_ID_FIELD } from "./lead-mapping";
import { classifyCallError } from "./salesforce-upsert";
import type { HandoffDeps, StageRecord } from "./types";

/**
 * The documented Lead checkbox a flagged Lead gets (docs/handoff.md, "Privacy deletion"); an org
 * without it still has the Lead unlinked.
 */
export const PRIVACY_FLAG_FIELD = "Leadbridge_Privacy_Deleted__c";
/** Lead calls at once: a handful of privacy deletions a batch at most, each its own record. */
const CONCURRENCY = 4;

/** What became of one Lead Leadbridge made for a contact HubSpot privacy-deleted. */
export type LeadErasure =
  | "deleted"
  | "flagged"
  | "unlinked"
  | "converted_kept"
  | "gone"
  /** Salesforce refused this one record for good (permissions, a validation rule): counted. */
  | "refused";

const LeadSchema = z.object({
  Id: z.string(),
  IsConverted: z.boolean(),
  [EXTERNAL_ID_FIELD]: z.string(),
});

/**
 * The privacy deletions of a batch: every one is purged from D1 now, whatever Salesforce says;
 * each contact's Lead (found by external id, so a retry needs nothing D1 still held) is then
 * deleted, flagged or left as SALESFORCE_PRIVACY_DELETION says. A contact whose Salesforce call
 * failed waits and comes back through the normal retry path; a purge is idempotent.
 */
export async function forgetContacts(
  items: ContactWork[],
  deps: Pick<HandoffDeps, "clients" | "config" | "kv" | "log">,
  at: number,
): Promise<StageRecord> {
  const purges = items.filter((w) => w.action === "purge");
  if (!purges.length) return {};
  const purged = purges.map((w) => w.contactId);
  const tokens = await tombstoneTokens(deps.config.HUBSPOT_CLIENT_SECRET, purged);
  const tombstones = [...tokens.values()];
  await forgetInLatestReport(deps.kv, purged, deps.log);
  const choice = deps.config.SALESFORCE_PRIVACY_DELETION;
  if (choice === "keep")
    return {
      purged,
      tombstones,
      settled: purges.map((work) => ({ work, status: "purged", at })),
    };
  let erased: Map<string, LeadErasure[] | Error>;
  try {
    erased = await eraseLeads(await deps.clients.salesforce(), purged, choice);
  } catch (err) {
    const error = classifyCallError(err);
    return { purged, tombstones, waiting: purged.map((contactId) => ({ contactId, error })) };
  }
  const record: Required<Pick<StageRecord, "settled" | "waiting">> = { settled: [], waiting: [] };
  const tally: Record<string, number> = {};
  for (const work of purges) {
    const result = erased.get(work.contactId) ?? [];
    if (result instanceof Error) {
      record.waiting.push({ contactId: work.contactId, error: asRetryableError(result) });
      continue;
    }
    for (const r of result) tally[r] = (tally[r] ?? 0) + 1;
    record.settled.push({ work, status: "purged", at });
  }
  // Counts only: a privacy deletion's log line names no contact and no Lead.
  deps.log[tally.refused ? "warn" : "info"]("privacy_deletion_salesforce", {
    contacts: purges.length,
    waiting: record.waiting.length,
    ...tally,
  });
  return { purged, tombstones, ...record };
}

/**
 * Per contact, what became of each Lead whose external id is its contact id, or the error that
 * makes it wait. The lookup failing throws (every contact waits).
 */
async function eraseLeads(
  conn: Connection,
  contactIds: string[],
  choice: Exclude<PrivacyDeletionChoice, "keep">,
): Promise<Map<string, LeadErasure[] | Error>> {
  const leads: z.infer<typeof LeadSchema>[] = [];
  const head = `SELECT Id, IsConverted, ${EXTERNAL_ID_FIELD} FROM Lead WHERE ${EXTERNAL_ID_FIELD} IN`;
  for (const soql of inQueries(head, contactIds)) {
    const { records } = await conn.query<Record<string, unknown>>(soql, { autoFetch: true });
    for (const record of records) {
      const lead = LeadSchema.safeParse(record);
      if (lead.success) leads.push(lead.data);
    }
  }
  const result = new Map<string, LeadErasure[] | Error>(contactIds.map((id) => [id, []]));
  await runLimited(
    leads.map((lead) => async () => {
      const contactId = lead[EXTERNAL_ID_FIELD];
      try {
        const done = await eraseLead(conn, lead.Id, lead.IsConverted, choice);
        const held = result.get(contactId);
        if (Array.isArray(held)) held.push(done);
      } catch (err) {
        result.set(contactId, classifyCallError(err));
      }
    }),
    CONCURRENCY,
  );
  return result;
}

/**
 * The latest report in KV lists stale MQLs by contact id; its D1 copy is purged with the rest
 * (purgeContacts). A failed write is left to the next nightly report, which no longer has them.
 */
async function forgetInLatestReport(kv: KVNamespace, contactIds: string[], log: Logger) {
  try {
    const report = await readLatestFunnelReport(kv);
    const stale = report?.sales?.staleMqls;
    if (!report?.sales || !stale) return;
    const gone = new Set(contactIds);
    const oldest = stale.oldest.filter((m) => !gone.has(m.contactId));
    if (oldest.length === stale.oldest.length) return;
    const sales = { ...report.sales, staleMqls: { ...stale, oldest } };
    await kv.put(FUNNEL_LATEST_KEY, JSON.stringify({ ...report, sales }));
  } catch (err) {
    log.warn("privacy_deletion_report_kept", {
      error: err instanceof Error ? err.message.slice(0, 200) : "unknown",
    });
  }
}

const errorCodeOf = (err: unknown) => (err as { errorCode?: string }).errorCode ?? "";
/** Salesforce's answers for a record that is no longer there: the work is already done. */
const GONE = new Set(["NOT_FOUND", "ENTITY_IS_DELETED"]);
/**
 * A refusal of the one record that waiting will not change: retrying would only dead-letter the
 * contact (its D1 purge is done); the count in the log line tells the admin to look.
 */
const REFUSED = new Set([
  "INSUFFICIENT_ACCESS_OR_READONLY",
  "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
  "DELETE_FAILED",
  "ENTITY_IS_LOCKED",
  "FIELD_CUSTOM_VALIDATION_EXCEPTION",
  "FIELD_INTEGRITY_EXCEPTION",
]);

/**
 * One Lead: an unconverted one is deleted (with delete_unconverted); otherwise it is unlinked from
 * the contact (its external id cleared, so no pull mirrors it again) and flagged with the checkbox
 * when the org has it. A converted Lead cannot be written: it stays, sales' records with it.
 */
async function eraseLead(
  conn: Connection,
  id: string,
  converted: boolean,
  choice: Exclude<PrivacyDeletionChoice, "keep">,
): Promise<LeadErasure> {
  try {
    if (!converted && choice === "delete_unconverted") {
      await conn.sobject("Lead").destroy(id);
      return "deleted";
    }
    const unlink = { Id: id, [EXTERNAL_ID_FIELD]: null };
    try {
      await conn.sobject("Lead").update({ ...unlink, [PRIVACY_FLAG_FIELD]: true });
      return "flagged";
    } catch (err) {
      if (errorCodeOf(err) !== "INVALID_FIELD") throw err;
    }
    await conn.sobject("Lead").update(unlink);
    return "unlinked";
  } catch (err) {
    const code = errorCodeOf(err);
    if (GONE.has(code)) return "gone";
    if (code === "CANNOT_UPDATE_CONVERTED_LEAD") return "converted_kept";
    if (REFUSED.has(code)) return "refused";
    throw err;
  }
}
