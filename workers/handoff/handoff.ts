import type { Clients } from "../../shared/clients";
import {
  getLeads,
  type LeadRow,
  type LeadStatus,
  LeadWrites,
  purgeContact,
} from "../../shared/db/leads";
import { currentRules } from "../../shared/db/rules";
import type { Config } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { RetryableError } from "../../shared/retryable";
import { overBudget, readUsage, recordUsage } from "../../shared/salesforce/budget";
import type { ContactWork } from "./coalesce";
import { enrichContacts } from "./enrich";
import { type Feedback, handedOffFeedback, toFeedback, writeFeedback } from "./feedback";
import { rekeyMergedLeads } from "./merge";
import { toMql } from "./mql";
import { clearNoteIntents, settleNoteIntents } from "./note-intents";
import { classifyCallError, type PushOutcome, upsertLeads } from "./push";
import { emailDomain, qualify, type Rejection } from "./qualify";
import { EXTERNAL_ID_FIELD, type SalesforceLead, toSalesforceLead } from "./salesforce-lead";

export interface HandoffDeps {
  db: D1Database;
  kv: KVNamespace;
  clients: Clients;
  config: Config;
  log: Logger;
  batchId: string;
  now?: () => number;
}

/** Per contact: done (its events can be acked) or to be retried for the given reason. */
export type ContactOutcome =
  | { done: true; status: LeadStatus | "purged" }
  | { done: false; error: RetryableError };

interface Verdict {
  work: ContactWork;
  status: LeadStatus;
  reasons: Rejection[];
  salesforceId?: string;
  feedback?: Feedback;
  pushKey?: string | null;
  /** When Salesforce confirmed the upsert. */
  pushedAt?: number;
  lead?: SalesforceLead;
  row: Omit<LeadRow, "attempts">;
}

/**
 * The handoff for one batch of coalesced contacts: enrich, judge, push, feed back, record.
 * Every external effect is idempotent, so a retry after any failure repeats no harm.
 */
export async function handOff(
  items: ContactWork[],
  deps: HandoffDeps,
): Promise<Map<string, ContactOutcome>> {
  const { db, clients, config, log } = deps;
  const now = deps.now ?? Date.now;
  // Milliseconds per phase, for the handoff_done log line.
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const started = mark;
  const lap = (phase: string) => {
    const t = Date.now();
    phases[phase] = (phases[phase] ?? 0) + t - mark;
    mark = t;
  };
  const outcomes = new Map<string, ContactOutcome>();
  const writes = new LeadWrites(db, deps.batchId);
  const finish = (work: ContactWork, status: LeadStatus | "purged") => {
    writes.markSeen(work.contactId, work.keys, now());
    outcomes.set(work.contactId, { done: true, status });
  };

  for (const work of items.filter((w) => w.action !== "purge")) {
    writes.audit({
      contactId: work.contactId,
      step: "received",
      detail: { events: work.keys.length, types: work.types },
    });
  }
  for (const work of items.filter((w) => w.action === "purge")) {
    writes.statement(...purgeContact(db, work.contactId, now()));
    finish(work, "purged");
  }
  const toJudge = items.filter((w) => w.action === "judge");
  // HubSpot reads do not depend on D1: they start now, beside the D1 reads below.
  const enriching = toJudge.length
    ? enrichContacts(
        clients.hubspot,
        toJudge.map((w) => w.contactId),
      )
    : undefined;
  enriching?.catch(() => {});
  const [previous, rules] = await Promise.all([
    getLeads(
      db,
      items.filter((w) => w.action !== "purge").map((w) => w.contactId),
    ),
    toJudge.length ? currentRules(db) : undefined,
  ]);
  for (const work of items.filter((w) => w.action === "delete")) {
    const row = previous.get(work.contactId);
    if (row) writes.lead({ ...row, status: "deleted", updated_at: now() });
    writes.audit({ contactId: work.contactId, step: "deleted_in_hubspot" });
    finish(work, "deleted");
  }

  if (enriching && rules) {
    await rekeyMergedLeads(toJudge, deps, writes);
    lap("d1ReadMs");
    const enriched = await enriching;
    lap("enrichMs");
    const verdicts: Verdict[] = [];
    for (const work of toJudge) {
      const id = work.contactId;
      const before = previous.get(id);
      if (enriched.missing.has(id)) {
        writes.audit({ contactId: id, step: "not_found_in_hubspot" });
        // A contact merged away is gone from HubSpot too: it stays "merged", pointing at its survivor.
        if (before && before.status !== "merged")
          writes.lead({ ...before, status: "deleted", updated_at: now() });
        finish(work, before?.status === "merged" ? "merged" : "deleted");
        continue;
      }
      const contact = enriched.contacts.get(id)!;
      const mql = toMql(config.HUBSPOT_PORTAL_ID, id, contact, enriched.companyOf.get(id));
      const judgement = qualify(mql, rules.rules);
      const row: Omit<LeadRow, "attempts"> = {
        contact_id: id,
        portal_id: config.HUBSPOT_PORTAL_ID,
        lead_id: mql.leadId,
        status: "rejected",
        source: mql.source,
        email_domain: mql.contactInfo.email ? (emailDomain(mql.contactInfo.email) ?? null) : null,
        reasons: "[]",
        rules_version: rules.version,
        engagement_score: mql.engagementScore,
        salesforce_lead_id: before?.salesforce_lead_id ?? null,
        first_event_at: work.firstOccurredAt,
        last_event_at: work.lastOccurredAt,
        judged_at: now(),
        handed_off_at: null,
        feedback_key: before?.feedback_key ?? null,
        merged_into: null,
        updated_at: now(),
        push_key: before?.push_key ?? null,
        criteria: JSON.stringify(mql.qualificationCriteriaMet),
      };
      writes.audit({
        contactId: id,
        step: "enriched",
        detail: {
          hasCompany: enriched.companyOf.has(id),
          score: mql.engagementScore,
          criteria: mql.qualificationCriteriaMet,
        },
      });
      verdicts.push(
        judgement.qualified
          ? { work, status: "handed_off", reasons: [], lead: toSalesforceLead(id, mql), row }
          : { work, status: "rejected", reasons: judgement.rejections, row },
      );
    }

    lap("judgeMs");
    // Contacts the rules refused get their feedback while the qualified ones go to Salesforce;
    // a qualified contact's feedback needs its Salesforce id, so it follows its push.
    const feedbackOf = (v: Verdict): Feedback =>
      v.status === "handed_off"
        ? handedOffFeedback(v.work.contactId, v.salesforceId!)
        : toFeedback(v.work.contactId, v.reasons, rules.version, v.row.feedback_key);
    const giveFeedback = async (group: Verdict[]) => {
      const withFeedback = group.filter((v) => !outcomes.has(v.work.contactId));
      for (const v of withFeedback) v.feedback = feedbackOf(v);
      const feedback = withFeedback.map((v) => v.feedback!);
      let failed: Map<string, RetryableError>;
      let notesFound = new Set<string>();
      try {
        notesFound = await settleNoteIntents(db, clients.hubspot, feedback, now());
        failed = await writeFeedback(clients.hubspot, feedback, enriched.contacts);
      } catch (err) {
        // The intents could not be read or written: no note goes out unrecorded; these retry.
        const error =
          err instanceof RetryableError
            ? err
            : new RetryableError(
                err instanceof Error ? err.message : String(err),
                "unexpected",
                30,
              );
        failed = new Map(withFeedback.map((v) => [v.work.contactId, error]));
      }
      return withFeedback.map((v) => ({
        v,
        error: failed.get(v.work.contactId),
        noteFound: notesFound.has(v.work.contactId),
      }));
    };
    const qualified = verdicts.filter((v) => v.lead);
    const [refusedFeedback, qualifiedFeedback] = await Promise.all([
      giveFeedback(verdicts.filter((v) => !v.lead)),
      pushQualified(qualified, deps, outcomes, writes).then(() => {
        lap("pushMs");
        return giveFeedback(qualified);
      }),
    ]);
    lap("feedbackMs");

    const landed: string[] = [];
    for (const { v, error, noteFound } of [...refusedFeedback, ...qualifiedFeedback]) {
      const id = v.work.contactId;
      const codes = v.reasons.map((r) => r.code);
      // The verdict and any Salesforce push are recorded either way (a retry does not push again);
      // the feedback key only once the feedback landed, so a retry writes the note it still owes.
      writes.lead({
        ...v.row,
        status: v.status,
        reasons: JSON.stringify(codes),
        salesforce_lead_id: v.salesforceId ?? v.row.salesforce_lead_id,
        // Speed-to-lead ends when Salesforce has the lead (the first time; later rows keep it).
        handed_off_at: v.status === "handed_off" ? (v.pushedAt ?? now()) : null,
        feedback_key: error ? v.row.feedback_key : v.feedback!.feedbackKey,
        push_key: v.pushKey ?? v.row.push_key,
      });
      writes.audit({
        contactId: id,
        step: v.status === "handed_off" ? "qualified" : "refused",
        detail: { rulesVersion: rules.version, reasons: codes },
      });
      if (error) {
        writes.audit({
          contactId: id,
          step: "feedback_retry",
          detail: { kind: error.kind, message: error.message },
        });
        outcomes.set(id, { done: false, error });
        continue;
      }
      writes.audit({
        contactId: id,
        step: "feedback_written",
        detail: {
          status: v.feedback!.properties.leadbridge_status,
          note: Boolean(v.feedback!.note),
          ...(noteFound ? { noteFoundOnTimeline: true } : {}),
        },
      });
      landed.push(id);
      finish(v.work, v.status);
    }
    writes.statement(...clearNoteIntents(db, landed));
  }

  // One transaction: the batch's states, audit lines and handled keys land together or not at all.
  lap("recordMs");
  const queries = await writes.flush();
  lap("d1WriteMs");
  log.info("handoff_done", {
    contacts: items.length,
    done: [...outcomes.values()].filter((o) => o.done).length,
    d1Statements: queries,
    ms: Date.now() - started,
    ...phases,
  });
  return outcomes;
}

async function pushQualified(
  qualified: Verdict[],
  deps: HandoffDeps,
  outcomes: Map<string, ContactOutcome>,
  writes: LeadWrites,
): Promise<void> {
  const { kv, clients, config } = deps;
  const now = deps.now ?? Date.now;
  const toPush: Verdict[] = [];
  for (const v of qualified) {
    v.pushKey = await payloadKey(v.lead!);
    // Unchanged since the last successful push: Salesforce already has exactly this.
    if (v.pushKey === v.row.push_key && v.row.salesforce_lead_id)
      v.salesforceId = v.row.salesforce_lead_id;
    else toPush.push(v);
  }
  if (!toPush.length) return;

  if (overBudget(await readUsage(kv), config.SALESFORCE_DAILY_BUDGET_SHARE)) {
    const error = new RetryableError(
      "Salesforce API usage is above the configured share of the daily allocation",
      "salesforce_budget",
      15 * 60,
    );
    for (const v of toPush) {
      writes.audit({ contactId: v.work.contactId, step: "held", detail: { reason: error.kind } });
      outcomes.set(v.work.contactId, { done: false, error });
    }
    return;
  }

  let results: Map<string, PushOutcome>;
  try {
    const conn = await clients.salesforce();
    try {
      results = await upsertLeads(
        conn,
        toPush.map((v) => v.lead!),
      );
    } finally {
      await recordUsage(kv, conn.limitInfo?.apiUsage);
    }
  } catch (err) {
    // Salesforce as a whole is unavailable or out of budget: only these contacts wait;
    // refusals in the same batch still get their feedback.
    const error = err instanceof RetryableError ? err : classifyCallError(err);
    for (const v of toPush) {
      writes.audit({
        contactId: v.work.contactId,
        step: error.kind === "salesforce_limit" ? "held" : "push_retry",
        detail: { reason: error.kind },
      });
      outcomes.set(v.work.contactId, { done: false, error });
    }
    return;
  }
  const pushedAt = now();
  for (const v of toPush) {
    const id = v.work.contactId;
    const result = results.get(v.lead![EXTERNAL_ID_FIELD])!;
    if (result.kind === "pushed") {
      v.salesforceId = result.salesforceId;
      v.pushedAt = pushedAt;
      writes.audit({
        contactId: id,
        step: "pushed",
        detail: { salesforceId: result.salesforceId, created: result.created },
      });
    } else if (result.kind === "refused") {
      v.status = "rejected";
      v.pushKey = null;
      v.reasons = [{ code: `salesforce_rejected:${result.code}`, message: result.message }];
      writes.audit({ contactId: id, step: "salesforce_refused", detail: { code: result.code } });
    } else if (result.kind === "failed") {
      // Salesforce refused the whole call (outage, daily limit): these contacts wait, the rest carry on.
      writes.audit({
        contactId: id,
        step: result.error.kind === "salesforce_limit" ? "held" : "push_retry",
        detail: { reason: result.error.kind },
      });
      outcomes.set(id, { done: false, error: result.error });
    } else {
      writes.audit({ contactId: id, step: "push_retry", detail: { code: result.code } });
      outcomes.set(id, {
        done: false,
        error: new RetryableError(`Salesforce ${result.code}`, "salesforce_transient", 10),
      });
    }
  }
}

async function payloadKey(lead: SalesforceLead): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(lead));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
