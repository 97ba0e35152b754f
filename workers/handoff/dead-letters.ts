import { groupByContact, LeadEventsMessageSchema } from "../../shared/contracts/webhook";
import type { Logger } from "../../shared/log";
import type { DeadLetterBody } from "./consumer";

/**
 * Records every message that gave up: those the consumer dead-lettered with a reason, and
 * raw events the queue moved here after the consumer crashed on every retry.
 */
export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  env: Env,
  log: Logger,
): Promise<void> {
  const now = Date.now();
  const statements = batch.messages.flatMap((msg) => {
    const wrapped = isDeadLetterBody(msg.body) ? msg.body : undefined;
    const reason = (
      wrapped?.reason ?? "retries exhausted: the consumer failed on every delivery"
    ).slice(0, 2000);
    const attempts = wrapped?.attempts ?? msg.attempts;
    const insert = (messageId: string, event: unknown) =>
      env.DB.prepare(
        `INSERT INTO dead_letters (message_id, body, reason, attempts, received_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
      ).bind(messageId, JSON.stringify(event), reason, attempts, now);
    const event = wrapped ? wrapped.event : msg.body;
    // A delivery's events about several contacts: one dead letter per contact, each replayable alone.
    const delivery = LeadEventsMessageSchema.safeParse(event);
    if (delivery.success && !delivery.data.contactId) {
      const byContact = groupByContact(delivery.data.events);
      if (byContact.size > 1)
        return [...byContact].map(([contactId, events]) =>
          insert(`${msg.id}:${contactId}`, { contactId, events }),
        );
    }
    return [insert(msg.id, event)];
  });
  if (statements.length) await env.DB.batch(statements);
  log.warn("dead_lettered", { count: batch.messages.length });
  batch.ackAll();
}

function isDeadLetterBody(body: unknown): body is DeadLetterBody {
  return typeof body === "object" && body !== null && "reason" in body && "event" in body;
}
