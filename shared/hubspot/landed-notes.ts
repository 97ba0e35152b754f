import { chunks, runLimited } from "../batching";
import type { HubSpot } from "./apis";
import { HUBSPOT_BATCH_MAX } from "./notes";
import { withHubSpotRetry } from "./retry";

/** A note that may have landed on a contact's timeline: created since `since`, saying `texts`. */
export interface NoteLookup {
  contactId: string;
  /** ms; notes created before this are older than the attempt being checked. */
  since: number;
  /** Every one must appear in the note's text (HTML tags dropped, entities decoded). */
  texts: string[];
}

/**
 * The contacts that have a note matching their lookup, read through the contact→note associations
 * and a batch read of the notes' bodies. Used before posting a note again after an attempt whose
 * outcome is unknown, so a note is never doubled.
 */
export async function findLandedNotes(
  hubspot: HubSpot,
  lookups: NoteLookup[],
): Promise<Set<string>> {
  if (!lookups.length) return new Set();
  const notesOf = new Map<string, string[]>();
  await runLimited(
    chunks(lookups, HUBSPOT_BATCH_MAX).map((chunk) => async () => {
      const page = await withHubSpotRetry(() =>
        hubspot.crm.associations.v4.batchApi.getPage("contacts", "notes", {
          inputs: chunk.map((l) => ({ id: l.contactId })),
        }),
      );
      for (const r of page.results)
        notesOf.set(
          r._from.id,
          r.to.map((t) => String(t.toObjectId)),
        );
    }),
    4,
  );
  const bodies = new Map<string, { text: string; createdAt: number }>();
  await runLimited(
    chunks([...new Set([...notesOf.values()].flat())], HUBSPOT_BATCH_MAX).map((ids) => async () => {
      const page = await withHubSpotRetry(() =>
        hubspot.crm.objects.notes.batchApi.read({
          inputs: ids.map((id) => ({ id })),
          properties: ["hs_note_body"],
          propertiesWithHistory: [],
        }),
      );
      for (const n of page.results)
        bodies.set(n.id, {
          text: noteText(n.properties.hs_note_body ?? ""),
          createdAt: new Date(n.createdAt).getTime(),
        });
    }),
    4,
  );
  const landed = new Set<string>();
  for (const lookup of lookups) {
    const found = (notesOf.get(lookup.contactId) ?? []).some((id) => {
      const note = bodies.get(id);
      return (
        note !== undefined &&
        note.createdAt >= lookup.since &&
        lookup.texts.every((text) => note.text.includes(text))
      );
    });
    if (found) landed.add(lookup.contactId);
  }
  return landed;
}

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

/** A note's text, compared rather than its HTML: HubSpot may rewrite a note's markup. */
export function noteText(html: string): string {
  return html.replace(/<[^>]*>/g, " ").replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}
