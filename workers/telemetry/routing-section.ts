import type { RoutingSection } from "../../shared/contracts/report";
import {
  ASSIGNMENT_REASONS,
  type AssignmentReason,
  type Routing,
} from "../../shared/contracts/routing";
import { userKey } from "../../shared/salesforce/ids";
import { percentile } from "./facts";

// The report's routing section, pure: the day's first touches, assignments and SLA breaches as the
// nightly reads them (routing-day.ts), against the routing in force at the end of the day.

/** An assignment first touched on the report day. */
export interface FirstTouchRow {
  owner_id: string | null;
  pool: string | null;
  assigned_at: number;
  first_touch_at: number;
}

/** The day's assignments counted by owner, pool and reason (SQL GROUP BY). */
export interface AssignedGroup {
  owner_id: string | null;
  pool: string | null;
  reason: AssignmentReason;
  n: number;
}

/** The day's sla_events counted by pool and breach (SQL GROUP BY). */
export interface SlaGroup {
  pool: string;
  breach: number;
  n: number;
  reassigned: number;
  reassign_failed: number;
  alerts_owed: number;
  alerts_sent: number;
  alerts_given_up: number;
}

export interface RoutingDayInput {
  /** The routing in force at the end of the day, or null while none was saved. */
  routing: { version: number; routing: Routing } | null;
  touches: FirstTouchRow[];
  assigned: AssignedGroup[];
  sla: SlaGroup[];
}

/** Names the report knows for users (sf_users): keyed by Id. */
export interface NamedUser {
  id: string;
  name: string | null;
}

/**
 * The most leads a day each member can get from the routing: a member capped in every pool stops
 * at the largest cap (each pool counts the member's whole day); uncapped in any pool, no cap.
 */
export function dailyCaps(routing: Routing | null): Map<string, number | null> {
  const caps = new Map<string, number | null>();
  for (const member of (routing?.pools ?? []).flatMap((p) => p.members)) {
    const key = userKey(member.userId);
    const had = caps.get(key);
    const cap = member.dailyCap;
    caps.set(
      key,
      had === undefined ? cap : had === null || cap === null ? null : Math.max(had, cap),
    );
  }
  return caps;
}

function touchStats(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    count: sorted.length,
  };
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Named keys first, in order; the null key (no rep, no pool) last. */
const nullLast = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a.localeCompare(b);

/**
 * One Id per user across the section, so readers can match the lists exactly: an 18-character
 * form of it seen anywhere (routings, assignments and touches may hold either length), else the
 * first seen.
 */
function oneIdPerUser(ids: (string | null)[]): (id: string | null) => string | null {
  const byKey = new Map<string, string>();
  for (const id of ids) {
    if (id === null) continue;
    const had = byKey.get(userKey(id));
    if (had === undefined || (had.length < 18 && id.length === 18)) byKey.set(userKey(id), id);
  }
  return (id) => (id === null ? null : (byKey.get(userKey(id)) ?? id));
}

export function routingSection(input: RoutingDayInput, users: NamedUser[]): RoutingSection {
  const names = new Map(users.map((u) => [userKey(u.id), u.name]));
  const nameOf = (id: string | null) => (id === null ? null : (names.get(userKey(id)) ?? null));
  const caps = dailyCaps(input.routing?.routing ?? null);
  const members = (input.routing?.routing.pools ?? []).flatMap((p) => p.members);
  const idOf = oneIdPerUser([
    ...members.map((m) => m.userId),
    ...input.assigned.map((g) => g.owner_id),
    ...input.touches.map((t) => t.owner_id),
  ]);

  const latency = (t: FirstTouchRow) => Math.max(0, t.first_touch_at - t.assigned_at);
  const touchesByRep = [...groupBy(input.touches, (t) => t.owner_id && userKey(t.owner_id))]
    .map(([, rows]) => ({
      ownerId: idOf(rows[0]!.owner_id),
      ownerName: nameOf(rows[0]!.owner_id),
      ...touchStats(rows.map(latency)),
    }))
    .sort((a, b) => nullLast(a.ownerId, b.ownerId));
  const touchesByPool = [...groupBy(input.touches, (t) => t.pool)]
    .map(([pool, rows]) => ({ pool, ...touchStats(rows.map(latency)) }))
    .sort((a, b) => nullLast(a.pool, b.pool));

  // Every member of the routing in force is listed, those who got nothing that day included.
  const perRep = new Map<string | null, { ownerId: string | null; assigned: number }>();
  for (const member of members)
    if (!perRep.has(userKey(member.userId)))
      perRep.set(userKey(member.userId), { ownerId: idOf(member.userId), assigned: 0 });
  const perPool = new Map<string | null, number>();
  const perReason = new Map<AssignmentReason, number>();
  for (const g of input.assigned) {
    const key = g.owner_id === null ? null : userKey(g.owner_id);
    const rep = perRep.get(key) ?? { ownerId: idOf(g.owner_id), assigned: 0 };
    perRep.set(key, { ownerId: rep.ownerId, assigned: rep.assigned + g.n });
    perPool.set(g.pool, (perPool.get(g.pool) ?? 0) + g.n);
    perReason.set(g.reason, (perReason.get(g.reason) ?? 0) + g.n);
  }

  const slaByPool = [...groupBy(input.sla, (g) => g.pool)]
    .map(([pool, groups]) => ({ pool, ...slaCounts(groups) }))
    .sort((a, b) => a.pool.localeCompare(b.pool));

  return {
    routingVersion: input.routing?.version ?? null,
    firstTouch: {
      ...touchStats(input.touches.map(latency)),
      byRep: touchesByRep,
      byPool: touchesByPool,
    },
    assignments: {
      total: input.assigned.reduce((n, g) => n + g.n, 0),
      byRep: [...perRep.values()]
        .map(({ ownerId, assigned }) => ({
          ownerId,
          ownerName: nameOf(ownerId),
          assigned,
          dailyCap: ownerId === null ? null : (caps.get(userKey(ownerId)) ?? null),
        }))
        .sort((a, b) => b.assigned - a.assigned || nullLast(a.ownerId, b.ownerId)),
      byPool: [...perPool]
        .map(([pool, assigned]) => ({ pool, assigned }))
        .sort((a, b) => nullLast(a.pool, b.pool)),
      byReason: [...perReason]
        .map(([reason, count]) => ({ reason, count }))
        .sort(
          (a, b) => ASSIGNMENT_REASONS.indexOf(a.reason) - ASSIGNMENT_REASONS.indexOf(b.reason),
        ),
    },
    sla: { ...slaCounts(input.sla), byPool: slaByPool },
  };
}

function slaCounts(groups: SlaGroup[]) {
  const sum = (f: (g: SlaGroup) => number) => groups.reduce((n, g) => n + f(g), 0);
  const sent = sum((g) => g.alerts_sent);
  const givenUp = sum((g) => g.alerts_given_up);
  return {
    firstBreaches: sum((g) => (g.breach === 1 ? g.n : 0)),
    secondBreaches: sum((g) => (g.breach === 2 ? g.n : 0)),
    reassigned: sum((g) => g.reassigned),
    reassignFailed: sum((g) => g.reassign_failed),
    alertsSent: sent,
    alertsGivenUp: givenUp,
    alertsPending: Math.max(0, sum((g) => g.alerts_owed) - sent - givenUp),
  };
}
