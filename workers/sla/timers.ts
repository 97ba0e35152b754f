import { z } from "zod";
import type { PoolSla, Routing } from "../../shared/contracts/routing";
import { routingVersion } from "../../shared/db/routings";
import type { Logger } from "../../shared/log";
import { sendBatchesBySize } from "../../shared/queue-batches";
import { slaDueAt } from "./business-time";

// SLA timers as delayed Queue messages (docs/sla.md), not Durable Object alarms: a delay is set per
// message, so a timer costs one message and no state of its own to keep, and the consumer works
// the timers that fall due together in batches (one SOQL query for up to 100 leads) where alarms
// would wake one object per lead. Cloudflare caps a message's delay at 12 hours (43,200 s,
// `delaySeconds` on send and on retry; reference/PROTOCOLS.md): a timer due later is sent with the
// longest delay and, when it fires early, sent again with what remains.

/** Cloudflare Queues' longest delay for a message, in seconds (12 hours). */
export const MAX_DELAY_SECONDS = 43_200;

/** A breach is the first (the owner's SLA lapsed) or the second (after the escalation). */
export const SlaTimerSchema = z.object({
  contactId: z.string().min(1),
  leadId: z.string().min(15),
  pool: z.string().min(1),
  routingVersion: z.number().int().positive(),
  breach: z.union([z.literal(1), z.literal(2)]),
  /** When this breach falls due (ms). */
  dueAt: z.number().int(),
});
export type SlaTimer = z.infer<typeof SlaTimerSchema>;

/** A Lead the handoff just created with an owner Leadbridge chose (an `assignments` row). */
export interface CreatedLead {
  contactId: string;
  leadId: string;
  ownerId: string | null;
  pool: string | null;
  routingVersion: number;
  assignedAt: number;
}

/** The routing's clock for a pool's SLA. */
export function slaClock(routing: Routing, sla: PoolSla) {
  return {
    businessHours: sla.businessHours,
    timeZone: routing.timeZone ?? "UTC",
    ...routing.businessHours,
  };
}

/** Seconds to wait before a timer's message should arrive: what remains, at most 12 hours. */
export function delayFor(dueAt: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}

/** Sends timers in sendBatch groups (100 messages at most), each with its own delay. */
export async function sendTimers(queue: Queue, timers: SlaTimer[], now: number): Promise<void> {
  for (const group of sendBatchesBySize(timers))
    await queue.sendBatch(group.map((m) => ({ ...m, delaySeconds: delayFor(m.body.dueAt, now) })));
}

/**
 * Starts the first SLA timer of each created Lead whose pool has an SLA (in the routing version
 * that assigned it). Leads no pool took (an account owner, the fallback) have none.
 */
export async function startSlaTimers(
  env: Pick<Env, "DB" | "LEAD_SLA">,
  created: CreatedLead[],
  now = Date.now(),
  known?: { version: number; routing: Routing },
): Promise<SlaTimer[]> {
  const pooled = created.filter((c) => c.pool && c.ownerId);
  const versions = new Map<number, Routing | null>(known ? [[known.version, known.routing]] : []);
  for (const v of new Set(pooled.map((c) => c.routingVersion)))
    if (!versions.has(v)) versions.set(v, (await routingVersion(env.DB, v))?.routing ?? null);
  const timers = pooled.flatMap((c): SlaTimer[] => {
    const routing = versions.get(c.routingVersion);
    const sla = routing?.pools.find((p) => p.name === c.pool)?.sla;
    if (!routing || !sla) return [];
    const dueAt = slaDueAt(c.assignedAt, sla.minutes, slaClock(routing, sla));
    const { contactId, leadId, routingVersion } = c;
    return [{ contactId, leadId, pool: c.pool!, routingVersion, breach: 1, dueAt }];
  });
  await sendTimers(env.LEAD_SLA, timers, now);
  return timers;
}

/**
 * After a handoff batch's D1 write: the first SLA timer of each Lead it created that Leadbridge
 * gave an owner, from what the router assigned (no D1 read; `known` is the routing in force, so
 * its pools need no read either). Best effort: the Leads stand whatever happens here, and a timer
 * that could not be sent costs that lead its SLA watch (logged `sla_timers_not_started`), not its
 * handoff.
 */
export async function startTimersAfterHandoff(
  env: Pick<Env, "DB" | "LEAD_SLA">,
  created: CreatedLead[],
  log: Logger,
  known?: { version: number; routing: Routing },
): Promise<void> {
  if (!created.length) return;
  try {
    const timers = await startSlaTimers(env, created, Date.now(), known);
    if (timers.length) log.info("sla_timers_started", { timers: timers.length });
  } catch (err) {
    log.error("sla_timers_not_started", {
      leads: created.length,
      error: String(err).slice(0, 300),
    });
  }
}
