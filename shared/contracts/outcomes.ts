/**
 * What the handoff records about a contact, as values other parts read back: the audit trail's
 * steps, the kinds of error a contact can wait or retry for, a dead letter's kind, a lead's
 * status. Stored as text in D1; written and read only through these unions.
 */

/** Every step the audit trail records, in about the order a contact goes through them. */
export const AUDIT_STEPS = [
  "received",
  /** An event's time was outside the window Leadbridge trusts; the time it arrived was used. */
  "clock_untrusted",
  "deleted_in_hubspot",
  "privacy_deleted",
  "lead_rekeyed",
  /** A merged-away contact's Lead is converted: it keeps its key, the survivor goes on alone. */
  "rekey_skipped_converted",
  "merged",
  "not_found_in_hubspot",
  "enriched",
  "held",
  "push_retry",
  "pushed",
  "salesforce_refused",
  /** Salesforce says the contact's Lead is converted: nothing is pushed to it any more. */
  "lead_converted",
  "qualified",
  "refused",
  /**
   * A handed-off contact that fails the rules in force: it stays handed off (a handoff is a fact).
   */
  "no_longer_qualifies",
  "feedback_retry",
  "feedback_written",
  "error",
  // Existing customers (docs/handoff.md, "Existing customers"): appended, never reordered.
  /**
   * The verdict for a qualifying contact that is already a Salesforce Contact: no Lead is made;
   * the detail names the Contact.
   */
  "existing_contact",
  // The outcome sync (docs/outcomes.md): appended, never reordered.
  /** Sales moved the Lead on: the detail has the new sales stage (and sales' reason, if any). */
  "sales_stage",
  /** The sales stage (and a note, if owed) reached the HubSpot contact. */
  "sales_stage_written",
] as const;
export type AuditStep = (typeof AUDIT_STEPS)[number];

/** The verdict steps: one per judgement, read by the nightly report and sync health. */
export const JUDGEMENT_STEPS = [
  "qualified",
  "refused",
  "no_longer_qualifies",
  "existing_contact",
] as const satisfies readonly AuditStep[];
export type JudgementStep = (typeof JUDGEMENT_STEPS)[number];

/** Steps after which a contact still has work owed to it: a hold or a retry. */
export const WAITING_STEPS = [
  "held",
  "push_retry",
  "feedback_retry",
  "error",
] as const satisfies readonly AuditStep[];

/** Steps that record something going wrong: the waiting ones and Salesforce's refusals. */
export const FAILURE_STEPS = [
  "salesforce_refused",
  ...WAITING_STEPS,
] as const satisfies readonly AuditStep[];
export type FailureStep = (typeof FAILURE_STEPS)[number];

/** Why a contact's work waits or retries: the kind of a RetryableError. */
export const ERROR_KINDS = [
  /** Salesforce usage is above the share of its daily allocation Leadbridge may use. */
  "salesforce_budget",
  /** Salesforce's daily API limit is reached. */
  "salesforce_limit",
  /** A Salesforce call failed as a whole (outage, network). */
  "salesforce_unavailable",
  /** Salesforce refused one record for a passing reason (a row lock). */
  "salesforce_transient",
  "hubspot_rate_limited",
  "hubspot_unavailable",
  /** HubSpot refused a feedback write. */
  "hubspot_error",
  "unexpected",
  // Pauses (docs/handoff.md, "Pauses"): appended, never reordered.
  /**
   * Salesforce refused Leadbridge itself: the token call (`invalid_client`, `invalid_grant`), or a
   * session still invalid after the one re-authorization.
   */
  "salesforce_auth",
  /** A D1 call failed (not an SQL error): the database is down or overloaded. */
  "d1_unavailable",
  /**
   * HubSpot refused Leadbridge's token itself: a 401 (revoked, rotated or wrong private app
   * token), or a 403 `MISSING_SCOPES` (the private app lacks a scope a call needs).
   */
  "hubspot_auth",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What Leadbridge depends on and can pause for (docs/handoff.md, "Pauses"). */
export const DEPENDENCIES = ["hubspot", "salesforce", "d1"] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** Holds wait as long as it takes: they are never retried to exhaustion nor dead-lettered. */
export const HOLD_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "salesforce_budget",
  "salesforce_limit",
]);

/**
 * Why a message was dead-lettered: its contact's last error, a body that is not a lead event,
 * or a message the queue gave up on after the consumer failed on every delivery.
 */
export const DEAD_LETTER_KINDS = [...ERROR_KINDS, "invalid_message", "retries_exhausted"] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/**
 * How a contact's work reached the handoff: a HubSpot webhook event, or an admin's backfill or
 * resync. A replayed dead letter keeps the origin of the events it re-sends. Only webhook
 * handoffs count in speed-to-lead.
 */
export const LEAD_ORIGINS = ["webhook", "backfill", "resync"] as const;
export type LeadOrigin = (typeof LEAD_ORIGINS)[number];

/**
 * A lead row's status: the last verdict, or what became of the contact in HubSpot.
 * `existing_contact`: it qualified but is already a Salesforce Contact, so no Lead was made.
 */
export const LEAD_STATUSES = [
  "handed_off",
  "rejected",
  "deleted",
  "merged",
  "existing_contact",
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** The kinds of trouble GET /admin/sync-health groups failures into. */
export const SYNC_HEALTH_KINDS = [
  "validation",
  "duplicates",
  "auth",
  "limits",
  "transient",
  "other",
] as const;
export type SyncHealthKind = (typeof SYNC_HEALTH_KINDS)[number];
