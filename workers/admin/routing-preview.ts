import type { RoutingPreview } from "../../shared/contracts/admin";
import type { Criterion } from "../../shared/contracts/criteria";
import { dayIn, type Pool, type Routing } from "../../shared/contracts/routing";
import type { SnapshotProperties } from "../../shared/db/snapshots";
import { type CompiledCriterion, compileCriterion } from "../handoff/criteria";

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
  pool: Pool;
  when: CompiledCriterion;
  /** Member indexes, each repeated by its weight: one round of turns. */
  turns: number[];
  turn: number;
  matched: number;
  overflow: number;
  leads: number[];
}

/**
 * Replays handoffs, oldest first, through a routing: the first pool whose conditions the contact
 * meets, a member by the pool's method, skipping inactive users and those at their daily cap (a
 * user's leads of the day count across pools, as assignment counts them). Account matching is
 * not replayed: it needs Salesforce's Accounts as they were.
 */
export class RoutingSimulation {
  private readonly pools: PoolTally[];
  /** day → user id → leads that day. */
  private readonly daily = new Map<string, Map<string, number>>();
  private handoffs = 0;
  private withoutSnapshot = 0;
  private unmatched = 0;
  private readonly missing = new Set<string>();

  constructor(
    private readonly routing: Routing,
    private readonly timeZone: string,
    private readonly isActive: (userId: string) => boolean,
  ) {
    this.pools = routing.pools.map((pool) => ({
      pool,
      when: compileCriterion(asCriterion(pool)),
      turns: pool.members.flatMap((m, i) => Array.from({ length: m.weight }, () => i)),
      turn: 0,
      matched: 0,
      overflow: 0,
      leads: pool.members.map(() => 0),
    }));
  }

  add(h: Handoff): void {
    this.handoffs++;
    if (!h.contact) this.withoutSnapshot++;
    const subject = { contact: h.contact ?? {}, company: h.company ?? undefined };
    if (h.contact) this.noteMissing(h);
    const tally = this.pools.find((p) => p.when.met(subject, h.handedOffAt));
    if (!tally) {
      this.unmatched++;
      return;
    }
    tally.matched++;
    const day = dayIn(this.timeZone, h.handedOffAt);
    const today = this.daily.get(day) ?? new Map<string, number>();
    this.daily.set(day, today);
    const member = this.choose(tally, today);
    if (member === null) {
      tally.overflow++;
      return;
    }
    tally.leads[member]!++;
    const userId = tally.pool.members[member]!.userId;
    today.set(userId, (today.get(userId) ?? 0) + 1);
  }

  private choose(tally: PoolTally, today: Map<string, number>): number | null {
    const members = tally.pool.members;
    const open = (i: number) => {
      const m = members[i]!;
      return (
        this.isActive(m.userId) && (m.dailyCap === null || (today.get(m.userId) ?? 0) < m.dailyCap)
      );
    };
    if (tally.pool.method === "fewest_today") {
      let best: number | null = null;
      members.forEach((m, i) => {
        if (!open(i)) return;
        const load = (today.get(m.userId) ?? 0) / m.weight;
        const bestLoad =
          best === null
            ? Infinity
            : (today.get(members[best]!.userId) ?? 0) / members[best]!.weight;
        if (load < bestLoad) best = i;
      });
      return best;
    }
    for (let k = 0; k < tally.turns.length; k++) {
      const at = (tally.turn + k) % tally.turns.length;
      const i = tally.turns[at]!;
      if (!open(i)) continue;
      tally.turn = (at + 1) % tally.turns.length;
      return i;
    }
    return null;
  }

  /** Properties a pool condition names that this judgement did not read (absent, not null). */
  private noteMissing(h: Handoff): void {
    for (const { pool } of this.pools)
      for (const c of pool.when) {
        const [kind, name] = c.property.split(".") as ["contact" | "company", string];
        const read = kind === "contact" ? h.contact : h.company;
        if (read && !(name in read)) this.missing.add(c.property);
      }
  }

  result(window: { days: number; from: string; to: string }): RoutingPreview {
    const dayTotals = [...this.daily.values()];
    const overflow = this.pools.reduce((n, p) => n + p.overflow, 0);
    return {
      ...window,
      timeZone: this.timeZone,
      handoffs: this.handoffs,
      withoutSnapshot: this.withoutSnapshot,
      pools: this.pools.map((t) => ({
        name: t.pool.name,
        method: t.pool.method,
        matched: t.matched,
        leads: t.leads.reduce((a, b) => a + b, 0),
        overflow: t.overflow,
        members: t.pool.members.map((m, i) => {
          const perDay = dayTotals.map((d) => d.get(m.userId) ?? 0);
          return {
            userId: m.userId,
            active: this.isActive(m.userId),
            weight: m.weight,
            dailyCap: m.dailyCap,
            leads: t.leads[i]!,
            busiestDay: Math.max(0, ...perDay),
            daysAtCap: m.dailyCap === null ? 0 : perDay.filter((n) => n >= m.dailyCap!).length,
          };
        }),
      })),
      fallback: {
        leads: this.unmatched + overflow,
        unmatched: this.unmatched,
        overflow,
        decidedBy: this.routing.fallbackOwnerId
          ? "fallback_owner"
          : this.routing.salesforceAssignmentRules
            ? "assignment_rules"
            : "integration_user",
        ownerId: this.routing.fallbackOwnerId,
      },
      accountMatch: this.routing.accountMatch
        ? "on, not replayed: leads an Account's owner would take are counted in the pools"
        : "off",
      missingProperties: [...this.missing].sort(),
    };
  }
}

/** A pool's conditions in the rules' criterion shape, to be compiled as the rules' are. */
const asCriterion = (pool: Pool): Criterion => ({
  name: "pool",
  description: `pool ${pool.name}`,
  match: pool.match,
  conditions: pool.when,
  required: false,
});

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
