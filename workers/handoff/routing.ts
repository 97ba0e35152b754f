import type { Connection } from "jsforce";
import { dayIn } from "../../shared/contracts/routing";
import type { RoutingVersion } from "../../shared/db/routings";
import type { Logger } from "../../shared/log";
import { asRetryableError, RetryableError } from "../../shared/retryable";
import { userKey } from "../../shared/salesforce/ids";
import type { Subject } from "./criteria";
import { emailDomain } from "./qualify";
import { findAccountOwners } from "./routing-accounts";
import {
  type AccountOwner,
  type Assignment,
  countByReason,
  type Plan,
  planAssignments,
  type RoutingState,
  type ToAssign,
} from "./routing-plan";
import { activeUsers } from "./routing-users";
import { classifyCallError } from "./salesforce-upsert";

// The assignment engine (docs/routing-assignment.md): for a batch's new Leads, while a routing is
// in force, read the routing state from D1, ask Salesforce what the plan needs (the Accounts of
// the batch's domains, the routing's active users, cached), plan (routing-plan.ts), and commit the
// plan in one D1 transaction before the upsert that sends the owners. Optimistic: the commit
// inserts the next routing_revisions row, so of two batches that planned from one revision only
// the first commits; the other reads again and plans again.

/** Plans tried before the batch's new Leads wait (each loss means another batch committed). */
const COMMIT_TRIES = 5;

type AssignmentRow = {
  contact_id: string;
  owner_id: string | null;
  routing_version: number;
  pool: string | null;
  reason: Assignment["reason"];
  account_id: string | null;
  day: string;
  assigned_at: number;
};

const toAssignment = (row: AssignmentRow): Assignment => ({
  contactId: row.contact_id,
  ownerId: row.owner_id,
  reason: row.reason,
  pool: row.pool,
  accountId: row.account_id,
  routingVersion: row.routing_version,
  day: row.day,
  assignedAt: row.assigned_at,
});

/** The routing state for these contacts on `day`: one D1 round trip, one consistent read. */
async function readRoutingState(
  db: D1Database,
  contactIds: string[],
  day: string,
): Promise<RoutingState> {
  const [assigned, turns, daily, revision] = await db.batch<Record<string, unknown>>([
    db
      .prepare("SELECT * FROM assignments WHERE contact_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(contactIds)),
    db.prepare("SELECT pool, turn FROM routing_turns"),
    db.prepare("SELECT user_id, assigned FROM routing_daily WHERE day = ?").bind(day),
    db.prepare("SELECT coalesce(max(revision), 0) AS revision FROM routing_revisions"),
  ]);
  const rows = <T>(r: D1Result<Record<string, unknown>> | undefined) => (r?.results ?? []) as T[];
  return {
    revision: rows<{ revision: number }>(revision)[0]?.revision ?? 0,
    assigned: new Map(
      rows<AssignmentRow>(assigned).map((r) => [r.contact_id, toAssignment(r)] as const),
    ),
    turns: new Map(rows<{ pool: string; turn: number }>(turns).map((r) => [r.pool, r.turn])),
    daily: new Map(
      rows<{ user_id: string; assigned: number }>(daily).map((r) => [r.user_id, r.assigned]),
    ),
  };
}

/**
 * The plan's writes, one transaction: revision r + 1 first (a concurrent commit from r makes it
 * fail and the whole batch roll back), the turns, the day's counts and the new assignments, each
 * one statement whatever the batch size. Older revisions go: only the latest is ever compared.
 */
function commitStatements(
  db: D1Database,
  revision: number,
  plan: Plan,
  at: number,
): D1PreparedStatement[] {
  const statements = [
    db
      .prepare("INSERT INTO routing_revisions (revision, committed_at) VALUES (?, ?)")
      .bind(revision + 1, at),
    db.prepare("DELETE FROM routing_revisions WHERE revision <= ?").bind(revision),
  ];
  if (plan.turns.size)
    statements.push(
      db
        .prepare(
          `INSERT INTO routing_turns (pool, turn) SELECT key, value FROM json_each(?) WHERE true
           ON CONFLICT (pool) DO UPDATE SET turn = excluded.turn`,
        )
        .bind(JSON.stringify(Object.fromEntries(plan.turns))),
    );
  const day = plan.fresh[0]?.day;
  if (plan.added.size && day)
    statements.push(
      db
        .prepare(
          `INSERT INTO routing_daily (day, user_id, assigned) SELECT ?, key, value FROM json_each(?) WHERE true
           ON CONFLICT (day, user_id) DO UPDATE SET assigned = assigned + excluded.assigned`,
        )
        .bind(day, JSON.stringify(Object.fromEntries(plan.added))),
    );
  if (plan.fresh.length)
    statements.push(
      db
        .prepare(
          `INSERT INTO assignments (contact_id, owner_id, routing_version, pool, reason, account_id, day, assigned_at)
           SELECT value ->> '$.contactId', value ->> '$.ownerId', value ->> '$.routingVersion', value ->> '$.pool',
             value ->> '$.reason', value ->> '$.accountId', value ->> '$.day', value ->> '$.assignedAt'
           FROM json_each(?)`,
        )
        .bind(JSON.stringify(plan.fresh)),
    );
  return statements;
}

/**
 * Records the Lead ids Salesforce confirmed on their assignments: one statement (none without
 * routed Leads), in the batch's own D1 transaction (record.ts).
 */
export function setAssignedLeadIds(
  db: D1Database,
  leads: { contactId: string; leadId: string }[],
): D1PreparedStatement[] {
  if (!leads.length) return [];
  const byContact = Object.fromEntries(leads.map((l) => [l.contactId, l.leadId]));
  return [
    db
      .prepare(
        `UPDATE assignments SET lead_id = (SELECT value FROM json_each(?1) WHERE key = assignments.contact_id)
         WHERE contact_id IN (SELECT key FROM json_each(?1))`,
      )
      .bind(JSON.stringify(byContact)),
  ];
}

const isRevisionConflict = (err: unknown) =>
  /UNIQUE constraint failed: routing_revisions/i.test(String(err));

/** What Salesforce says that a plan needs. */
interface SalesforceFacts {
  accounts: Map<string, AccountOwner>;
  /** The routing's active users, by userKey. */
  active: Set<string>;
}

interface RouterDeps {
  db: D1Database;
  log: Logger;
  now: () => number;
}

/**
 * A batch's router: the routing in force and what its pools' conditions read of each contact.
 * `assign` gives every new Lead its owner, reusing what an earlier delivery committed.
 */
export class Router {
  /** The Salesforce reads started early (prefetch), and the contacts they cover. */
  private early?: { covers: Set<string>; facts: Promise<SalesforceFacts> };

  constructor(
    readonly routing: RoutingVersion,
    private readonly subjectOf: (contactId: string) => Subject | undefined,
    private readonly deps: RouterDeps,
  ) {}

  /**
   * Starts the Salesforce reads a plan for these contacts needs, so they run beside the push's
   * Contact lookup rather than after it (a round trip off each new Lead's speed-to-lead).
   * Contacts an earlier delivery assigned are asked about too: one query either way.
   */
  prefetch(conn: () => Promise<Connection>, contactIds: string[]): void {
    const facts = this.readFacts(conn, this.toAssign(contactIds), this.deps.now());
    facts.catch(() => {}); // assign() reports it
    this.early = { covers: new Set(contactIds), facts };
  }

  /**
   * Each contact's assignment, committed to D1. Throws a RetryableError (the new Leads wait): a
   * Salesforce read failed, D1 failed, or other batches kept committing first.
   */
  async assign(
    conn: () => Promise<Connection>,
    contactIds: string[],
  ): Promise<Map<string, Assignment>> {
    const { db } = this.deps;
    const { routing, version } = this.routing;
    const at = this.deps.now();
    const day = dayIn(routing.timeZone ?? "UTC", at);
    const contacts = this.toAssign(contactIds);
    let state = await d1(() => readRoutingState(db, contactIds, day));
    const toPlan = contacts.filter((c) => !state.assigned.has(c.contactId));
    let facts: SalesforceFacts = { accounts: new Map(), active: new Set() };
    if (toPlan.length) {
      const early = this.early;
      facts = await (early && toPlan.every((c) => early.covers.has(c.contactId))
        ? early.facts
        : this.readFacts(conn, toPlan, at));
    }
    const { accounts, active } = facts;
    for (let attempt = 1; ; attempt++) {
      const plan = planAssignments({
        routing,
        version,
        contacts,
        state,
        accounts,
        isActive: (userId) => active.has(userKey(userId)),
        day,
        at,
      });
      if (!plan.fresh.length) return this.logged(plan, attempt);
      try {
        await db.batch(commitStatements(db, state.revision, plan, at));
        return this.logged(plan, attempt);
      } catch (err) {
        if (!isRevisionConflict(err)) throw asRetryableError(err);
        if (attempt >= COMMIT_TRIES)
          throw new RetryableError(
            `routing: ${COMMIT_TRIES} plans lost to concurrent batches`,
            "unexpected",
            10,
          );
        state = await d1(() => readRoutingState(db, contactIds, day));
      }
    }
  }

  private toAssign(contactIds: string[]): ToAssign[] {
    return contactIds.map((contactId) => {
      const subject = this.subjectOf(contactId) ?? { contact: {} };
      const email = subject.contact.email;
      return { contactId, subject, domain: email ? emailDomain(email) : undefined };
    });
  }

  /** The Accounts of these contacts' domains (accountMatch) and the routing's active users. */
  private async readFacts(
    conn: () => Promise<Connection>,
    contacts: ToAssign[],
    at: number,
  ): Promise<SalesforceFacts> {
    const { routing, version } = this.routing;
    const domains = contacts.flatMap((c) => (c.domain ? [c.domain] : []));
    try {
      const [accounts, active] = await Promise.all([
        routing.accountMatch && domains.length
          ? conn().then((c) => findAccountOwners(c, domains))
          : new Map<string, AccountOwner>(),
        activeUsers(conn, routing, version, at),
      ]);
      return { accounts, active };
    } catch (err) {
      throw err instanceof RetryableError ? err : classifyCallError(err);
    }
  }

  private logged(plan: Plan, tries: number): Map<string, Assignment> {
    this.deps.log.info("routing_assigned", {
      routingVersion: this.routing.version,
      leads: plan.assignments.size,
      reused: plan.assignments.size - plan.fresh.length,
      byReason: countByReason(plan.fresh),
      tries,
    });
    return plan.assignments;
  }
}

async function d1<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw asRetryableError(err);
  }
}
