import type { HubSpot } from "../../shared/hubspot/apis";
import { updateContacts } from "../../shared/hubspot/contact-updates";
import { escapeHtml } from "../../shared/hubspot/notes";
import { postNotesOnce } from "../../shared/hubspot/post-notes";
import { RetryableError } from "../../shared/retryable";
import type { Properties } from "./mql";
import type { Rejection } from "./qualify";

/** How every refusal note begins (also how a retry recognises one already posted). */
export const NOTE_HEADLINE = "Leadbridge did not hand this contact to sales";

export interface Feedback {
  contactId: string;
  properties: Record<string, string>;
  /** Set only when the contact was refused for reasons it was not refused for last time. */
  note?: string;
  feedbackKey: string | null;
}

/**
 * Status properties for a contact handed off to sales. The Lead id is left as HubSpot has it when
 * unknown (a converted Lead Salesforce could not be asked about).
 */
export function handedOffFeedback(contactId: string, salesforceId: string | undefined): Feedback {
  return {
    contactId,
    properties: {
      leadbridge_status: "handed_off",
      leadbridge_rejection_reasons: "",
      ...(salesforceId === undefined ? {} : { leadbridge_salesforce_lead_id: salesforceId }),
    },
    feedbackKey: null,
  };
}

/** Status properties for a qualifying contact that is already a Salesforce Contact: no note. */
export function existingContactFeedback(contactId: string, salesforceContactId: string): Feedback {
  return {
    contactId,
    properties: {
      leadbridge_status: "existing_contact",
      leadbridge_rejection_reasons: "",
      leadbridge_salesforce_contact_id: salesforceContactId,
    },
    feedbackKey: null,
  };
}

/** Status, reason codes and (when the reasons changed) a note a marketer can act on; pure. */
export function toFeedback(
  contactId: string,
  rejections: Rejection[],
  rulesVersion: number,
  previousKey: string | null,
): Feedback {
  const codes = [...new Set(rejections.map((r) => r.code))].sort();
  const feedbackKey = codes.join(";");
  const properties = { leadbridge_status: "rejected", leadbridge_rejection_reasons: feedbackKey };
  if (feedbackKey === previousKey) return { contactId, properties, feedbackKey };
  const items = rejections
    .map((r) => `<li>${escapeHtml(r.message)} <code>${escapeHtml(r.code)}</code></li>`)
    .join("");
  const note =
    `<p><strong>${NOTE_HEADLINE}</strong> (qualification rules v${rulesVersion}).</p>` +
    `<p>What to fix:</p><ul>${items}</ul>` +
    `<p>Once fixed, the contact is judged again automatically.</p>`;
  return { contactId, properties, note, feedbackKey };
}

/** True when HubSpot already shows these values, so the write can be skipped. */
export function alreadyShown(
  current: Properties | undefined,
  properties: Record<string, string>,
): boolean {
  if (!current) return false;
  return Object.entries(properties).every(([name, value]) => (current[name] ?? "") === value);
}

/**
 * HubSpot batch writes in flight at once: a 1,000-contact pass writes its statuses in one round
 * trip and its notes in a second.
 */
export const FEEDBACK_CONCURRENCY = 10;
export interface FeedbackWritten {
  /** The contacts whose feedback did not land, and why: they retry. */
  failed: Map<string, RetryableError>;
  /** Contacts whose note was found on the timeline after HubSpot's answer was lost. */
  notesFound: Set<string>;
}

/**
 * Batch-updates status properties (100 per call), then posts notes on the timelines of the
 * contacts whose status landed, a few calls at a time. A failed call fails its chunk only, and a
 * 400 only the contacts HubSpot refuses (updateContacts); a note fails alone when a 207 says so.
 * Since a note is only written after its contact's status, a retry never finds half of it. `intentAt` is when the
 * notes' intents were recorded (see settleNoteIntents).
 */
export async function writeFeedback(
  hubspot: HubSpot,
  items: Feedback[],
  current: Map<string, Properties>,
  intentAt: number,
): Promise<FeedbackWritten> {
  const failed = new Map<string, RetryableError>();
  const updates = items.filter((f) => !alreadyShown(current.get(f.contactId), f.properties));
  const statuses = await updateContacts(
    hubspot,
    updates.map((f) => ({ id: f.contactId, properties: f.properties })),
    FEEDBACK_CONCURRENCY,
  );
  for (const [contactId, { error }] of statuses.failed)
    failed.set(contactId, feedbackWriteError(error));

  const notes = items.filter((f) => f.note && !failed.has(f.contactId));
  const posted = await postNotesOnce(
    hubspot,
    notes.map((f) => ({
      contactId: f.contactId,
      body: f.note!,
      texts: refusalNoteTexts(f.feedbackKey),
      intentAt,
    })),
    new Date(),
    FEEDBACK_CONCURRENCY,
  );
  for (const [contactId, err] of posted.failed) failed.set(contactId, feedbackWriteError(err));
  return { failed, notesFound: posted.found };
}

/** What a look at the timeline finds in a refusal note for these reasons, as text. */
export function refusalNoteTexts(feedbackKey: string | null): string[] {
  return [NOTE_HEADLINE, ...(feedbackKey ?? "").split(";").filter(Boolean)];
}

function feedbackWriteError(err: unknown): RetryableError {
  if (err instanceof RetryableError) return err;
  const e = err as { code?: number; message?: string };
  return new RetryableError(
    `HubSpot refused the feedback write (${e.code ?? "error"}): ${(e.message ?? String(err)).slice(0, 300)}`,
    "hubspot_error",
    30,
  );
}
