import type { Clients } from "../../shared/clients";
import type { LeadStatus } from "../../shared/contracts/outcomes";
import type { AuditEntry, LeadState } from "../../shared/db/leads";
import type { JudgedSnapshot } from "../../shared/db/snapshots";
import type { Config } from "../../shared/env";
import type { Logger } from "../../shared/log";
import type { RetryableError } from "../../shared/retryable";
import type { ContactWork } from "./coalesce";
import type { ExistingContact } from "./existing-contacts";
import type { Feedback } from "./feedback";
import type { SalesforceLead } from "./lead-mapping";
import type { Rejection } from "./qualify";
import type { Assignment } from "./routing-plan";

/** What the handoff of one batch needs from the outside world. */
export interface HandoffDeps {
  db: D1Database;
  kv: KVNamespace;
  clients: Clients;
  config: Config;
  log: Logger;
  batchId: string;
  now?: () => number;
  /** lead-sla: the first SLA timer of each Lead created with an owner Leadbridge chose. */
  slaTimers?: Queue;
  /**
   * The backfill lane (backfills, resyncs): nobody waits on its speed, only on HubSpot's per-app
   * limit, which it shares with live leads. Its refusals' feedback waits for the push and goes out
   * in the same writes, and companies read in the last minute are not read again.
   */
  lane?: "live" | "backfill";
}

export type DoneStatus = LeadStatus | "purged";

/** Per contact: done (its events can be acked) or to be retried for the given reason. */
export type ContactOutcome =
  | { done: true; status: DoneStatus }
  | { done: false; error: RetryableError };

/** A contact the batch is finished with: its events are marked handled as of `at`. */
export interface Settled {
  work: ContactWork;
  status: DoneStatus;
  at: number;
}

/** A contact whose work waits or retries, and why. */
export interface Waiting {
  contactId: string;
  error: RetryableError;
}

/**
 * What a stage leaves for the batch's one D1 transaction: contacts settled or waiting, lead
 * rows and audit lines, in the order the stage produced them.
 */
export interface StageRecord {
  settled?: Settled[];
  waiting?: Waiting[];
  leads?: LeadState[];
  audits?: AuditEntry[];
  /** What each judgement read, kept for previews of a rules change (shared/db/snapshots.ts). */
  snapshots?: JudgedSnapshot[];
  /** Contacts whose owed note has landed: their note intents can go. */
  notesLanded?: string[];
  /** Contacts HubSpot privacy-deleted: purged from D1 in the batch's transaction, settled or not. */
  purged?: string[];
  /** The purged contacts' tombstones (shared/db/tombstones.ts), written in the same transaction. */
  tombstones?: string[];
  /**
   * Contacts privacy-deleted before (a tombstone matched) that a late event brought back: whatever
   * the batch wrote of them is purged again, and nothing is counted.
   */
  forgotten?: string[];
  /**
   * New Leads the routing gave an owner that Salesforce confirmed: assignments.lead_id is set, and
   * a Lead this batch created starts its SLA timer (workers/sla/timers.ts).
   */
  assignedLeads?: AssignedLead[];
}

/** A routed contact whose Lead Salesforce confirmed, and whether this push created it. */
export interface AssignedLead {
  contactId: string;
  leadId: string;
  created: boolean;
  assignment: Assignment;
}

/** The rules' word on a contact that qualified: the lead to hand to Salesforce. */
export interface Qualified {
  work: ContactWork;
  /** The lead row as judged; the push and the feedback decide what it finally says. */
  row: LeadState;
  status: "handed_off";
  lead: SalesforceLead;
  /**
   * Set for a contact already handed off that fails the rules in force: the reason codes. It is
   * still pushed (its Lead kept in step) and stays handed off: a handoff is a fact.
   */
  noLongerQualifies?: string[];
}

/** The rules' word on a contact they refused, with what a marketer can fix. */
export interface Refused {
  work: ContactWork;
  row: LeadState;
  status: "rejected";
  reasons: Rejection[];
}

/** A contact's standing once Salesforce had its say: what its feedback and lead row will say. */
export interface Decision {
  work: ContactWork;
  row: LeadState;
  status: "handed_off" | "rejected" | "existing_contact";
  reasons: Rejection[];
  /**
   * The Salesforce lead's id, for a contact handed off; unset only for a converted Lead whose id
   * Salesforce could not be asked for.
   */
  salesforceId?: string;
  /** The Salesforce Contact an existing customer already is (status existing_contact). */
  existingContact?: ExistingContact;
  /** The key of the payload Salesforce holds for it; unset keeps the row's. */
  pushKey?: string;
  /** When Salesforce confirmed the upsert. */
  pushedAt?: number;
  /** A handed-off contact that fails the rules in force: the reason codes (see Qualified). */
  noLongerQualifies?: string[];
}

/** A decision's feedback to HubSpot, and whether it landed. */
export interface FeedbackOutcome {
  decision: Decision;
  feedback: Feedback;
  /** Set when the feedback did not land: the contact retries. */
  error?: RetryableError;
  /** Its note was found already on the contact's timeline (so not posted again). */
  noteFound: boolean;
}
