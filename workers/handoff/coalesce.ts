import type { LeadEvent } from "../../shared/contracts/webhook";

export type ContactAction = "judge" | "delete" | "purge";

export interface ContactWork {
  contactId: string;
  action: ContactAction;
  /** Earliest time HubSpot says something happened to this contact in these events. */
  firstOccurredAt: number;
  lastOccurredAt: number;
  /** Contact ids merged into this one, to re-key their leads. */
  mergedIds: string[];
  keys: string[];
  /** The event types folded in, each once, in order of first appearance. */
  types: string[];
}

/**
 * Folds events per contact into one piece of work: latest state wins (events are ordered by
 * occurredAt, creation first on ties); privacy deletion wins over everything.
 */
export function coalesceByContact(events: LeadEvent[]): Map<string, ContactWork> {
  const rank = (e: LeadEvent) => (e.type === "contact.creation" ? 0 : 1);
  const sorted = [...events].sort((a, b) => a.occurredAt - b.occurredAt || rank(a) - rank(b));
  const work = new Map<string, ContactWork>();
  for (const event of sorted) {
    const item = work.get(event.contactId) ?? {
      contactId: event.contactId,
      action: "judge" as ContactAction,
      firstOccurredAt: event.occurredAt,
      lastOccurredAt: event.occurredAt,
      mergedIds: [],
      keys: [],
      types: [],
    };
    item.keys.push(event.key);
    if (!item.types.includes(event.type)) item.types.push(event.type);
    item.firstOccurredAt = Math.min(item.firstOccurredAt, event.occurredAt);
    item.lastOccurredAt = Math.max(item.lastOccurredAt, event.occurredAt);
    if (event.mergedIds)
      item.mergedIds.push(...event.mergedIds.filter((id) => !item.mergedIds.includes(id)));
    if (item.action !== "purge") {
      if (event.type === "contact.privacyDeletion") item.action = "purge";
      else if (event.type === "contact.deletion") item.action = "delete";
      else item.action = "judge";
    }
    work.set(event.contactId, item);
  }
  return work;
}
