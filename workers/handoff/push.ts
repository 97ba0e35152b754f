import type { Connection } from "jsforce";
import { DEFAULT_MAPPING, type Mapping } from "../../shared/contracts/mapping";
import { HOLD_KINDS } from "../../shared/contracts/outcomes";
import type { AuditEntry } from "../../shared/db/leads";
import { toHex } from "../../shared/hex";
import { asRetryableError, RetryableError } from "../../shared/retryable";
import { overBudget, readUsage, recordUsage } from "../../shared/salesforce/budget";
import {
  CONVERTED_LEAD_CODE,
  conversionDetail,
  readConversions,
  withConversion,
} from "./conversions";
import { ContactLookup, type ExistingContact } from "./existing-contacts";
import { withoutSalesValues } from "./if-empty";
import { EXTERNAL_ID_FIELD, type SalesforceLead } from "./lead-mapping";
import type { Router } from "./routing";
import type { Assignment } from "./routing-plan";
import {
  assignmentGroups,
  classifyCallError,
  routedGroups,
  type UpsertOutcome,
  upsertSalesforceLeads,
} from "./salesforce-upsert";
import type { AssignedLead, Decision, HandoffDeps, Qualified, StageRecord, Waiting } from "./types";

export interface Pushed extends StageRecord {
  /** The contacts Salesforce had its say on (took, already had, or refused), in verdict order. */
  decisions: Decision[];
}

/** What the push of a batch's leads came to, and the owners the routing gave its new Leads. */
interface PushResults {
  outcomes: Map<string, PushOutcome>;
  assigned: Map<string, Assignment>;
}

/** What became of one contact's push: Salesforce's answer, or the Contact it already is. */
type PushOutcome = UpsertOutcome | { kind: "existing_contact"; contact: ExistingContact };

/** A lead to push, and whether Leadbridge holds its Lead id (an update) or not (a new Lead). */
interface ToPush {
  lead: SalesforceLead;
  hasLeadId: boolean;
  leadId: string | null;
}

/**
 * Hands the qualified contacts' leads to Salesforce, unless it already has exactly this payload,
 * the Lead is converted (nothing is written to it after), or Leadbridge is over its share of the
 * daily API budget. A contact about to get a new Lead whose email is already a Salesforce
 * Contact's gets none (SALESFORCE_EXISTING_CONTACTS=skip_lead). A contact Salesforce refuses
 * becomes a refusal, unless its Lead exists (a handoff is a fact); one whose push failed waits
 * (a hold) or retries.
 */
export async function push(
  qualified: Qualified[],
  deps: Pick<HandoffDeps, "kv" | "clients" | "config" | "now">,
  lookup: ContactLookup = new ContactLookup(deps.clients.salesforce),
  mapping: Mapping = DEFAULT_MAPPING,
  router?: Router,
): Promise<Pushed> {
  const now = deps.now ?? Date.now;
  const keyed = await Promise.all(
    qualified.map(async (verdict) => ({ verdict, pushKey: await payloadKey(verdict.lead) })),
  );
  // Unchanged since the last successful push: Salesforce already has exactly this.
  // Or converted (its Lead id known or not): sales owns that record now, and Salesforce would
  // refuse the update anyway.
  const isUnchanged = ({ verdict, pushKey }: (typeof keyed)[number]) =>
    verdict.row.converted_at !== null ||
    (pushKey === verdict.row.push_key && Boolean(verdict.row.salesforce_lead_id));
  // A contact whose Lead id Leadbridge holds is an update: Salesforce must not reassign it.
  const toPush: ToPush[] = keyed
    .filter((k) => !isUnchanged(k))
    .map(({ verdict }) => ({
      lead: verdict.lead,
      hasLeadId: Boolean(verdict.row.salesforce_lead_id),
      leadId: verdict.row.salesforce_lead_id,
    }));
  const { outcomes: results, assigned } = toPush.length
    ? await pushWithinBudget(toPush, deps, lookup, mapping, router)
    : { outcomes: new Map<string, PushOutcome>(), assigned: new Map<string, Assignment>() };
  const at = now();
  const converted = await readConversions(
    deps.clients.salesforce,
    [...results]
      .filter(([, r]) => r.kind === "refused" && r.code === CONVERTED_LEAD_CODE)
      .map(([id]) => id),
  );

  const pushed: Pushed & {
    waiting: Waiting[];
    audits: AuditEntry[];
    assignedLeads: AssignedLead[];
  } = {
    decisions: [],
    waiting: [],
    audits: [],
    assignedLeads: [],
  };
  for (const { verdict, pushKey } of keyed) {
    const { work, row } = verdict;
    const contactId = work.contactId;
    const { noLongerQualifies } = verdict;
    const decided = { work, row, status: "handed_off" as const, reasons: [], noLongerQualifies };
    if (isUnchanged({ verdict, pushKey })) {
      const salesforceId = row.salesforce_lead_id ?? undefined;
      pushed.decisions.push({ ...decided, salesforceId, pushKey });
      continue;
    }
    const result = results.get(verdict.lead[EXTERNAL_ID_FIELD])!;
    if (result.kind === "existing_contact") {
      // Already a customer: sales works the Contact, so no Lead; judged again on the next change.
      const { contact } = result;
      pushed.decisions.push({ ...decided, status: "existing_contact", existingContact: contact });
    } else if (result.kind === "pushed") {
      const { salesforceId, created } = result;
      pushed.decisions.push({ ...decided, salesforceId, pushKey, pushedAt: at });
      pushed.audits.push({ contactId, step: "pushed", detail: { salesforceId, created }, at });
      const assignment = assigned.get(contactId);
      if (assignment)
        pushed.assignedLeads.push({ contactId, leadId: salesforceId, created, assignment });
    } else if (result.kind === "refused" && (row.salesforce_lead_id || converted.has(contactId))) {
      // A handoff is a fact: once Salesforce has the Lead, a refused update does not take it back.
      // CANNOT_UPDATE_CONVERTED_LEAD proves a converted Lead exists even when its ids cannot be
      // read.
      const conversion = converted.get(contactId);
      const salesforceId = row.salesforce_lead_id ?? conversion?.leadId ?? undefined;
      pushed.decisions.push({
        ...decided,
        row: conversion ? withConversion(row, conversion, at) : row,
        salesforceId,
      });
      pushed.audits.push(
        conversion
          ? {
              contactId,
              step: "lead_converted",
              detail: conversionDetail({ ...conversion, leadId: salesforceId ?? null }, "upsert"),
              at,
            }
          : {
              contactId,
              step: "salesforce_refused",
              detail: { code: result.code, handedOff: true },
              at,
            },
      );
    } else if (result.kind === "refused") {
      const code = `salesforce_rejected:${result.code}`;
      pushed.decisions.push({
        ...decided,
        status: "rejected",
        reasons: [{ code, message: result.message }],
      });
      pushed.audits.push({
        contactId,
        step: "salesforce_refused",
        detail: { code: result.code },
        at,
      });
    } else if (result.kind === "failed") {
      // Salesforce refused the whole call (outage, daily limit, our budget): these contacts wait.
      const { error } = result;
      pushed.waiting.push({ contactId, error });
      pushed.audits.push({
        contactId,
        step: HOLD_KINDS.has(error.kind) ? "held" : "push_retry",
        detail: { reason: error.kind },
        at,
      });
    } else {
      const error = new RetryableError(`Salesforce ${result.code}`, "salesforce_transient", 10);
      pushed.waiting.push({ contactId, error });
      pushed.audits.push({ contactId, step: "push_retry", detail: { code: result.code }, at });
    }
  }
  return pushed;
}

/**
 * The new leads matched against Salesforce Contacts (the lookup, usually started while HubSpot was
 * still being read), then one upsert of the rest; or,
 * when Leadbridge is over its budget or Salesforce as a whole is unavailable, every lead "failed"
 * with that error: only these contacts wait, and refusals in the same batch still get their
 * feedback. A failed Contact query makes the new leads wait (a Lead made without it could be a
 * duplicate) while the updates go ahead. With a routing in force the new Leads get their owners
 * (committed to D1 first) beside the read of the updates' sales values; when that fails they wait.
 */
async function pushWithinBudget(
  toPush: ToPush[],
  deps: Pick<HandoffDeps, "kv" | "clients" | "config">,
  lookup: ContactLookup,
  mapping: Mapping,
  router: Router | undefined,
): Promise<PushResults> {
  const { kv, clients, config } = deps;
  const idOf = (l: ToPush) => l.lead[EXTERNAL_ID_FIELD];
  const assigned = new Map<string, Assignment>();
  const allFailed = (error: RetryableError) => ({
    outcomes: new Map(toPush.map((l) => [idOf(l), { kind: "failed" as const, error }])),
    assigned,
  });
  if (overBudget(await readUsage(kv), config.SALESFORCE_DAILY_BUDGET_SHARE))
    return allFailed(
      new RetryableError(
        "Salesforce API usage is above the configured share of the daily allocation",
        "salesforce_budget",
        15 * 60,
      ),
    );
  try {
    const conn = await clients.salesforce();
    try {
      const outcomes = new Map<string, PushOutcome>();
      const fresh = toPush.filter((l) => !l.hasLeadId);
      // The routing's Salesforce reads run beside the Contact lookup.
      if (router && fresh.length) router.prefetch(clients.salesforce, fresh.map(idOf));
      if (config.SALESFORCE_EXISTING_CONTACTS === "skip_lead" && fresh.length) {
        try {
          const emails = fresh.flatMap((l) => (emailOf(l) ? [emailOf(l)!] : []));
          const existing = await lookup.find(emails);
          for (const l of fresh) {
            const contact = existing.get(emailOf(l)?.toLowerCase() ?? "");
            if (contact) outcomes.set(idOf(l), { kind: "existing_contact", contact });
          }
        } catch (err) {
          const error = classifyCallError(err);
          for (const l of fresh) outcomes.set(idOf(l), { kind: "failed", error });
        }
      }
      const pending = toPush.filter((l) => !outcomes.has(idOf(l)));
      const [kept] = await Promise.all([
        keepSalesValues(conn, pending, mapping, outcomes),
        router && assignOwners(router, clients.salesforce, pending, assigned, outcomes),
      ]);
      const upsert = kept.filter((l) => !outcomes.has(idOf(l)));
      if (upsert.length) {
        const groups = router
          ? routedGroups(upsert, assigned)
          : assignmentGroups(upsert, config.SALESFORCE_LEAD_ASSIGNMENT);
        for (const [id, outcome] of await upsertSalesforceLeads(conn, groups))
          outcomes.set(id, outcome);
      }
      return { outcomes, assigned };
    } finally {
      await recordUsage(kv, conn.limitInfo?.apiUsage);
    }
  } catch (err) {
    return allFailed(err instanceof RetryableError ? err : classifyCallError(err));
  }
}

/**
 * The leads to upsert, updates without the if_empty fields Salesforce already has a value for
 * (if-empty.ts). When Salesforce cannot be asked, the updates wait (written blind, they could
 * overwrite sales' values) and the new Leads go ahead.
 */
async function keepSalesValues(
  conn: Connection,
  upsert: ToPush[],
  mapping: Mapping,
  outcomes: Map<string, PushOutcome>,
): Promise<ToPush[]> {
  const updates = upsert.flatMap((l) => (l.leadId ? [{ leadId: l.leadId, lead: l.lead }] : []));
  try {
    const kept = await withoutSalesValues(conn, updates, mapping);
    return upsert.map((l) => (l.leadId ? { ...l, lead: kept.get(l.leadId) ?? l.lead } : l));
  } catch (err) {
    const error = classifyCallError(err);
    for (const l of upsert)
      if (l.leadId) outcomes.set(l.lead[EXTERNAL_ID_FIELD], { kind: "failed", error });
    return upsert.filter((l) => !l.leadId);
  }
}

/**
 * The owners of the new Leads among `pending` (routing.ts), into `assigned`; when they cannot be
 * decided, those Leads wait (a Lead sent without its owner would be routed twice).
 */
async function assignOwners(
  router: Router,
  salesforce: HandoffDeps["clients"]["salesforce"],
  pending: ToPush[],
  assigned: Map<string, Assignment>,
  outcomes: Map<string, PushOutcome>,
): Promise<void> {
  const fresh = pending.filter((l) => !l.hasLeadId).map((l) => l.lead[EXTERNAL_ID_FIELD]);
  if (!fresh.length) return;
  try {
    for (const [id, assignment] of await router.assign(salesforce, fresh))
      assigned.set(id, assignment);
  } catch (err) {
    // Router.assign throws RetryableErrors; anything else is a bug in planning, not Salesforce.
    const error = asRetryableError(err);
    for (const id of fresh) outcomes.set(id, { kind: "failed", error });
  }
}

/** The Lead's Email as the mapping wrote it, when it wrote one. */
const emailOf = (l: ToPush): string | undefined =>
  typeof l.lead.Email === "string" && l.lead.Email ? l.lead.Email : undefined;

/** A digest of the payload: equal keys mean Salesforce already holds exactly this lead. */
async function payloadKey(lead: SalesforceLead): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(lead));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return toHex(digest.slice(0, 12));
}
