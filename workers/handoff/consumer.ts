import { chunks, runLimited } from "../../shared/batching";
import { type Clients, createClients } from "../../shared/clients";
import { HOLD_KINDS } from "../../shared/contracts/outcomes";
import {
  eventsOf,
  groupByContact,
  type LeadEvent,
  type LeadQueueBody,
  packEvents,
  parseLeadQueueBody,
} from "../../shared/contracts/webhook";
import { recordDeliveries } from "../../shared/db/counters";
import { alreadySeen, insertAudits } from "../../shared/db/leads";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import {
  type Dependency,
  DependencyWatch,
  dependencyOf,
  PAUSE_CAP_SECONDS,
  type PauseRecord,
  pauseDelaySeconds,
  pauses,
  recordPauses,
} from "../../shared/pause";
import {
  asRetryableError,
  backoffSeconds,
  MAX_DELIVERIES,
  type RetryableError,
} from "../../shared/retryable";
import { SALESFORCE_ANSWERED } from "../../shared/salesforce/client";
import { describeZodError } from "../../shared/zod-error";
import { QUEUES } from "../queues";
import { coalesceByContact } from "./coalesce";
import { waitOutD1 } from "./d1-outage";
import { type DeadLetterBody, deadLetterInvalid } from "./dead-letters";
import { handOff } from "./handoff";
import type { ContactOutcome } from "./types";

/**
 * A batch of deliveries can name thousands of contacts. They are judged in even passes of at most
 * 1,000 (ten HubSpot batch reads of each kind, all in flight at once; collections of 200 to
 * Salesforce, a few at once), two passes at a time, and each pass's D1 writes are one transaction.
 */
export const CONTACTS_PER_PASS = 1000;
export const PASS_CONCURRENCY = 2;

/** A delivered message and the events in it not handled yet. */
type Item = { msg: Message<unknown>; events: LeadEvent[] };

/** The lead-events consumer: at-least-once in, exactly-once effect out. */
export async function consumeLeadEvents(
  batch: MessageBatch<unknown>,
  env: Env,
  _ctx: ExecutionContext,
  log: Logger,
): Promise<void> {
  const config = loadConfig(env);
  const batchId = crypto.randomUUID().slice(0, 8);
  const parsed: { msg: Message<unknown>; body: LeadQueueBody }[] = [];
  for (const msg of batch.messages) {
    const result = parseLeadQueueBody(msg.body);
    if (result.success) parsed.push({ msg, body: result.data });
    else
      await deadLetterInvalid(
        env.LEAD_EVENTS_DLQ,
        msg,
        `not a lead event: ${describeZodError(result.error, "message")}`,
      );
  }

  // Deliveries are counted first (a message that comes again counts once, whatever becomes of its
  // events), beside the lookup of the events already handled.
  // Without D1 nothing can be judged: every message waits for it (events are deduped by key, and a
  // delivery counts once by its id, so a message sent again is handled as the original would be).
  const watch = new DependencyWatch();
  let seen: Set<string>;
  try {
    [, seen] = await Promise.all([
      recordDeliveries(
        env.DB,
        parsed.flatMap(({ body }) => ("delivery" in body && body.delivery ? [body.delivery] : [])),
      ),
      alreadySeen(
        env.DB,
        parsed.flatMap((i) => eventsOf(i.body).map((e) => e.key)),
      ),
    ]);
    watch.worked("d1");
  } catch (error) {
    watch.saw("d1_unavailable");
    const since = (await recordPauses(env.KV, watch, log.child({ batchId }))).get("d1")?.since;
    return waitOutD1(
      parsed.map((p) => p.msg),
      {
        queue: env.LEAD_EVENTS,
        lastDelivery: MAX_DELIVERIES,
        resend: (msg) => msg.body,
        log: log.child({ batchId }),
        error,
        delaySeconds: (attempts) => pauseDelaySeconds(attempts, since),
      },
    );
  }
  const fresh: Item[] = [];
  for (const { msg, body } of parsed) {
    const events = eventsOf(body).filter((e) => !seen.has(e.key));
    if (events.length) fresh.push({ msg, events });
    else msg.ack();
  }
  if (!fresh.length) return;

  const work = [...coalesceByContact(fresh.flatMap((i) => i.events)).values()];
  const outcomes = new Map<string, ContactOutcome>();
  const deps = {
    db: env.DB,
    kv: env.KV,
    clients: watchedClients(createClients(config, env), watch),
    config,
    log: log.child({ batchId }),
    batchId,
    slaTimers: env.LEAD_SLA,
    lane: batch.queue === QUEUES.leadBackfill ? ("backfill" as const) : ("live" as const),
  };
  const passes = evenPasses(work, CONTACTS_PER_PASS);
  await runLimited(
    passes.map((pass) => async () => {
      try {
        for (const [id, outcome] of await handOff(pass, deps)) {
          outcomes.set(id, outcome);
          if (!outcome.done) watch.saw(outcome.error.kind);
        }
        // The pass read its lead rows and wrote its transaction, and its contacts to judge were
        // read from HubSpot (a failed read fails the pass): both answered.
        watch.worked("d1");
        if (pass.some((w) => w.action === "judge")) watch.worked("hubspot");
      } catch (err) {
        const error = asRetryableError(err);
        watch.saw(error.kind);
        log.error("handoff_failed", {
          batchId,
          kind: error.kind,
          error: error.message,
          contacts: pass.length,
        });
        for (const w of pass) outcomes.set(w.contactId, { done: false, error });
        // Work waiting for a dependency is held, not failed (sync health tells them apart).
        const step = dependencyOf(error.kind) ? ("held" as const) : ("error" as const);
        const lines = pass.map((w) => ({
          contactId: w.contactId,
          step,
          detail: { kind: error.kind, message: error.message },
        }));
        await env.DB.batch(insertAudits(env.DB, lines, batchId)).catch(() => {});
      }
    }),
    PASS_CONCURRENCY,
  );

  const pausesInForce = await recordPauses(env.KV, watch, deps.log);
  for (const item of fresh) {
    const failed = new Map<string, { events: LeadEvent[]; error: RetryableError }>();
    for (const [contactId, events] of groupByContact(item.events)) {
      const outcome = outcomes.get(contactId);
      if (outcome && !outcome.done) failed.set(contactId, { events, error: outcome.error });
    }
    if (!failed.size) item.msg.ack();
    else await settleFailure(env, item.msg, failed, pausesInForce);
  }
}

/** The batch's clients, telling the watch when Salesforce answers a call. */
function watchedClients(clients: Clients, watch: DependencyWatch): Clients {
  let salesforce: ReturnType<Clients["salesforce"]> | undefined;
  return {
    ...clients,
    salesforce: () =>
      (salesforce ??= clients.salesforce().then((conn) => {
        conn.on(SALESFORCE_ANSWERED, () => watch.worked("salesforce"));
        return conn;
      })),
  };
}

/** Splits work into as few passes of at most `max` as it takes, all about the same size. */
export function evenPasses<T>(work: T[], max: number): T[][] {
  if (!work.length) return [];
  return chunks(work, Math.ceil(work.length / Math.ceil(work.length / max)));
}

type Failed = Map<string, { events: LeadEvent[]; error: RetryableError }>;

/**
 * A message whose contacts are not all done (contacts already done are skipped on redelivery:
 * their keys are handled). Contacts failing on their own retry with backoff, paused ones (their
 * dependency failing) with the pause's growing delay; held contacts wait in a fresh message. On
 * the last delivery the queue allows, paused work is sent again as a fresh message too, so no
 * outage walks it to the DLQ, and each contact still failing on its own becomes its own dead
 * letter with its reason.
 */
async function settleFailure(
  env: Env,
  msg: Message<unknown>,
  failed: Failed,
  pausesInForce: Map<Dependency, PauseRecord>,
): Promise<void> {
  const held = [...failed.values()].filter((f) => HOLD_KINDS.has(f.error.kind));
  const paused = [...failed.values()].filter((f) => pauses(f.error.kind));
  const failing = [...failed].filter(
    ([, f]) => !HOLD_KINDS.has(f.error.kind) && !pauses(f.error.kind),
  );
  const pauseDelay = (attempts: number) =>
    Math.max(
      ...paused.map(({ error }) => {
        const since = pausesInForce.get(dependencyOf(error.kind)!)?.since;
        // HubSpot's Retry-After is the one wait a dependency asks for itself: it counts, up to
        // the cap. Other kinds' delays are defaults the pause's schedule replaces.
        const asked =
          error.kind === "hubspot_rate_limited"
            ? Math.min(error.delaySeconds, PAUSE_CAP_SECONDS)
            : 0;
        return Math.max(pauseDelaySeconds(attempts, since), asked);
      }),
    );
  if ((failing.length || paused.length) && msg.attempts < MAX_DELIVERIES) {
    // Held contacts ride along: the message comes back sooner than a hold would wait.
    const ownFloor = Math.max(0, ...failing.map(([, f]) => f.error.delaySeconds));
    msg.retry({
      delaySeconds: Math.max(
        failing.length ? backoffSeconds(msg.attempts, ownFloor) : 0,
        paused.length ? pauseDelay(msg.attempts) : 0,
      ),
    });
    return;
  }
  // A fresh message restarts the retry count, so held and paused work is never dropped.
  if (held.length) {
    const delaySeconds = Math.max(...held.map((f) => f.error.delaySeconds));
    for (const body of packEvents(held.flatMap((f) => f.events)))
      await env.LEAD_EVENTS.send(body, { contentType: "json", delaySeconds });
  }
  if (paused.length) {
    const delaySeconds = pauseDelay(msg.attempts);
    for (const body of packEvents(paused.flatMap((f) => f.events)))
      await env.LEAD_EVENTS.send(body, { contentType: "json", delaySeconds });
  }
  const letters = failing.map(
    ([contactId, f]): MessageSendRequest<DeadLetterBody> => ({
      body: {
        event: { contactId, events: f.events },
        kind: f.error.kind,
        reason: `${f.error.kind}: ${f.error.message}`,
        attempts: msg.attempts,
      },
      contentType: "json",
    }),
  );
  // sendBatch takes 100 messages and 256 KB; a contact's events are a few KB.
  for (let i = 0; i < letters.length; i += 25)
    await env.LEAD_EVENTS_DLQ.sendBatch(letters.slice(i, i + 25));
  msg.ack();
}
