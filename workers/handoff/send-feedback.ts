import type { HubSpot } from "../../shared/hubspot/apis";
import { asRetryableError, type RetryableError } from "../../shared/retryable";
import {
  existingContactFeedback,
  type Feedback,
  handedOffFeedback,
  toFeedback,
  writeFeedback,
} from "./feedback";
import type { Properties } from "./mql";
import { settleNoteIntents } from "./note-intents";
import type { Decision, FeedbackOutcome } from "./types";

export interface FeedbackContext {
  db: D1Database;
  hubspot: HubSpot;
  rulesVersion: number;
  /**
   * The contacts' properties as HubSpot shows them now (writes that change nothing are skipped).
   */
  current: Map<string, Properties>;
  now: () => number;
}

/**
 * Tells HubSpot each decision: status properties, and a note when a refusal's reasons changed.
 * A note already on its way once is looked for first, so a retry does not post it twice; a contact
 * whose write HubSpot refuses fails alone.
 */
export async function sendFeedback(
  decisions: Decision[],
  ctx: FeedbackContext,
): Promise<FeedbackOutcome[]> {
  let feedback = decisions.map((d) => feedbackFor(d, ctx.rulesVersion));
  let failed: Map<string, RetryableError>;
  let notesFound = new Set<string>();
  try {
    const intentAt = ctx.now();
    notesFound = await settleNoteIntents(ctx.db, ctx.hubspot, feedback, intentAt);
    feedback = feedback.map((f) => (notesFound.has(f.contactId) ? { ...f, note: undefined } : f));
    const written = await writeFeedback(ctx.hubspot, feedback, ctx.current, intentAt);
    failed = written.failed;
    notesFound = new Set([...notesFound, ...written.notesFound]);
  } catch (err) {
    // The intents could not be read or written: no note goes out unrecorded; these retry.
    const error = asRetryableError(err);
    failed = new Map(decisions.map((d) => [d.work.contactId, error]));
  }
  return decisions.map((decision, i) => ({
    decision,
    feedback: feedback[i]!,
    error: failed.get(decision.work.contactId),
    noteFound: notesFound.has(decision.work.contactId),
  }));
}

function feedbackFor(d: Decision, rulesVersion: number): Feedback {
  const id = d.work.contactId;
  if (d.status === "existing_contact")
    return existingContactFeedback(id, d.existingContact!.contactId);
  const feedback =
    d.status === "handed_off"
      ? handedOffFeedback(id, d.salesforceId)
      : toFeedback(id, d.reasons, rulesVersion, d.row.feedback_key);
  // Matched to a Salesforce Contact last time, no longer: HubSpot stops naming that Contact.
  if (d.row.salesforce_contact_id === null) return feedback;
  return {
    ...feedback,
    properties: { ...feedback.properties, leadbridge_salesforce_contact_id: "" },
  };
}
