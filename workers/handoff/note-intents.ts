import type { HubSpot } from "../../shared/hubspot/apis";
import { findLandedNotes } from "../../shared/hubspot/landed-notes";
import { NOTE_CLOCK_SKEW_MS } from "../../shared/hubspot/notes";
import { type Feedback, refusalNoteTexts } from "./feedback";

/**
 * Before notes are posted: a contact whose note was already on its way once (an intent with the
 * same feedback key) is looked up on HubSpot, and its note is dropped if it landed; every note
 * still to post is recorded as an intent. Returns the contacts whose note was found (not to post).
 */
export async function settleNoteIntents(
  db: D1Database,
  hubspot: HubSpot,
  feedback: Feedback[],
  now: number,
): Promise<Set<string>> {
  const withNotes = feedback.filter((f) => f.note);
  if (!withNotes.length) return new Set();
  const { results } = await db
    .prepare(
      "SELECT contact_id, feedback_key, at FROM note_intents WHERE contact_id IN (SELECT value FROM json_each(?))",
    )
    .bind(JSON.stringify(withNotes.map((f) => f.contactId)))
    .all<{ contact_id: string; feedback_key: string; at: number }>();
  const intents = new Map(results.map((r) => [r.contact_id, r]));
  const suspects = withNotes.filter(
    (f) => intents.get(f.contactId)?.feedback_key === f.feedbackKey,
  );
  const landed = suspects.length
    ? await findRefusalNotes(hubspot, suspects, intents)
    : new Set<string>();
  const owed = withNotes.filter((f) => !landed.has(f.contactId));
  if (owed.length) {
    await db
      .prepare(
        `INSERT INTO note_intents (contact_id, feedback_key, at)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?) WHERE true
         ON CONFLICT (contact_id) DO UPDATE SET feedback_key = excluded.feedback_key, at = excluded.at`,
      )
      .bind(JSON.stringify(owed.map((f) => [f.contactId, f.feedbackKey, now])))
      .run();
  }
  return landed;
}

/** The intents of contacts whose feedback has landed, to go in the batch's final transaction. */
export function clearNoteIntents(db: D1Database, contactIds: string[]): D1PreparedStatement[] {
  if (!contactIds.length) return [];
  return [
    db
      .prepare("DELETE FROM note_intents WHERE contact_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(contactIds)),
  ];
}

/** Contacts with a Leadbridge note for exactly these reasons, created since their intent. */
function findRefusalNotes(
  hubspot: HubSpot,
  suspects: Feedback[],
  intents: Map<string, { at: number }>,
): Promise<Set<string>> {
  return findLandedNotes(
    hubspot,
    suspects.map((f) => ({
      contactId: f.contactId,
      since: intents.get(f.contactId)!.at - NOTE_CLOCK_SKEW_MS,
      texts: refusalNoteTexts(f.feedbackKey),
    })),
  );
}
