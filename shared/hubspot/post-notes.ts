import type { StandardError } from "@hubspot/api-client/lib/codegen/crm/objects/notes";
import { chunks, runLimited } from "../batching";
import type { HubSpot } from "./apis";
import { findLandedNotes } from "./landed-notes";
import { HUBSPOT_BATCH_MAX, NOTE_CLOCK_SKEW_MS, noteOnContact } from "./notes";
import { withHubSpotRetry } from "./retry";

// Posting Leadbridge's notes exactly once. The caller records an intent (in D1) before calling,
// and a later attempt that finds one looks on the timeline first; here, within one attempt, a lost
// answer (5xx, timeout) is never followed by a blind second post, and a 207 is read item by item.

/** A note for one contact's timeline, and how to recognise it there if the answer is lost. */
export interface NoteToPost {
  contactId: string;
  /** The note's HTML. */
  body: string;
  /** Every one appears in the note's text (see NoteLookup.texts). */
  texts: string[];
  /** ms: when the intent to post it was recorded; older notes are not this one. */
  intentAt: number;
}

export interface PostedNotes {
  /** On the timeline now: created by this call, or found there after an answer was lost. */
  landed: Set<string>;
  /** Of those, the ones found on the timeline rather than confirmed by an answer. */
  found: Set<string>;
  /** Not known to be on the timeline, with why: they retry later (their intent stays). */
  failed: Map<string, unknown>;
}

/** Posts each contact's note (one per contact), 100 per batch create, `concurrency` at once. */
export async function postNotesOnce(
  hubspot: HubSpot,
  notes: NoteToPost[],
  at: Date,
  concurrency: number,
): Promise<PostedNotes> {
  const posted: PostedNotes = { landed: new Set(), found: new Set(), failed: new Map() };
  await runLimited(
    chunks(notes, HUBSPOT_BATCH_MAX).map((chunk) => () => postChunk(hubspot, chunk, at, posted)),
    concurrency,
  );
  return posted;
}

/**
 * One batch create, with every input traced so HubSpot answers multi-status. When the answer is
 * lost, the timeline says which notes landed, and only the others are posted again, once; if that
 * answer is lost too, they fail (the next attempt looks first, from their intent).
 */
async function postChunk(
  hubspot: HubSpot,
  chunk: NoteToPost[],
  at: Date,
  posted: PostedNotes,
): Promise<void> {
  let pending = chunk;
  for (let attempt = 1; pending.length; attempt++) {
    let lost = false;
    try {
      const answer = await withHubSpotRetry(
        () =>
          hubspot.crm.objects.notes.batchApi
            .create({
              inputs: pending.map((n) => ({
                ...noteOnContact(n.contactId, n.body, at),
                objectWriteTraceId: n.contactId,
              })),
            })
            .catch((err) => {
              lost = isLostAnswer(err);
              throw err;
            }),
        4,
        { retryUnavailable: false },
      );
      const refused = refusedItems(answer, pending);
      if (refused) {
        for (const n of pending) {
          const error = refused.get(n.contactId);
          if (error) posted.failed.set(n.contactId, error);
          else posted.landed.add(n.contactId);
        }
        return;
      }
      // A 207 whose errors name no input: which notes landed is unknown, as after a lost answer.
      lost = true;
      throw new Error("HubSpot refused some notes without naming them");
    } catch (err) {
      if (!lost || attempt === 2) {
        for (const n of pending) posted.failed.set(n.contactId, err);
        return;
      }
      try {
        const seen = await findLandedNotes(
          hubspot,
          pending.map((n) => ({
            contactId: n.contactId,
            since: n.intentAt - NOTE_CLOCK_SKEW_MS,
            texts: n.texts,
          })),
        );
        for (const id of seen) {
          posted.landed.add(id);
          posted.found.add(id);
        }
        pending = pending.filter((n) => !seen.has(n.contactId));
      } catch (lookErr) {
        for (const n of pending) posted.failed.set(n.contactId, lookErr);
        return;
      }
    }
  }
}

/** A 5xx or no answer at all: HubSpot may have stored the write before it failed to say so. */
function isLostAnswer(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === undefined || code >= 500;
}

/**
 * The inputs HubSpot refused, by contact, each with HubSpot's reason; null when a 207 lists errors
 * without naming the inputs they are about.
 */
function refusedItems(answer: object, inputs: NoteToPost[]): Map<string, Error> | null {
  const refused = new Map<string, Error>();
  const known = new Set(inputs.map((n) => n.contactId));
  // A 201 has no errors; a 207 lists the refused inputs.
  const errors = "errors" in answer ? (answer.errors as StandardError[] | undefined) : undefined;
  for (const error of errors ?? []) {
    const ids = (error.context?.objectWriteTraceId ?? []).filter((id) => known.has(id));
    if (!ids.length) return null;
    const reason = Object.assign(new Error(error.message), { code: 207, category: error.category });
    for (const id of ids) refused.set(id, reason);
  }
  return refused;
}
