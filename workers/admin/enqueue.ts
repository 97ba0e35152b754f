import type { LeadOrigin } from "../../shared/contracts/outcomes";
import {
  type LeadEvent,
  type LeadQueueBody,
  MAX_EVENTS_PER_DELIVERY,
  packEvents,
} from "../../shared/contracts/webhook";
import { sendBatchesBySize } from "../../shared/queue-batches";

/**
 * A lead event asking the handoff to judge a contact again. The key is the handoff's dedupe
 * key: unique per request for resyncs, per job and contact for backfills (so a re-sent step
 * cannot judge a contact twice for the same job). Its origin keeps the contact out of
 * speed-to-lead: `occurredAt` is when an admin asked, not when anything happened in HubSpot.
 */
export function judgeAgain(
  portalId: string,
  contactId: string,
  key: string,
  origin: Exclude<LeadOrigin, "webhook"> = "resync",
  now = Date.now(),
): LeadEvent {
  return {
    key,
    portalId,
    eventId: key,
    type: "contact.propertyChange",
    contactId,
    occurredAt: now,
    receivedAt: now,
    resync: true,
    origin,
  };
}

/** Sends the bodies in order, each sendBatch within the queue's message count and bytes. */
export async function sendLeadEvents(queue: Queue, messages: LeadQueueBody[]): Promise<void> {
  for (const batch of sendBatchesBySize(messages)) await queue.sendBatch(batch);
}

/**
 * Judge-again events packed as a webhook delivery would be, 100 to a message (a 500-contact resync
 * is 5 messages); packEvents splits a hundred further when a backfill's snapshots would take a
 * message past MESSAGE_MAX_BYTES.
 */
export async function sendJudgeAgain(queue: Queue, events: LeadEvent[]): Promise<void> {
  const bodies: LeadQueueBody[] = [];
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_DELIVERY)
    bodies.push(...packEvents(events.slice(i, i + MAX_EVENTS_PER_DELIVERY)));
  await sendLeadEvents(queue, bodies);
}
