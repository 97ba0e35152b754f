import type { RoutingPreview } from "../../shared/contracts/admin";
import { dayIn, type Routing } from "../../shared/contracts/routing";
import type { SnapshotProperties } from "../../shared/db/snapshots";
import { userKey } from "../../shared/salesforce/ids";
import type { Subject } from "../handoff/criteria";
import { type Assignment, fallbackOf, meetsPool, planAssignments } from "../handoff/routing-plan";

// POST /admin/routing/preview (docs/routing.md#preview): how the new Leads of the last N days
// would have been spread by a proposed routing. The simulation is pure; previewRouting only reads
// D1 (leads and their stored judgements), so nothing is written anywhere.

/** A new Lead as the preview replays it: when it was handed off and what its judgement read. */
export interface Handoff {
  contactId: string;
  handedOffAt: number;
  /** The contact's last stored judgement; null when none is kept. */
  contact: SnapshotProperties | null;
  company: SnapshotProperties | null;
}

/** Rows read per D1 query. */
export const PREVIEW_PAGE_ROWS = 1_000;

interface PoolTally {
  /** Leads that reached the pool and met its conditions. */
  matched: number;
  /** Of those, leads no member could take (capped or inactive): on to the next pool or fallback. */
  overflow: number;
  /** Leads given to each member, by userId as the pool names it. */
  leads: Map<string, number>;
}

/**
 * Replays handoffs, oldest first, through assignment's own planner (routing-plan.ts), one lead at
 * a time against a state kept here as D1 keeps it: the pools' turns, and each day's leads per
 * user. Account matching is not replayed: it needs Salesforce's Accounts as they were.
 */
export class RoutingSimulation {
  private readonly pools: PoolTally[];
  /** Each pool's next turn (routing_turns). */
  private readonly turns = new Map<string, number>();
  /** day → leads that day, by userKey (routing_daily). */
  private readonly daily = new Map<string, Map<string, number>>();
  private handoffs = 0;
  private withoutSnapshot = 0;
  private unmatched = 0;
  private overflow = 0;
  private readonly missing = new Set<string>();

  constructor(
    private readonly routing: Routing,
    private readonly timeZone: string,
    private readonly isActive: (userId: string) => boolean,
  ) {
    this.pools = routing.pools.map(() => ({ matched: 0, overflow: 0, leads: new Map() }));
  }

  add(h: Handoff): void {
    this.handoffs++;
    if (!h.contact) this.withoutSnapshot++;
    else this.noteMissing(h);
    const subject: Subject = { contact: h.contact ?? {}, company: h.company ?? undefined };
    const day = dayIn(this.timeZone, h.handedOffAt);
    const today = this.daily.get(day) ?? new Map<string, number>();
    this.daily.set(day, today);
    const plan = planAssignments({
      routing: this.routing,
      version: 0,
      contacts: [{ contactId: h.contactId, subject }],
      state: { revision: 0, assigned: new Map(), turns: this.turns, daily: today },
      accounts: new Map(),
      isActive: this.isActive,
      day,
      at: h.handedOffAt,
    });
    for (const [pool, turn] of plan.turns) this.turns.set(pool, turn);
    for (const [user, n] of plan.added) today.set(user, (today.get(user) ?? 0) + n);
    this.count(plan.fresh[0]!, subject, h.handedOffAt);
  }

  /**
   * Tallies where a lead went: every pool whose conditions it met before the one that took it had
   * no member to give it to (the planner went on to the next); none taking it is the fallback's.
   */
  private count(assignment: Assignment, subject: Subject, at: number): void {
    let met = false;
    for (const [i, pool] of this.routing.pools.entries()) {
      if (!meetsPool(this.routing, i, subject, at)) continue;
      met = true;
      const tally = this.pools[i]!;
      tally.matched++;
      if (assignment.reason === "pool" && assignment.pool === pool.name) {
        const ownerId = assignment.ownerId!;
        tally.leads.set(ownerId, (tally.leads.get(ownerId) ?? 0) + 1);
        return;
      }
      tally.overflow++;
    }
    if (met) this.overflow++;
    else this.unmatched++;
  }

  /** Properties a pool condition names that this judgement did not read (absent, not null). */
  private noteMissing(h: Handoff): void {
    for (const pool of this.routing.pools)
      for (const c of pool.when) {
        const [kind, name] = c.property.split(".") as ["contact" | "company", string];
        const read = kind === "contact" ? h.contact : h.company;
        if (read && !(name in read)) this.missing.add(c.property);
      }
  }

  result(window: { days: number; from: string; to: string }): RoutingPreview {
    const dayTotals = [...this.daily.values()];
    const fallback = fallbackOf(this.routing, this.isActive);
    return {
      ...window,
      timeZone: this.timeZone,
      handoffs: this.handoffs,
      withoutSnapshot: this.withoutSnapshot,
      pools: this.routing.pools.map((pool, i) => {
        const tally = this.pools[i]!;
        return {
          name: pool.name,
          method: pool.method,
          matched: tally.matched,
          leads: tally.matched - tally.overflow,
          overflow: tally.overflow,
          members: pool.members.map((m) => {
            const perDay = dayTotals.map((d) => d.get(userKey(m.userId)) ?? 0);
            return {
              userId: m.userId,
              active: this.isActive(m.userId),
              weight: m.weight,
              dailyCap: m.dailyCap,
              leads: tally.leads.get(m.userId) ?? 0,
              busiestDay: Math.max(0, ...perDay),
              daysAtCap: m.dailyCap === null ? 0 : perDay.filter((n) => n >= m.dailyCap!).length,
            };
          }),
        };
      }),
      fallback: {
        leads: this.unmatched + this.overflow,
        unmatched: this.unmatched,
        overflow: this.overflow,
        decidedBy: fallback.reason,
        ownerId: fallback.ownerId,
      },
      accountMatch: this.routing.accountMatch
        ? "on, not replayed: leads an Account's owner would take are counted in the pools"
        : "off",
      missingProperties: [...this.missing].sort(),
    };
  }
}

interface Row {
  contact_id: string;
  handed_off_at: number;
  contact: string | null;
  company: string | null;
}

/**
 * The new Leads handed off at or after `since`, oldest first, with their stored judgement (a page
 * of PREVIEW_PAGE_ROWS per query, keyset by time and contact id). Reads only.
 */
export async function* handoffsSince(db: D1Database, since: number): AsyncGenerator<Handoff> {
  // Every contact id sorts after "": the first page starts at `since` itself.
  let after = { at: since, id: "" };
  for (;;) {
    const { results } = await db
      .prepare(
        `SELECT l.contact_id, l.handed_off_at, s.contact, s.company FROM leads l
         LEFT JOIN judged_snapshots s ON s.contact_id = l.contact_id
         WHERE l.handed_off_at IS NOT NULL AND (l.handed_off_at, l.contact_id) > (?1, ?2)
         ORDER BY l.handed_off_at, l.contact_id LIMIT ?3`,
      )
      .bind(after.at, after.id, PREVIEW_PAGE_ROWS)
      .all<Row>();
    for (const r of results)
      yield {
        contactId: r.contact_id,
        handedOffAt: r.handed_off_at,
        contact: r.contact === null ? null : JSON.parse(r.contact),
        company: r.company === null ? null : JSON.parse(r.company),
      };
    if (results.length < PREVIEW_PAGE_ROWS) return;
    const last = results.at(-1)!;
    after = { at: last.handed_off_at, id: last.contact_id };
  }
}
