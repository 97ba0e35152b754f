import type { LeadOrigin } from "../../shared/contracts/outcomes";
import {
  type ContactSnapshot,
  type LeadEvent,
  originOf,
  trustedTime,
} from "../../shared/contracts/webhook";

export type ContactAction = "judge" | "delete" | "purge";

/** An event whose own time could not be true: its arrival was used instead. */
export interface UntrustedClock {
  eventId: string;
  occurredAt: number;
  receivedAt: number;
}

export interface ContactWork {
  contactId: string;
  action: ContactAction;
  /** Earliest time something happened to this contact in these events (trusted times only). */
  firstOccurredAt: number;
  lastOccurredAt: number;
  /** Contact ids merged into this one, to re-key their leads. */
  mergedIds: string[];
  keys: string[];
  /** The event types folded in, each once, in order of first appearance. */
  types: string[];
  /** How the work arrived: a webhook event if any did, else a backfill, else a resync. */
  origin: LeadOrigin;
  /** Events whose occurredAt was outside the trusted window (EVENT_CLOCK_WINDOW). */
  untrustedClocks: UntrustedClock[];
  /**
   * The contact's properties as a backfill's search read them, when every event carried them (the
   * latest); a webhook event beside them means something changed since: the contact is read.
   */
  snapshot?: ContactSnapshot;
}

const ORIGIN_RANK: Record<LeadOrigin, number> = { webhook: 0, backfill: 1, resync: 2 };

/**
 * Folds events per contact into one piece of work: latest state wins (events are ordered by
 * their trusted time, creation first on ties); privacy deletion wins over everything.
 */
export function coalesceByContact(events: LeadEvent[]): Map<string, ContactWork> {
  const rank = (e: LeadEvent) => (e.type === "contact.creation" ? 0 : 1);
  const timed = events.map((event) => ({ event, at: trustedTime(event) }));
  const sorted = timed.sort((a, b) => a.at - b.at || rank(a.event) - rank(b.event));
  const work = new Map<string, ContactWork>();
  for (const { event, at } of sorted) {
    const origin = originOf(event);
    const item = work.get(event.contactId) ?? {
      contactId: event.contactId,
      action: "judge" as ContactAction,
      firstOccurredAt: at,
      lastOccurredAt: at,
      mergedIds: [],
      keys: [],
      types: [],
      origin,
      untrustedClocks: [],
    };
    item.keys.push(event.key);
    if (!item.types.includes(event.type)) item.types.push(event.type);
    item.firstOccurredAt = Math.min(item.firstOccurredAt, at);
    item.lastOccurredAt = Math.max(item.lastOccurredAt, at);
    if (ORIGIN_RANK[origin] < ORIGIN_RANK[item.origin]) item.origin = origin;
    if (at !== event.occurredAt)
      item.untrustedClocks.push({
        eventId: event.eventId,
        occurredAt: event.occurredAt,
        receivedAt: event.receivedAt,
      });
    if (item.keys.length === 1) {
      if (event.snapshot) item.snapshot = event.snapshot;
    } else if (!event.snapshot) delete item.snapshot;
    else if (item.snapshot && event.snapshot.at >= item.snapshot.at) item.snapshot = event.snapshot;
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
