import { backoffSeconds, RetryableError } from "../../shared/retryable";
import { AUTO_ASSIGN_HEADER, UPDATE_ASSIGN_VALUE } from "../../shared/salesforce/assignment";
import { TRANSIENT_SALESFORCE_CODES } from "../handoff/salesforce-lead";
import { classifyCallError, SALESFORCE_COLLECTION_MAX } from "../handoff/salesforce-upsert";
import { toSlackAlert } from "./breach";
import { slaDueAt } from "./business-time";
import { type Due, type Later, type Routings, type SlaDeps, withSalesforce } from "./context";
import type { SfUsers, SlaEventRow } from "./store";
import { type SlaTimer, sendTimers, slaClock } from "./timers";

// What a recorded breach still owes, finished in order: the reassignment (one Salesforce
// collections update for the batch), then the alert (it says where the Lead went), then the next
// breach's timer. Each step is marked in its sla_events row as it is done, so a redelivered timer
// repeats none of them.

type Breach = Due & { event: SlaEventRow };

/** An owed alert is given up a day after its breach (no alert URL would take it). */
const ALERT_GIVE_UP_MS = 24 * 60 * 60 * 1000;

export async function finishBreaches(
  breaches: Breach[],
  routings: Routings,
  users: SfUsers,
  deps: SlaDeps,
  later: Later,
  now: number,
): Promise<void> {
  if (!breaches.length) return;
  const waiting = new Set<Breach>();
  const wait = async (b: Breach, delaySeconds: number) => {
    waiting.add(b);
    await later(b, delaySeconds);
  };
  await reassign(breaches, deps, wait, now);
  const ready = breaches.filter((b) => !waiting.has(b));
  await alert(ready, routings, users.names, deps, wait, now);
  await startNextTimers(ready, routings, deps, now);
  for (const b of breaches) if (!waiting.has(b)) b.msg.ack();
}

type Wait = (b: Breach, delaySeconds: number) => Promise<void>;

async function reassign(breaches: Breach[], deps: SlaDeps, wait: Wait, now: number) {
  const owed = breaches.filter(
    ({ event: e }) => e.to_owner && e.reassigned_at === null && e.reassign_error === null,
  );
  if (!owed.length) return;
  type Result = { success: boolean; errors?: { statusCode?: string; errorCode?: string }[] };
  let results: Result[];
  try {
    results = await withSalesforce(deps, async (conn) => {
      const out: Result[] = [];
      for (let i = 0; i < owed.length; i += SALESFORCE_COLLECTION_MAX) {
        const records = owed
          .slice(i, i + SALESFORCE_COLLECTION_MAX)
          .map(({ event: e }) => ({ Id: e.lead_id, OwnerId: e.to_owner! }));
        // FALSE: the org's assignment rule must not move the Lead on from the owner chosen here.
        const answer = await conn.sobject("Lead").update(records, {
          allOrNone: false,
          headers: { [AUTO_ASSIGN_HEADER]: UPDATE_ASSIGN_VALUE },
        });
        out.push(...(answer as unknown as Result[]));
      }
      return out;
    });
  } catch (err) {
    const error = err instanceof RetryableError ? err : classifyCallError(err);
    deps.log.warn("sla_reassign_failed", { kind: error.kind, leads: owed.length });
    for (const b of owed) await wait(b, error.delaySeconds);
    return;
  }
  const statements: D1PreparedStatement[] = [];
  for (const [i, b] of owed.entries()) {
    const result = results[i];
    const e = b.event;
    if (result?.success) {
      e.reassigned_at = now;
      statements.push(
        deps.db
          .prepare("UPDATE sla_events SET reassigned_at = ? WHERE contact_id = ? AND breach = ?")
          .bind(now, e.contact_id, e.breach),
        deps.db
          .prepare("UPDATE assignments SET owner_id = ? WHERE contact_id = ?")
          .bind(e.to_owner, e.contact_id),
      );
      deps.log.info("sla_reassigned", { contactId: e.contact_id, breach: e.breach });
      continue;
    }
    const code = result?.errors?.[0]?.statusCode ?? result?.errors?.[0]?.errorCode ?? "NO_RESULT";
    if (TRANSIENT_SALESFORCE_CODES.has(code) || code === "NO_RESULT") {
      await wait(b, 30);
      continue;
    }
    // Refused for good (a converted Lead, an inactive user): the alert says so.
    e.reassign_error = code;
    statements.push(
      deps.db
        .prepare("UPDATE sla_events SET reassign_error = ? WHERE contact_id = ? AND breach = ?")
        .bind(code, e.contact_id, e.breach),
    );
    deps.log.warn("sla_reassign_refused", { contactId: e.contact_id, code });
  }
  if (statements.length) await deps.db.batch(statements);
}

/** `names`: the batch's users (the consumer read them with both owners and the managers). */
async function alert(
  breaches: Breach[],
  routings: Routings,
  names: Map<string, string>,
  deps: SlaDeps,
  wait: Wait,
  now: number,
) {
  const owed = breaches.filter(
    ({ event: e }) => e.alert === 1 && e.alerted_at === null && e.alert_error === null,
  );
  if (!owed.length) return;
  const statements: D1PreparedStatement[] = [];
  const mark = (e: SlaEventRow, column: "alerted_at" | "alert_error", value: unknown) =>
    statements.push(
      deps.db
        .prepare(
          `UPDATE sla_events SET ${column} = ?, alert_attempts = alert_attempts + 1
           WHERE contact_id = ? AND breach = ?`,
        )
        .bind(value, e.contact_id, e.breach),
    );
  for (const b of owed) {
    const e = b.event;
    const url = await routings.alertUrl(b.timer);
    if (!url) {
      mark(e, "alert_error", "no alert URL in the routing");
      continue;
    }
    const pool = await routings.pool(b.timer);
    const sla = await routings.sla(b.timer);
    const body = toSlackAlert({
      breach: e.breach,
      leadId: e.lead_id,
      leadUrl: `${deps.config.SALESFORCE_LOGIN_URL.replace(/\/$/, "")}/lightning/r/Lead/${e.lead_id}/view`,
      pool: e.pool,
      minutes: sla?.minutes ?? 0,
      fromOwner: e.from_owner,
      toOwner: e.to_owner,
      reassignError: e.reassign_error,
      manager: pool?.managerUserId ?? null,
      names,
    });
    const failure = await post(url, body);
    if (!failure) {
      e.alerted_at = now;
      mark(e, "alerted_at", now);
      deps.log.info("sla_alerted", { contactId: e.contact_id, breach: e.breach });
    } else if (now - e.at > ALERT_GIVE_UP_MS) {
      mark(e, "alert_error", `gave up: ${failure}`);
      deps.log.error("sla_alert_given_up", { contactId: e.contact_id, failure });
    } else {
      statements.push(
        deps.db
          .prepare(
            "UPDATE sla_events SET alert_attempts = alert_attempts + 1 WHERE contact_id = ? AND breach = ?",
          )
          .bind(e.contact_id, e.breach),
      );
      deps.log.warn("sla_alert_failed", { contactId: e.contact_id, failure });
      await wait(b, backoffSeconds(e.alert_attempts, 30));
    }
  }
  if (statements.length) await deps.db.batch(statements);
}

/** POSTs the alert; a failure's description (status or network error), or null once taken. */
async function post(url: string, body: unknown): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).slice(0, 200);
  }
}

/** The second breach's timer, as long as the first: counted from when the first was found. */
async function startNextTimers(breaches: Breach[], routings: Routings, deps: SlaDeps, now: number) {
  const owed = breaches.filter(({ event: e }) => e.breach === 1 && e.next_timer_at === null);
  const timers: SlaTimer[] = [];
  for (const b of owed) {
    const routing = await routings.version(b.timer.routingVersion);
    const sla = await routings.sla(b.timer);
    if (!routing || !sla) continue;
    const dueAt = slaDueAt(b.event.at, sla.minutes, slaClock(routing, sla));
    timers.push({ ...b.timer, breach: 2, dueAt });
  }
  if (!timers.length) return;
  await sendTimers(deps.timers, timers, now);
  await deps.db
    .prepare(
      `UPDATE sla_events SET next_timer_at = ? WHERE breach = 1
       AND contact_id IN (SELECT value FROM json_each(?))`,
    )
    .bind(now, JSON.stringify(timers.map((t) => t.contactId)))
    .run();
}
