import type { AssociationSpecAssociationCategoryEnum } from "@hubspot/api-client/lib/codegen/crm/objects/notes";

// Leadbridge's notes on a contact's timeline: the refusal notes of the handoff and sales' refusal
// notes of the outcome sync are built, posted and looked for the same way.

/** HubSpot's batch endpoints take at most 100 inputs. */
export const HUBSPOT_BATCH_MAX = 100;
/** HubSpot's association type of a note to a contact. */
export const NOTE_TO_CONTACT_TYPE_ID = 202;
/** Clock skew allowed between a note intent's time and HubSpot's createdAt of the note. */
export const NOTE_CLOCK_SKEW_MS = 60_000;
// The SDK's enum lives in a CommonJS module the Worker does not import; its value is this string.
const HUBSPOT_DEFINED = "HUBSPOT_DEFINED" as AssociationSpecAssociationCategoryEnum;

/** A batch-create input for a note with this HTML body on the contact's timeline. */
export function noteOnContact(contactId: string, body: string, at: Date) {
  return {
    properties: { hs_timestamp: at.toISOString(), hs_note_body: body },
    associations: [
      {
        to: { id: contactId },
        types: [
          { associationCategory: HUBSPOT_DEFINED, associationTypeId: NOTE_TO_CONTACT_TYPE_ID },
        ],
      },
    ],
  };
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );
}
