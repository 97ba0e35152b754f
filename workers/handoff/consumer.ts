import { createClients } from "../../shared/clients";
import { eventsOf, LeadQueueBodySchema, type LeadEventMessage, type LeadQueueBody } from "../../shared/contracts/webhook";
import { alreadySeen, insertAudits } from "../../shared/db/leads";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { RetryableError } from "../../shared/retryable";
import { describeZodError } from "../../shared/zod-error";
import { coalesceByContact } from "./coalesce";
import { handOff, type ContactOutcome } from "./handoff";

/** Matches max_retries in wrangler.toml: the delivery after which a message would be dropped to the DLQ. */
export const MAX_DELIVERIES = 6;
/** Holds (Salesforce budget or daily limit) are never dead-lettered: they wait as long as it takes. */
const HOLD_KINDS = new Set(["salesforce_budget", "salesforce_limit"]);

export interface DeadLetterBody {
  event: unknown;
  reason: string;
  attempts: number;
}

/** A delivered message and the events in it not handled yet (all about one contact). */
type Item = { msg: Message<unknown>; contactId: string; events: LeadEventMessage[] };

/** The lead-events consumer: at-least-once in, exactly-once effect out. */
export async function consumeLeadEvents(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext, log: Logger): Promise<void> {
  const config = loadConfig(env);
  const batchId = crypto.randomUUID().slice(0, 8);
  const parsedItems: { msg: Message<unknown>; body: LeadQueueBody }[] = [];
  for (const msg of batch.messages) {
    const parsed = LeadQueueBodySchema.safeParse(msg.body);
    if (parsed.success) parsedItems.push({ msg, body: parsed.data });
    else await deadLetter(env, msg, `not a lead event: ${describeZodError(parsed.error, "message")}`);
  }

  const seen = await alreadySeen(env.DB, parsedItems.flatMap((i) => eventsOf(i.body).map((e) => e.key)));
  const fresh: Item[] = [];
  for (const { msg, body } of parsedItems) {
    const events = eventsOf(body).filter((e) => !seen.has(e.key));
    if (events.length) fresh.push({ msg, contactId: events[0]!.contactId, events });
    else msg.ack();
  }
  if (!fresh.length) return;

  const work = coalesceByContact(fresh.flatMap((i) => i.events));
  let outcomes: Map<string, ContactOutcome>;
  try {
    outcomes = await handOff([...work.values()], { db: env.DB, kv: env.KV, clients: createClients(config, env), config, log: log.child({ batchId }), batchId });
  } catch (err) {
    const error = err instanceof RetryableError ? err : new RetryableError(err instanceof Error ? err.message : String(err), "unexpected", 30);
    log.error("handoff_failed", { batchId, kind: error.kind, error: error.message });
    outcomes = new Map([...work.keys()].map((id) => [id, { done: false, error }]));
    await env.DB.batch(insertAudits(env.DB, [...work.keys()].map((id) => ({ contactId: id, step: "error", detail: { kind: error.kind, message: error.message } })), batchId)).catch(() => {});
  }

  for (const item of fresh) {
    const outcome = outcomes.get(item.contactId);
    if (!outcome || outcome.done) item.msg.ack();
    else await settleFailure(env, item, outcome.error);
  }
}

async function settleFailure(env: Env, { msg, contactId, events }: Item, error: RetryableError): Promise<void> {
  if (HOLD_KINDS.has(error.kind)) {
    // A fresh message restarts the retry count, so held work is never dropped.
    await env.LEAD_EVENTS.send({ contactId, events }, { contentType: "json", delaySeconds: error.delaySeconds });
    msg.ack();
    return;
  }
  if (msg.attempts >= MAX_DELIVERIES) {
    await deadLetter(env, msg, `${error.kind}: ${error.message}`);
    return;
  }
  msg.retry({ delaySeconds: backoffSeconds(msg.attempts, error.delaySeconds) });
}

export function backoffSeconds(attempts: number, floor: number): number {
  return Math.min(Math.max(floor, 2 ** attempts * 5), 12 * 60 * 60);
}

/** Sends the message to the DLQ with its reason, then acks it: the DLQ consumer records it. */
async function deadLetter(env: Env, msg: Message<unknown>, reason: string): Promise<void> {
  const body: DeadLetterBody = { event: msg.body, reason, attempts: msg.attempts };
  await env.LEAD_EVENTS_DLQ.send(body, { contentType: "json" });
  msg.ack();
}
