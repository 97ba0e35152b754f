import type { Pool, PoolSla } from "../../shared/contracts/routing";

// What a breach does (docs/sla.md), decided from the routing and the Lead's owner; pure.

/** Salesforce ids compare on their 15-character case-sensitive form. */
export const sameUser = (a: string | null | undefined, b: string | null | undefined) =>
  Boolean(a && b && a.slice(0, 15) === b.slice(0, 15));

/**
 * The pool member after `current` in the pool's order (round-robin order), wrapping round, skipping
 * users known to be inactive; never `current` itself. An owner who is not a member hands to the
 * first member. Null when nobody else is left.
 */
export function nextMember(pool: Pool, current: string, inactive: Set<string>): string | null {
  const ids = pool.members.map((m) => m.userId);
  const at = ids.findIndex((id) => sameUser(id, current));
  for (let step = 1; step <= ids.length; step++) {
    const id = ids[(at + step) % ids.length]!;
    if (!sameUser(id, current) && !inactive.has(id.slice(0, 15))) return id;
  }
  return null;
}

export interface BreachPlan {
  /** Who the Lead goes to; null: it stays where it is. */
  toOwner: string | null;
  /** An alert is owed. */
  alert: boolean;
}

/**
 * The first breach goes to the pool's next member (sla.reassign); the second goes to the pool's
 * manager (sla.reassign and a managerUserId). Either alerts when sla.alert. The second timer
 * follows the first breach whatever its plan (startNextTimers in escalate.ts, from the breach's
 * row: a redelivered timer finishes its breach without planning it again).
 */
export function planBreach(
  breach: 1 | 2,
  sla: PoolSla,
  pool: Pool,
  owner: string,
  inactive: Set<string>,
): BreachPlan {
  const alert = sla.alert;
  if (breach === 1)
    return { toOwner: sla.reassign ? nextMember(pool, owner, inactive) : null, alert };
  const manager = pool.managerUserId;
  const toManager = sla.reassign && manager && !sameUser(manager, owner) ? manager : null;
  return { toOwner: toManager, alert };
}

/** A breach as the alert tells it: ids, the pool and user names, nothing about the person. */
export interface AlertFacts {
  breach: 1 | 2;
  leadId: string;
  leadUrl: string;
  pool: string;
  minutes: number;
  fromOwner: string | null;
  toOwner: string | null;
  reassignError: string | null;
  manager: string | null;
  /** User id → name, where the mirror knows it. */
  names: Map<string, string>;
}

/**
 * A Slack-compatible incoming-webhook body: `text` for notifications and clients without blocks,
 * one section block with the same words and a button to the Lead.
 */
export function toSlackAlert(f: AlertFacts): { text: string; blocks: unknown[] } {
  const who = (id: string | null) => {
    if (!id) return "nobody";
    const name = f.names.get(id.slice(0, 15));
    return name ? `${name} (${id})` : id;
  };
  const lapsed = `Lead ${f.leadId} in pool ${f.pool} was not touched within ${f.minutes} minutes${
    f.fromOwner ? ` by ${who(f.fromOwner)}` : ""
  }.`;
  const moved = f.toOwner
    ? f.reassignError
      ? ` Reassigning it to ${who(f.toOwner)} failed: ${f.reassignError}.`
      : ` Reassigned to ${who(f.toOwner)}.`
    : "";
  const escalation =
    f.breach === 2
      ? ` Second breach: escalated to the pool's manager, ${f.manager ? who(f.manager) : "none set"}.`
      : "";
  const text = `SLA breach: ${lapsed}${moved}${escalation}`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open the Lead" },
            url: f.leadUrl,
          },
        ],
      },
    ],
  };
}
