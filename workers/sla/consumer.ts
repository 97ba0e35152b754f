import type { Connection } from "jsforce";
import { createClients } from "../../shared/clients";
import { loadConfig } from "../../shared/env";
import type { Logger } from "../../shared/log";
import { isD1Outage, RetryableError } from "../../shared/retryable";
import { inQueries } from "../../shared/salesforce/soql-in";
import { retryOrResend, waitOutD1 } from "../handoff/d1-outage";
import { deadLetterInvalid } from "../handoff/dead-letters";
import { classifyCallError } from "../handoff/salesforce-upsert";
import { readLeadStatusMap, statusMeaning } from "../outcomes/status-map";
import { MAX_SLA_DELIVERIES } from "../queues";
import { planBreach, sameUser } from "./breach";
import { type Due, type Later, Routings, type SlaDeps, withSalesforce } from "./context";
import { finishBreaches } from "./escalate";
import {
  type AssignmentRow,
  eventKey,
  type FirstTouch,
  firstTouchStatements,
  insertEvents,
  readAssignments,
  readEvents,
  readUsers,
  type SfUsers,
  type SlaEventRow,
} from "./store";
import { SlaTimerSchema, sendTimers } from "./timers";

// The lead-sla consumer (docs/sla.md): timers that fall due are checked against Salesforce, one
// SOQL query per batch, and a lead nobody touched is a breach: recorded, reassigned, alerted.

export async function consumeSlaTimers(
  batch: MessageBatch<unknown>,
  env: Env,
  log: Logger,
): Promise<void> {
  const config = loadConfig(env);
  await handleSlaTimers(batch.messages, {
    db: env.DB,
    kv: env.KV,
    clients: createClients(config, env),
    config,
    timers: env.LEAD_SLA,
    deadLetters: env.LEAD_EVENTS_DLQ,
    log,
  });
}

/** The Lead as the check reads it. */
type CheckedLead = {
  Id: string;
  Status: string | null;
  OwnerId: string;
  IsConverted: boolean;
  /** The Lead's first Task (its CreatedDate), if it has any. */
  Tasks: { records: { CreatedDate?: string | null }[] } | null;
};

/** A timer that fires more than this early (a 12-hour hop of a longer SLA) is sent on again. */
const EARLY_MS = 1000;

export async function handleSlaTimers(messages: readonly Message<unknown>[], deps: SlaDeps) {
  const now = (deps.now ?? Date.now)();
  const due: Due[] = [];
  const early: Due[] = [];
  const seen = new Set<string>();
  for (const msg of messages) {
    const parsed = SlaTimerSchema.safeParse(msg.body);
    if (!parsed.success) {
      const reason = `not an SLA timer: ${parsed.error.issues[0]?.message ?? "invalid"}`;
      await deadLetterInvalid(deps.deadLetters, msg, reason);
      continue;
    }
    const timer = parsed.data;
    const key = eventKey(timer.contactId, timer.breach);
    // The same timer twice in one batch (a duplicate send): one does the work.
    if (timer.dueAt - now <= EARLY_MS && seen.has(key)) {
      msg.ack();
      continue;
    }
    seen.add(key);
    (timer.dueAt - now > EARLY_MS ? early : due).push({ msg, timer });
  }
  if (early.length) {
    await sendTimers(
      deps.timers,
      early.map((e) => e.timer),
      now,
    );
    for (const e of early) e.msg.ack();
  }
  if (!due.length) return;

  const settled = new Set<Message<unknown>>();
  try {
    await checkDue(
      due.map((d) => ({ ...d, msg: settling(d.msg, settled) })),
      deps,
      now,
    );
  } catch (error) {
    if (!isD1Outage(error instanceof Error ? error.message : String(error))) throw error;
    // Without D1 no timer can be checked or finished: those not settled yet wait for it, and one
    // sent again on its last delivery is checked as the original would be (its breach's row says
    // what is left).
    return waitOutD1(
      due.map((d) => d.msg).filter((msg) => !settled.has(msg)),
      {
        queue: deps.timers,
        lastDelivery: MAX_SLA_DELIVERIES,
        resend: (msg) => msg.body,
        log: deps.log,
        error,
      },
    );
  }
}

/**
 * The due timers' leads read from D1 (assignments, breaches already recorded, the pools' users),
 * checked against Salesforce, and their breaches recorded and finished.
 */
async function checkDue(due: Due[], deps: SlaDeps, now: number): Promise<void> {
  const later = laterFor(deps);
  const contactIds = due.map((d) => d.timer.contactId);
  const [assignments, events] = await Promise.all([
    readAssignments(deps.db, contactIds),
    readEvents(deps.db, contactIds),
  ]);
  const toCheck: Due[] = [];
  const recorded: Due[] = [];
  for (const d of due) {
    const { contactId, breach } = d.timer;
    if (events.has(eventKey(contactId, breach))) recorded.push(d);
    else if (assignments.get(contactId)?.first_touch_at == null && assignments.has(contactId))
      toCheck.push(d);
    else {
      // Touched (the outcome sync saw it), or no assignment to watch.
      deps.log.info("sla_met", { contactId, breach, by: "outcome_sync" });
      d.msg.ack();
    }
  }
  if (!toCheck.length && !recorded.length) return;

  const routings = new Routings(deps.db);
  const users = await readUsers(
    deps.db,
    await userIds(toCheck, recorded, assignments, events, routings),
  );
  const { breached, inserted } = await checkLeads(
    toCheck,
    assignments,
    users,
    routings,
    deps,
    later,
    now,
  );
  // A breach recorded now is in `inserted`, one recorded before in `events`. None checked here is
  // left out by ON CONFLICT: handleSlaTimers drops a batch's duplicate timers and the consumer runs
  // one batch at a time (max_concurrency 1), so nothing else inserts the row meanwhile.
  const rows = new Map(events);
  for (const e of inserted) rows.set(eventKey(e.contact_id, e.breach), e);
  const toFinish = [...recorded, ...breached].flatMap((d) => {
    const event = rows.get(eventKey(d.timer.contactId, d.timer.breach));
    if (event) return [{ ...d, event }];
    d.msg.ack();
    return [];
  });
  await finishBreaches(toFinish, routings, users, deps, later, now);
}

/**
 * The users whose names or activity the batch needs, for one sf_users read: the members and managers
 * of the timers' pools (where a breach goes, who is inactive), the owners the checked Leads were
 * given (a new breach's from_owner), and both owners of the breaches already recorded (their alerts
 * name them).
 */
async function userIds(
  toCheck: Due[],
  recorded: Due[],
  assignments: Map<string, AssignmentRow>,
  events: Map<string, SlaEventRow>,
  routings: Routings,
): Promise<string[]> {
  const owners = [
    ...toCheck.map((d) => assignments.get(d.timer.contactId)?.owner_id),
    ...recorded.flatMap((d) => {
      const e = events.get(eventKey(d.timer.contactId, d.timer.breach));
      return [e?.from_owner, e?.to_owner];
    }),
  ];
  return [
    ...(await routings.memberIds([...toCheck, ...recorded])),
    ...owners.filter((id): id is string => Boolean(id)),
  ];
}

/**
 * The leads to check against Salesforce, one query for the batch; those nobody touched are recorded
 * as breaches (returned with their new rows), the others acked. A failed query retries them.
 */
async function checkLeads(
  toCheck: Due[],
  assignments: Map<string, AssignmentRow>,
  users: SfUsers,
  routings: Routings,
  deps: SlaDeps,
  later: Later,
  now: number,
): Promise<{ breached: Due[]; inserted: SlaEventRow[] }> {
  if (!toCheck.length) return { breached: [], inserted: [] };
  let leads: Map<string, CheckedLead>;
  try {
    leads = await withSalesforce(deps, (conn) =>
      queryLeads(
        conn,
        toCheck.map((d) => d.timer.leadId),
      ),
    );
  } catch (err) {
    const error = err instanceof RetryableError ? err : classifyCallError(err);
    deps.log.warn("sla_check_failed", { kind: error.kind, timers: toCheck.length });
    for (const d of toCheck) await later(d, error.delaySeconds);
    return { breached: [], inserted: [] };
  }
  const statusMap = await readLeadStatusMap(deps.db);
  const breached: Due[] = [];
  const rows: Parameters<typeof insertEvents>[1] = [];
  const met: Due[] = [];
  const taskTouches: FirstTouch[] = [];
  for (const d of toCheck) {
    const { contactId, leadId, breach } = d.timer;
    const lead = leads.get(leadId.slice(0, 15));
    const watched = assignments.get(contactId)?.owner_id;
    const moved = lead && (lead.IsConverted || statusMeaning(lead.Status, statusMap) !== "open");
    const task = lead?.Tasks?.records[0];
    const sla = await routings.sla(d.timer);
    if (!lead || moved || task || !sla) {
      // A Lead still open whose only touch is a Task: the outcome sync, which follows the Lead's
      // own changes, never sees it, so its first touch is recorded here (speed to first touch).
      const taskAt = Date.parse(task?.CreatedDate ?? "");
      if (!moved && Number.isFinite(taskAt)) taskTouches.push({ contactId, at: taskAt });
      deps.log.info("sla_met", { contactId, breach, by: lead ? "salesforce" : "lead_gone" });
      met.push(d);
      continue;
    }
    if (!sameUser(lead.OwnerId, watched)) {
      // Someone moved the Lead to an owner Leadbridge did not choose: a person has it in hand.
      deps.log.info("sla_taken_over", { contactId, breach });
      d.msg.ack();
      continue;
    }
    const pool = (await routings.pool(d.timer))!;
    const plan = planBreach(breach, sla, pool, lead.OwnerId, users.inactive);
    rows.push({
      contact_id: contactId,
      breach,
      lead_id: leadId,
      pool: d.timer.pool,
      routing_version: d.timer.routingVersion,
      at: now,
      due_at: d.timer.dueAt,
      from_owner: lead.OwnerId,
      to_owner: plan.toOwner,
      alert: plan.alert ? 1 : 0,
    });
    breached.push(d);
    deps.log.warn("sla_breached", { contactId, breach, pool: d.timer.pool });
  }
  // Recorded before the timers are done with: if D1 fails here, they are checked again.
  for (const statement of firstTouchStatements(deps.db, taskTouches)) await statement.run();
  for (const d of met) d.msg.ack();
  return { breached, inserted: await insertEvents(deps.db, rows) };
}

async function queryLeads(conn: Connection, leadIds: string[]): Promise<Map<string, CheckedLead>> {
  const leads = new Map<string, CheckedLead>();
  const head =
    "SELECT Id, Status, OwnerId, IsConverted, (SELECT CreatedDate FROM Tasks ORDER BY CreatedDate LIMIT 1) FROM Lead WHERE Id IN";
  for (const soql of inQueries(head, leadIds)) {
    const result = await conn.query<CheckedLead>(soql);
    for (const lead of result.records) leads.set(lead.Id.slice(0, 15), lead);
  }
  return leads;
}

/**
 * Waits a timer out: a retry of its message, or on its last delivery the same timer sent again
 * (ack'd), so a breach still owed is never dropped to the dead-letter queue.
 */
function laterFor(deps: SlaDeps): Later {
  return async ({ msg, timer }, delaySeconds) => {
    await retryOrResend(msg, delaySeconds, {
      queue: deps.timers,
      lastDelivery: MAX_SLA_DELIVERIES,
      resend: () => timer,
    });
  };
}

/** The message, remembering in `settled` once it is acked or retried. */
function settling(msg: Message<unknown>, settled: Set<Message<unknown>>): Message<unknown> {
  return {
    id: msg.id,
    timestamp: msg.timestamp,
    body: msg.body,
    attempts: msg.attempts,
    ack: () => {
      settled.add(msg);
      msg.ack();
    },
    retry: (options) => {
      settled.add(msg);
      msg.retry(options);
    },
  };
}
