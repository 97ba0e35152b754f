import type { Logger } from "../../shared/log";
import type { DeadLetterBody } from "./consumer";

/**
 * Records every message that gave up: those the consumer dead-lettered with a reason, and
 * raw events the queue moved here after the consumer crashed on every retry.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  const now = Date.now();
  const statements = batch.messages.map((msg) => {
    const wrapped = isDeadLetterBody(msg.body) ? msg.body : undefined;
    const event = wrapped ? wrapped.event : msg.body;
    const reason = wrapped?.reason ?? "retries exhausted: the consumer failed on every delivery";
    return env.DB.prepare(
      `INSERT INTO dead_letters (message_id, body, reason, attempts, received_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
    ).bind(msg.id, JSON.stringify(event), reason.slice(0, 2000), wrapped?.attempts ?? msg.attempts, now);
  });
  if (statements.length) await env.DB.batch(statements);
  log.warn("dead_lettered", { count: batch.messages.length });
  batch.ackAll();
}

function isDeadLetterBody(body: unknown): body is DeadLetterBody {
  return typeof body === "object" && body !== null && "reason" in body && "event" in body;
}
