import type { AssignmentReason, Pool, Routing } from "../../shared/contracts/routing";
import { userKey } from "../../shared/salesforce/ids";
import {
  type CompiledCriterion,
  compileCriterion,
  propertiesByObject,
  type Subject,
} from "./criteria";

// Who owns each new Lead of a batch, decided from values (docs/routing-assignment.md): the
// routing in force, the state read from D1 at one revision, the batch's Account matches and the
// routing's active users. Pure: the engine (routing.ts) reads, plans, and commits the plan in one
// D1 transaction, planning again if another batch committed first.

/** One contact's owner and why (a row of `assignments`). */
export interface Assignment {
  contactId: string;
  /** null: Salesforce decides (its assignment rule, or the integration user). */
  ownerId: string | null;
  reason: AssignmentReason;
  pool: string | null;
  accountId: string | null;
  routingVersion: number;
  /** The org's day it counts on (routing_daily). */
  day: string;
  assignedAt: number;
}

/** A new Lead to assign: its contact, what the pools' conditions read, its email's domain. */
export interface ToAssign {
  contactId: string;
  subject: Subject;
  /** Lower-case; unset without a valid email. */
  domain?: string;
}

/** An Account whose website is a lead's email domain, with its owner. */
export interface AccountOwner {
  accountId: string;
  ownerId: string;
  ownerActive: boolean;
}

/** What the plan starts from, read from D1 in one transaction. */
export interface RoutingState {
  /** The routing_revisions row the plan commits after (0: none yet). */
  revision: number;
  /** Contacts already assigned (a redelivered batch): reused as they are. */
  assigned: Map<string, Assignment>;
  /** Each pool's next turn, by pool name. */
  turns: Map<string, number>;
  /** Leads each user got on `day`, by userKey. */
  daily: Map<string, number>;
}

export interface Plan {
  /** Every contact's assignment, reused or new. */
  assignments: Map<string, Assignment>;
  /** The new ones: inserted with the turns and counts below. */
  fresh: Assignment[];
  /** The turns that moved, by pool name. */
  turns: Map<string, number>;
  /** Leads added per user today, by userKey. */
  added: Map<string, number>;
}

export interface PlanInput {
  routing: Routing;
  version: number;
  contacts: ToAssign[];
  state: RoutingState;
  /** Accounts by normalised website (only when accountMatch is on). */
  accounts: Map<string, AccountOwner>;
  /** Whether Salesforce says this user is active. */
  isActive: (userId: string) => boolean;
  day: string;
  at: number;
}

/**
 * A round's turns: weight 2 appears twice, interleaved (A:2, B:1 gives A, B, A) so a heavier
 * member's leads are spread over the round rather than bunched; pure.
 */
export function roundOf(pool: Pool): string[] {
  const slots: string[] = [];
  const rounds = Math.max(...pool.members.map((m) => m.weight));
  for (let r = 0; r < rounds; r++)
    for (const m of pool.members) if (m.weight > r) slots.push(m.userId);
  return slots;
}

const compiledPools = new WeakMap<Routing, CompiledCriterion[]>();
function poolTests(routing: Routing): CompiledCriterion[] {
  let tests = compiledPools.get(routing);
  if (!tests) {
    tests = routing.pools.map((p) =>
      compileCriterion({
        name: p.name,
        description: p.name,
        match: p.match,
        conditions: p.when,
        required: false,
      }),
    );
    compiledPools.set(routing, tests);
  }
  return tests;
}

/** Whether a contact meets the conditions of the routing's pool `index` (none: every lead); pure. */
export function meetsPool(routing: Routing, index: number, subject: Subject, at: number): boolean {
  return !routing.pools[index]!.when.length || poolTests(routing)[index]!.met(subject, at);
}

/** The HubSpot properties the pools' `when` conditions read, by object (as propertiesRead). */
export function poolPropertiesRead(routing: Routing): { contact: string[]; company: string[] } {
  return propertiesByObject(routing.pools.flatMap((p) => p.when.map((c) => c.property)));
}

/** Plans every contact's owner in order: reused, the Account's owner, a pool, the fallback; pure. */
export function planAssignments(input: PlanInput): Plan {
  const { routing, version, state, accounts, isActive, day, at } = input;
  const plan: Plan = { assignments: new Map(), fresh: [], turns: new Map(), added: new Map() };
  const turnOf = (pool: string) => plan.turns.get(pool) ?? state.turns.get(pool) ?? 0;
  const today = (userId: string) =>
    (state.daily.get(userKey(userId)) ?? 0) + (plan.added.get(userKey(userId)) ?? 0);
  const available = (pool: Pool, userId: string) => {
    const cap = pool.members.find((m) => m.userId === userId)?.dailyCap ?? null;
    return isActive(userId) && (cap === null || today(userId) < cap);
  };

  for (const contact of input.contacts) {
    const reused = state.assigned.get(contact.contactId);
    if (reused) {
      plan.assignments.set(contact.contactId, reused);
      continue;
    }
    const base = { contactId: contact.contactId, routingVersion: version, day, assignedAt: at };
    let assignment: Assignment | undefined;
    const account =
      routing.accountMatch && contact.domain ? accounts.get(contact.domain) : undefined;
    if (account?.ownerActive)
      assignment = {
        ...base,
        ownerId: account.ownerId,
        reason: "account_owner",
        pool: null,
        accountId: account.accountId,
      };
    for (const [i, pool] of routing.pools.entries()) {
      if (assignment) break;
      if (!meetsPool(routing, i, contact.subject, at)) continue;
      const ownerId = pickMember(pool, turnOf(pool.name), today, (u) => available(pool, u));
      if (!ownerId) continue; // nobody available: the next matching pool, then the fallback
      if (pool.method === "round_robin") plan.turns.set(pool.name, ownerId.turn);
      assignment = {
        ...base,
        ownerId: ownerId.userId,
        reason: "pool",
        pool: pool.name,
        accountId: null,
      };
    }
    assignment ??= fallback(routing, base, isActive);
    // Every lead given to a user counts toward their cap, an Account's or the fallback's too.
    if (assignment.ownerId) {
      const key = userKey(assignment.ownerId);
      plan.added.set(key, (plan.added.get(key) ?? 0) + 1);
    }
    plan.assignments.set(contact.contactId, assignment);
    plan.fresh.push(assignment);
  }
  return plan;
}

/**
 * The pool's member for the next lead: round_robin from the pool's turn through one round, the
 * first available (the turn then moves past them); fewest_today, the fewest today ÷ weight, ties
 * in member order. Undefined when nobody is available.
 */
function pickMember(
  pool: Pool,
  turn: number,
  today: (userId: string) => number,
  available: (userId: string) => boolean,
): { userId: string; turn: number } | undefined {
  if (pool.method === "round_robin") {
    const round = roundOf(pool);
    for (let k = 0; k < round.length; k++) {
      const slot = (turn + k) % round.length;
      if (available(round[slot]!)) return { userId: round[slot]!, turn: (slot + 1) % round.length };
    }
    return undefined;
  }
  let best: { userId: string; load: number } | undefined;
  for (const m of pool.members) {
    if (!available(m.userId)) continue;
    const load = today(m.userId) / m.weight;
    if (!best || load < best.load) best = { userId: m.userId, load };
  }
  return best && { userId: best.userId, turn };
}

function fallback(
  routing: Routing,
  base: Pick<Assignment, "contactId" | "routingVersion" | "day" | "assignedAt">,
  isActive: (userId: string) => boolean,
): Assignment {
  return { ...base, ...fallbackOf(routing, isActive), pool: null, accountId: null };
}

/**
 * Who takes a lead no Account or pool member takes: the fallback owner while active, else the
 * org's assignment rule (salesforceAssignmentRules) or the integration user; pure.
 */
export function fallbackOf(
  routing: Routing,
  isActive: (userId: string) => boolean,
): { ownerId: string | null; reason: Exclude<AssignmentReason, "account_owner" | "pool"> } {
  if (routing.fallbackOwnerId && isActive(routing.fallbackOwnerId))
    return { ownerId: routing.fallbackOwnerId, reason: "fallback_owner" };
  return {
    ownerId: null,
    reason: routing.salesforceAssignmentRules ? "assignment_rules" : "integration_user",
  };
}

/** Assignments by reason, for the batch's log line (counts only). */
export function countByReason(assignments: Iterable<Assignment>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of assignments) counts[a.reason] = (counts[a.reason] ?? 0) + 1;
  return counts;
}
