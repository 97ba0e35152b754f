// The note sales' refusal puts on the contact's HubSpot timeline, for a marketer; pure.
import { escapeHtml } from "../../shared/hubspot/notes";

/** How every sales-refusal note begins (also how a retry recognises one already posted). */
export const SALES_NOTE_HEADLINE = "Sales did not take this lead";

export function salesRefusalNote(leadId: string, reason: string): string {
  const why = reason
    ? `<p>Sales' reason: ${escapeHtml(reason)}</p>`
    : "<p>Sales gave no reason.</p>";
  return (
    `<p><strong>${SALES_NOTE_HEADLINE}</strong></p>` +
    why +
    `<p>Salesforce Lead ${escapeHtml(leadId)}.</p>` +
    "<p>What marketing can do: fix what sales found wrong, or " +
    "recycle it into nurturing until it shows new interest.</p>"
  );
}

/** What a retry looks for on the timeline: the headline, the Lead and the reason, as text. */
export function salesRefusalNoteTexts(leadId: string, reason: string): string[] {
  return [SALES_NOTE_HEADLINE, `Salesforce Lead ${leadId}`, ...(reason ? [reason] : [])];
}
