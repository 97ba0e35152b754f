import { type DeadLetterKind, ERROR_KINDS } from "../../shared/contracts/outcomes";
import { groupByContact, LeadEventsMessageSchema } from "../../shared/contracts/webhook";
import type { Logger } from "../../shared/log";
import { MAX_DLQ_DELIVERIES } from "../queues";
import { waitOutD1 } from "./d1-outage";

/** What the lead-events consumer sends to the DLQ when it gives up on a contact or a message. */
export interface DeadLetterBody {
  event: unknown;
  kind: DeadLetterKind;
  reason: string;
  attempts: number;
  /** The id the letter is stored under, when it was sent again while D1 was failing. */
  messageId?: string;
}

/**
 * Sends a message no consumer can read (not a lead event, not an SLA timer) to the DLQ with its
 * reason, then acks it: the DLQ consumer records it.
 */
export async function deadLetterInvalid(
  deadLetters: Queue,
  msg: Message<unknown>,
  reason: string,
): Promise<void> {
  const body: DeadLetterBody = {
    event: msg.body,
    kind: "invalid_message",
    reason,
    attempts: msg.attempts,
  };
  await deadLetters.send(body, { contentType: "json" });
  msg.ack();
}

/**
 * Records every message that gave up: those the consumer dead-lettered with a kind and reason,
 * and raw events the queue moved here after the consumer crashed on every retry.
 */
export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  env: Env,
  log: Logger,
): Promise<void> {
  const now = Date.now();
  const statements = batch.messages.flatMap((msg) => {
    const wrapped = isDeadLetterBody(msg.body) ? msg.body : undefined;
    const reason = (wrapped?.reason ?? RETRIES_EXHAUSTED).slice(0, 2000);
    const kind = wrapped
      ? (wrapped.kind ?? kindBeforeKindsWereSent(wrapped.reason))
      : "retries_exhausted";
    const attempts = wrapped?.attempts ?? msg.attempts;
    const letterId = wrapped?.messageId ?? msg.id;
    const insert = (messageId: string, event: unknown) =>
      env.DB.prepare(
        `INSERT INTO dead_letters (message_id, body, kind, reason, attempts, received_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
      ).bind(messageId, JSON.stringify(event), kind, reason, attempts, now);
    const event = wrapped ? wrapped.event : msg.body;
    // A delivery's events about several contacts: one dead letter per contact, each replayable
    // alone.
    const delivery = LeadEventsMessageSchema.safeParse(event);
    if (delivery.success && !delivery.data.contactId) {
      const byContact = groupByContact(delivery.data.events);
      if (byContact.size > 1)
        return [...byContact].map(([contactId, events]) =>
          insert(`${letterId}:${contactId}`, { contactId, events }),
        );
    }
    return [insert(letterId, event)];
  });
  try {
    if (statements.length) await env.DB.batch(statements);
  } catch (error) {
    // Recording needs D1: the letters wait for it, and are sent again under their own ids (the
    // insert ignores an id already stored) rather than dropped after the last delivery.
    return waitOutD1(batch.messages, {
      queue: env.LEAD_EVENTS_DLQ,
      lastDelivery: MAX_DLQ_DELIVERIES,
      resend: (msg) => asResent(msg),
      log,
      error,
    });
  }
  log.warn("dead_lettered", { count: batch.messages.length });
  batch.ackAll();
}

/** A letter as sent again: raw events moved here by the queue are wrapped as the queue's give-up. */
function asResent(msg: Message<unknown>): SentBody {
  if (isDeadLetterBody(msg.body)) return { ...msg.body, messageId: msg.body.messageId ?? msg.id };
  return {
    event: msg.body,
    kind: "retries_exhausted",
    reason: RETRIES_EXHAUSTED,
    attempts: msg.attempts,
    messageId: msg.id,
  };
}

const RETRIES_EXHAUSTED = "retries exhausted: the consumer failed on every delivery";

type SentBody = Omit<DeadLetterBody, "kind"> & { kind?: DeadLetterKind };

function isDeadLetterBody(body: unknown): body is SentBody {
  return typeof body === "object" && body !== null && "reason" in body && "event" in body;
}

/**
 * A body sent before dead letters carried their kind has it only in its reason, "<kind>: …";
 * read the way migration 0008 reads it for rows stored then.
 */
function kindBeforeKindsWereSent(reason: string): DeadLetterKind {
  if (reason.startsWith("not a lead event")) return "invalid_message";
  const prefix = reason.slice(0, Math.max(0, reason.indexOf(":")));
  const known = ERROR_KINDS.find((k) => k === prefix);
  if (known) return known;
  return prefix && !reason.startsWith("retries exhausted") ? "unexpected" : "retries_exhausted";
}
