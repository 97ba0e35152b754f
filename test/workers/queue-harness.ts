import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { LeadEvent } from "../../shared/contracts/webhook";
import worker from "../../workers/index";
import { QUEUES } from "../../workers/queues";

export interface QueueOutcome {
  ackAll: boolean;
  retryBatch: { retry: boolean };
  explicitAcks: string[];
  /** Messages retried explicitly, with the delay the consumer asked for. */
  explicitRetries: { msgId: string; delaySeconds?: number }[];
}

let sequence = 0;

export function leadEvent(
  contactId: string,
  type: LeadEvent["type"] = "contact.creation",
  extra: Partial<LeadEvent> = {},
): LeadEvent {
  const eventId = String(++sequence + 1_000_000);
  const occurredAt = extra.occurredAt ?? Date.now();
  return {
    key: `62515:${eventId}:${type}:${contactId}:${occurredAt}`,
    portalId: "62515",
    eventId,
    type,
    contactId,
    occurredAt,
    receivedAt: Date.now(),
    ...extra,
  };
}

/** Runs the real queue handler on a batch, as the Queues runtime would deliver it. */
export async function deliver(
  messages: unknown[],
  attempts = 1,
  bindings: Env = env,
  queue: string = QUEUES.leadEvents,
): Promise<QueueOutcome & { ids: string[] }> {
  const ids = messages.map(() => `msg-${++sequence}`);
  const batch = createMessageBatch(
    queue,
    messages.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts, body })),
  );
  // getQueueResult reports which messages were retried but not the delay: record it on the way.
  const delays = new Map<string, number | undefined>();
  for (const msg of batch.messages) {
    const retry = msg.retry.bind(msg);
    (msg as { retry: Message["retry"] }).retry = (options) => {
      delays.set(msg.id, options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  const result = (await getQueueResult(batch, ctx)) as unknown as Omit<
    QueueOutcome,
    "explicitRetries"
  > & { retryMessages: { msgId: string }[] };
  const explicitRetries = result.retryMessages.map(({ msgId }) => ({
    msgId,
    delaySeconds: delays.get(msgId),
  }));
  return {
    ackAll: result.ackAll,
    retryBatch: result.retryBatch,
    explicitAcks: result.explicitAcks,
    explicitRetries,
    ids,
  };
}

export async function leadRow(contactId: string) {
  return env.DB.prepare("SELECT * FROM leads WHERE contact_id = ?")
    .bind(contactId)
    .first<Record<string, any>>();
}

export async function auditSteps(contactId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT step FROM audit WHERE contact_id = ? ORDER BY id",
  )
    .bind(contactId)
    .all<{ step: string }>();
  return results.map((r) => r.step);
}

/**
 * The D1 binding, counting the statements prepared through it (each one a query D1 bills and
 * limits).
 */
export function countingDb(db: D1Database = env.DB): { db: D1Database; queries: () => number } {
  let queries = 0;
  const counting = {
    prepare: (sql: string) => {
      queries++;
      return db.prepare(sql);
    },
    batch: (statements: D1PreparedStatement[]) => db.batch(statements),
    exec: (sql: string) => db.exec(sql),
    withSession: (...args: Parameters<D1Database["withSession"]>) => db.withSession(...args),
    dump: () => db.dump(),
  };
  return { db: counting as unknown as D1Database, queries: () => queries };
}

/**
 * A queue binding that keeps what it is sent (message bodies, in order) instead of delivering it.
 */
export function recordingQueue(): { queue: Queue; sent: unknown[] } {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (batch: { body: unknown }[]) => void sent.push(...batch.map((m) => m.body)),
  } as unknown as Queue;
  return { queue, sent };
}

/** A queue binding that keeps what it is sent, with the delay it was sent with. */
export function keepingQueue() {
  const sent: { body: unknown; delaySeconds?: number }[] = [];
  const queue = {
    send: async (body: unknown, opts?: QueueSendOptions) =>
      void sent.push({ body, delaySeconds: opts?.delaySeconds }),
    sendBatch: async (batch: MessageSendRequest[]) =>
      void sent.push(...batch.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds }))),
  } as unknown as Queue;
  return { queue, sent };
}
