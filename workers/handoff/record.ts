import type { AuditStep } from "../../shared/contracts/outcomes";
import type { AuditEntry, LeadState } from "../../shared/db/leads";
import { insertAudits, markSeen, purgeContacts, upsertLeadRows } from "../../shared/db/leads";
import { type JudgedSnapshot, upsertSnapshots } from "../../shared/db/snapshots";
import { writeTombstones } from "../../shared/db/tombstones";
import { clearNoteIntents } from "./note-intents";
import { setAssignedLeadIds } from "./routing";
import type {
  AssignedLead,
  ContactOutcome,
  FeedbackOutcome,
  Settled,
  StageRecord,
  Waiting,
} from "./types";

/** A handoff batch's D1 writes, as values; written in one transaction by writeBatch. */
export interface BatchWrites {
  /** Contacts HubSpot privacy-deleted: nothing of theirs stays, whatever else the batch wrote. */
  purged: string[];
  tombstones: string[];
  /** Contacts purged before whose late events the batch handled: purged again, not counted. */
  forgotten: string[];
  notesLanded: string[];
  leads: LeadState[];
  audits: AuditEntry[];
  snapshots: JudgedSnapshot[];
  seen: { key: string; contactId: string; at: number }[];
  /** Routed new Leads Salesforce confirmed (routing.ts), by contact. */
  assignedLeads: AssignedLead[];
}

/**
 * What the feedback stage leaves to record: each decision's lead row and verdict, recorded
 * whether or not its feedback landed (a retry does not push again); the feedback key only once
 * the feedback landed, so a retry writes the note it still owes; pure.
 */
export function recordFeedback(
  outcomes: FeedbackOutcome[],
  rulesVersion: number,
  at: number,
): StageRecord {
  const record: Required<
    Omit<StageRecord, "purged" | "tombstones" | "forgotten" | "snapshots" | "assignedLeads">
  > = {
    settled: [],
    waiting: [],
    leads: [],
    audits: [],
    notesLanded: [],
  };
  for (const { decision: d, feedback, error, noteFound } of outcomes) {
    const contactId = d.work.contactId;
    const codes = d.reasons.map((r) => r.code);
    const handedOff = d.status === "handed_off";
    const lapsed = handedOff ? d.noLongerQualifies : undefined;
    const existing = d.status === "existing_contact" ? d.existingContact : undefined;
    record.leads.push({
      ...d.row,
      status: d.status,
      reasons: JSON.stringify(codes),
      salesforce_lead_id: d.salesforceId ?? d.row.salesforce_lead_id,
      // Speed-to-lead ends when Salesforce has the lead (the first time; later rows keep it).
      handed_off_at: handedOff ? (d.pushedAt ?? at) : null,
      // Kept by the database only for the first handoff.
      handoff_origin: handedOff ? d.work.origin : null,
      feedback_key: error ? d.row.feedback_key : feedback.feedbackKey,
      push_key: d.pushKey ?? d.row.push_key,
      no_longer_qualifies: lapsed ? JSON.stringify(lapsed) : null,
      salesforce_contact_id: existing?.contactId ?? null,
      // Only a Lead Salesforce holds was built by a mapping version; kept by the database otherwise.
      mapping_version: handedOff ? d.row.mapping_version : null,
    });
    record.audits.push({
      contactId,
      step: verdictStep(d),
      detail: {
        rulesVersion,
        reasons: lapsed ?? codes,
        ...(existing
          ? { salesforceContactId: existing.contactId, salesforceAccountId: existing.accountId }
          : {}),
      },
      at,
    });
    if (error) {
      record.audits.push({
        contactId,
        step: "feedback_retry",
        detail: { kind: error.kind, message: error.message },
        at,
      });
      record.waiting.push({ contactId, error });
      continue;
    }
    record.audits.push({
      contactId,
      step: "feedback_written",
      detail: {
        status: feedback.properties.leadbridge_status,
        note: Boolean(feedback.note),
        ...(noteFound ? { noteFoundOnTimeline: true } : {}),
      },
      at,
    });
    record.notesLanded.push(contactId);
    record.settled.push({ work: d.work, status: d.status, at });
  }
  return record;
}

function verdictStep(d: FeedbackOutcome["decision"]): AuditStep {
  if (d.status === "existing_contact") return "existing_contact";
  if (d.status === "rejected") return "refused";
  return d.noLongerQualifies ? "no_longer_qualifies" : "qualified";
}

/** The stages' records, in order, as the batch's writes and each contact's outcome; pure. */
export function record(stages: StageRecord[]): {
  writes: BatchWrites;
  outcomes: Map<string, ContactOutcome>;
} {
  const settled: Settled[] = stages.flatMap((s) => s.settled ?? []);
  const waiting: Waiting[] = stages.flatMap((s) => s.waiting ?? []);
  const outcomes = new Map<string, ContactOutcome>();
  for (const { contactId, error } of waiting) outcomes.set(contactId, { done: false, error });
  for (const { work, status } of settled) outcomes.set(work.contactId, { done: true, status });
  return {
    writes: {
      purged: [...new Set(stages.flatMap((s) => s.purged ?? []))],
      tombstones: stages.flatMap((s) => s.tombstones ?? []),
      forgotten: [...new Set(stages.flatMap((s) => s.forgotten ?? []))],
      notesLanded: stages.flatMap((s) => s.notesLanded ?? []),
      leads: stages.flatMap((s) => s.leads ?? []),
      audits: stages.flatMap((s) => s.audits ?? []),
      snapshots: stages.flatMap((s) => s.snapshots ?? []),
      assignedLeads: stages.flatMap((s) => s.assignedLeads ?? []),
      // A privacy deletion's keys are never stored: they are keyed by the contact. A purge that
      // comes again is done again, which changes nothing (see docs/handoff.md).
      seen: settled
        .filter((s) => s.status !== "purged")
        .flatMap((s) => s.work.keys.map((key) => ({ key, contactId: s.work.contactId, at: s.at }))),
    },
    outcomes,
  };
}

/**
 * One transaction: the batch's states, audit lines and handled keys land together or not at
 * all. Cleared note intents, lead rows, audit lines, handled event keys and judged snapshots, each as a few bulk
 * statements whatever the batch size, then the purges last, so nothing the batch wrote about a
 * privacy-deleted contact (a merge re-keying its lead, say) outlives them. Returns the statements
 * run.
 */
export async function writeBatch(
  db: D1Database,
  batchId: string,
  writes: BatchWrites,
): Promise<number> {
  const statements = [
    ...clearNoteIntents(db, writes.notesLanded),
    ...upsertLeadRows(db, writes.leads),
    ...insertAudits(db, writes.audits, batchId),
    ...markSeen(db, writes.seen, Date.now()),
    ...upsertSnapshots(db, writes.snapshots),
    ...setAssignedLeadIds(db, writes.assignedLeads),
    ...purgeContacts(db, [...writes.purged, ...writes.forgotten], Date.now(), writes.purged.length),
    ...writeTombstones(db, writes.tombstones, Date.now()),
  ];
  if (statements.length) await db.batch(statements);
  return statements.length;
}
