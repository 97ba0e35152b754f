import { chunks } from "../../shared/batching";
import { type AuditEntry, insertAudits } from "../../shared/db/leads";
import type { HubSpot } from "../../shared/hubspot/apis";
import { updateContacts } from "../../shared/hubspot/contact-updates";
import { findLandedNotes } from "../../shared/hubspot/landed-notes";
import { NOTE_CLOCK_SKEW_MS } from "../../shared/hubspot/notes";
import { postNotesOnce } from "../../shared/hubspot/post-notes";
import type { Logger } from "../../shared/log";
import { RetryableError } from "../../shared/retryable";
import type { SalesOutcome } from "./derive";
import { salesRefusalNote, salesRefusalNoteTexts } from "./note";

// The write-back: outcomes HubSpot has not been told, as contact properties (100 per batch
// update) and, for a refusal, one note on the timeline, exactly once across crashes and retries.

/** Outcomes written per run, oldest first; the rest wait for the next run. */
export const MAX_WRITTEN_PER_RUN = 1000;
const CONCURRENCY = 4;
/** What a contact HubSpot no longer has is settled with: there is nobody left to tell. */
export const CONTACT_GONE = "contact_not_found";
/** The audit code of a contact whose values HubSpot refused on their own (a 400). */
export const SALES_STAGE_REFUSED = "sales_stage_refused";
/** A contact HubSpot refused waits an hour before its next try, doubling to a day. */
export const REFUSED_RETRY_FIRST_MS = 60 * 60 * 1000;
export const REFUSED_RETRY_MAX_MS = 24 * 60 * 60 * 1000;

type OutcomeRow = SalesOutcome & {
  written_version: number;
  note_written_key: string | null;
  note_intent_at: number | null;
  attempts: number;
};

export interface WriteResult {
  /** Contacts whose properties were updated. */
  contacts: number;
  notes: number;
  /** Contacts left pending after a failed call (written on a later run). */
  failed: number;
  /** Contacts HubSpot no longer has: settled, not retried. */
  gone: number;
  /**
   * Contacts HubSpot refused alone (a 400 for their own values): they wait for a later try (an
   * hour, doubling to a day) or for sales' next change, not for the next run.
   */
  refused: number;
}

/** The properties an outcome sets on its contact. */
export function outcomeProperties(o: SalesOutcome): Record<string, string> {
  return {
    leadbridge_sales_stage: o.stage,
    leadbridge_sales_feedback: o.feedback,
    // Only ever a stage forward of what Leadbridge sent before; HubSpot keeps a contact that is
    // further on where it is.
    ...(o.lifecycle ? { lifecyclestage: o.lifecycle } : {}),
  };
}

/** A note is owed while the Lead is refused and its key is not known to be on the timeline. */
export function owesNote(o: OutcomeRow): boolean {
  return o.stage === "sales_rejected" && o.note_key !== null && o.note_key !== o.note_written_key;
}

export async function writeOutcomes(
  db: D1Database,
  hubspot: HubSpot,
  log: Logger,
  now: number,
): Promise<WriteResult> {
  // Rows that failed before go after the rest: a contact HubSpot keeps refusing never holds up
  // the others; one it refused alone waits for its retry_at.
  const { results: rows } = await db
    .prepare(
      `SELECT * FROM sales_outcomes WHERE version > written_version AND (retry_at IS NULL OR retry_at <= ?)
       ORDER BY attempts, stage_changed_at, contact_id LIMIT ?`,
    )
    .bind(now, MAX_WRITTEN_PER_RUN)
    .all<OutcomeRow>();
  const result: WriteResult = { contacts: 0, notes: 0, failed: 0, gone: 0, refused: 0 };
  if (!rows.length) return result;

  const failures = new Map<string, string>();
  const refused = new Map<string, string>();
  const gone = new Set<string>();
  const updated: OutcomeRow[] = [];
  // A 400 is written again in halves, so only the contacts at fault are refused; a 207 leaves out
  // the contacts HubSpot does not have.
  const sent = await updateContacts(
    hubspot,
    rows.map((o) => ({ id: o.contact_id, properties: outcomeProperties(o) })),
    CONCURRENCY,
  );
  for (const o of rows) {
    const failure = sent.failed.get(o.contact_id);
    if (failure) (failure.alone ? refused : failures).set(o.contact_id, describe(failure.error));
    else if (sent.updated.has(o.contact_id)) updated.push(o);
    else gone.add(o.contact_id);
  }

  const notes = await postOwedNotes(db, hubspot, updated.filter(owesNote), now, failures);
  const written = updated.filter((o) => !failures.has(o.contact_id));
  await db.batch([
    ...settleWritten(db, written, notes.onTimeline, now),
    ...settleGone(
      db,
      rows.filter((o) => gone.has(o.contact_id)),
      now,
    ),
    ...recordFailures(db, failures),
    ...recordRefusals(db, refused, now),
    ...insertAudits(
      db,
      [...refused].map(
        ([contactId, error]): AuditEntry => ({
          contactId,
          step: "error",
          at: now,
          detail: { kind: "hubspot_error", code: SALES_STAGE_REFUSED, message: error },
        }),
      ),
    ),
    ...insertAudits(
      db,
      written.map(
        (o): AuditEntry => ({
          contactId: o.contact_id,
          step: "sales_stage_written",
          at: now,
          detail: {
            stage: o.stage,
            ...(o.lifecycle ? { lifecycle: o.lifecycle } : {}),
            ...(notes.posted.has(o.contact_id) ? { note: true } : {}),
            ...(notes.found.has(o.contact_id) ? { noteFound: true } : {}),
          },
        }),
      ),
    ),
  ]);
  result.contacts = written.length;
  result.notes = notes.posted.size;
  result.failed = failures.size;
  result.gone = gone.size;
  result.refused = refused.size;
  if (failures.size)
    log.warn("outcomes_write_failed", {
      contacts: failures.size,
      kinds: [...new Set([...failures.values()].map((e) => e.split(/[:( ]/)[0]))],
    });
  if (gone.size) log.warn("outcomes_contacts_gone", { contacts: gone.size });
  // HubSpot's messages name the values refused: the log says how many and the kind only.
  if (refused.size) log.warn("outcomes_write_refused", { contacts: refused.size, status: 400 });
  return result;
}

/**
 * Posts the notes owed to contacts whose properties were just updated. An earlier attempt whose
 * outcome is unknown (an intent on the row) is looked for on the timeline first; every note about
 * to be posted has its intent recorded in D1 before the call, which posts each once (see
 * postNotesOnce: a lost answer is looked for, a 207 read item by item).
 */
async function postOwedNotes(
  db: D1Database,
  hubspot: HubSpot,
  owed: OutcomeRow[],
  now: number,
  failures: Map<string, string>,
): Promise<{ posted: Set<string>; found: Set<string>; onTimeline: Set<string> }> {
  const posted = new Set<string>();
  let found = new Set<string>();
  if (!owed.length) return { posted, found, onTimeline: posted };
  const texts = (o: OutcomeRow) => salesRefusalNoteTexts(o.lead_id, o.feedback);
  try {
    const suspects = owed.filter((o) => o.note_intent_at !== null);
    found = await findLandedNotes(
      hubspot,
      suspects.map((o) => ({
        contactId: o.contact_id,
        since: o.note_intent_at! - NOTE_CLOCK_SKEW_MS,
        texts: texts(o),
      })),
    );
    const toPost = owed.filter((o) => !found.has(o.contact_id));
    if (toPost.length)
      await db
        .prepare(
          "UPDATE sales_outcomes SET note_intent_at = ? WHERE contact_id IN (SELECT value FROM json_each(?))",
        )
        .bind(now, JSON.stringify(toPost.map((o) => o.contact_id)))
        .run();
    const result = await postNotesOnce(
      hubspot,
      toPost.map((o) => ({
        contactId: o.contact_id,
        body: salesRefusalNote(o.lead_id, o.feedback),
        texts: texts(o),
        intentAt: now,
      })),
      new Date(now),
      CONCURRENCY,
    );
    for (const id of result.landed) (result.found.has(id) ? found : posted).add(id);
    for (const [id, err] of result.failed) failures.set(id, describe(err));
  } catch (err) {
    // The timeline could not be read or the intents not recorded: no note goes out unrecorded.
    for (const o of owed) if (!posted.has(o.contact_id)) failures.set(o.contact_id, describe(err));
  }
  return { posted, found, onTimeline: new Set([...posted, ...found]) };
}

/**
 * The version written (not the row's current one: a change derived meanwhile stays pending), and
 * the note key now on the timeline.
 */
function settleWritten(
  db: D1Database,
  written: OutcomeRow[],
  onTimeline: Set<string>,
  now: number,
): D1PreparedStatement[] {
  return chunks(written, 500).map((chunk) =>
    db
      .prepare(
        `UPDATE sales_outcomes SET
           written_version = MAX(written_version, json_extract(w.value, '$[1]')),
           note_written_key = COALESCE(json_extract(w.value, '$[2]'), note_written_key),
           note_intent_at = CASE WHEN json_extract(w.value, '$[2]') IS NULL THEN note_intent_at END,
           written_at = ?1, attempts = 0, last_error = NULL, retry_at = NULL
         FROM json_each(?2) AS w WHERE sales_outcomes.contact_id = json_extract(w.value, '$[0]')`,
      )
      .bind(
        now,
        JSON.stringify(
          chunk.map((o) => [
            o.contact_id,
            o.version,
            onTimeline.has(o.contact_id) ? o.note_key : null,
          ]),
        ),
      ),
  );
}

/** A contact HubSpot no longer has: its outcome is settled as written, with the reason kept. */
function settleGone(db: D1Database, rows: OutcomeRow[], now: number): D1PreparedStatement[] {
  return chunks(rows, 500).map((chunk) =>
    db
      .prepare(
        `UPDATE sales_outcomes SET written_version = MAX(written_version, json_extract(w.value, '$[1]')),
           written_at = ?1, last_error = ?2
         FROM json_each(?3) AS w WHERE sales_outcomes.contact_id = json_extract(w.value, '$[0]')`,
      )
      .bind(now, CONTACT_GONE, JSON.stringify(chunk.map((o) => [o.contact_id, o.version]))),
  );
}

function recordFailures(db: D1Database, failures: Map<string, string>): D1PreparedStatement[] {
  return chunks([...failures], 500).map((chunk) =>
    db
      .prepare(
        `UPDATE sales_outcomes SET attempts = attempts + 1, last_error = json_extract(w.value, '$[1]')
         FROM json_each(?) AS w WHERE sales_outcomes.contact_id = json_extract(w.value, '$[0]')`,
      )
      .bind(JSON.stringify(chunk)),
  );
}

/**
 * Contacts HubSpot refused alone: HubSpot's reason kept, the next try an hour away, doubling with
 * each failure in a row up to a day (sales' next change writes at once: see derive-pending).
 */
function recordRefusals(
  db: D1Database,
  refused: Map<string, string>,
  now: number,
): D1PreparedStatement[] {
  return chunks([...refused], 500).map((chunk) =>
    db
      .prepare(
        `UPDATE sales_outcomes SET attempts = attempts + 1, last_error = json_extract(w.value, '$[1]'),
           retry_at = ?1 + min(?2 << min(attempts, 5), ?3)
         FROM json_each(?4) AS w WHERE sales_outcomes.contact_id = json_extract(w.value, '$[0]')`,
      )
      .bind(now, REFUSED_RETRY_FIRST_MS, REFUSED_RETRY_MAX_MS, JSON.stringify(chunk)),
  );
}

/** What went wrong, without the request (no contact data): the kind and HubSpot's status. */
function describe(err: unknown): string {
  if (err instanceof RetryableError) return `${err.kind}: ${err.message}`;
  const e = err as { code?: number; message?: string };
  return `hubspot_error (${e.code ?? "error"}): ${(e.message ?? String(err)).slice(0, 300)}`;
}
