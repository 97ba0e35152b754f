import type { Connection } from "jsforce";
import type { ShipNotices } from "../../shared/contracts/requirements";
import type { Logger } from "../../shared/log";
import { soqlString } from "../../shared/salesforce/soql-in";

// Closing the loop (docs/requirements.md#shipping): when a requirement ships, each owner of a
// linked open or lost deal gets one Salesforce Task. Each Task is claimed in D1 before it is
// created and completed with its id after, so setting the status again, or a retried request,
// sends nothing twice.

/** A deal behind a requirement, as the mirror holds it. */
export interface LinkedDeal {
  ownerId: string;
  opportunityId: string;
  amount: number | null;
  accountName: string | null;
}

export interface Notice {
  ownerId: string;
  /** The owner's largest linked deal: the Task's WhatId. */
  opportunityId: string;
  subject: string;
  description: string;
}

const SUBJECT_MAX = 255;

/** One notice per owner, naming every account of theirs that asked. Pure. */
export function planNotices(deals: LinkedDeal[], title: string): Notice[] {
  const byOwner = new Map<string, LinkedDeal[]>();
  for (const deal of deals) byOwner.set(deal.ownerId, [...(byOwner.get(deal.ownerId) ?? []), deal]);
  return [...byOwner.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ownerId, own]) => {
      const sorted = [...own].sort(
        (a, b) =>
          (b.amount ?? 0) - (a.amount ?? 0) || a.opportunityId.localeCompare(b.opportunityId),
      );
      const accounts = [...new Set(sorted.map((d) => d.accountName ?? "your customer"))].sort();
      const subject = `The request of ${accounts.join(", ")} has shipped: ${title}`;
      return {
        ownerId,
        opportunityId: sorted[0]!.opportunityId,
        subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject,
        description: `"${title}" has shipped. Your customers asked for it on these opportunities: ${sorted.map((d) => d.opportunityId).join(", ")}. Let them know.`,
      };
    });
}

/** The open and lost deals linked to a requirement's requests, with an owner. */
export async function linkedDeals(db: D1Database, requirementId: number): Promise<LinkedDeal[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT o.owner_id AS ownerId, o.id AS opportunityId, o.amount, fr.account_name AS accountName
       FROM requirement_requests rr
       JOIN feature_requests fr ON fr.id = rr.request_id
       JOIN sf_opportunities o ON o.id = fr.opportunity_id
       WHERE rr.requirement_id = ? AND o.owner_id IS NOT NULL AND NOT (o.is_closed = 1 AND o.is_won = 1)`,
    )
    .bind(requirementId)
    .all<LinkedDeal>();
  return results;
}

/** A claim older than this with no Task id is taken over (its sender died mid-call). */
export const CLAIM_LEASE_MS = 120_000;

export async function sendShipNotices(
  db: D1Database,
  conn: () => Promise<Connection>,
  requirement: { id: number; title: string },
  log: Logger,
  now = Date.now(),
): Promise<ShipNotices> {
  const counts: ShipNotices = { sent: 0, alreadySent: 0, pending: 0, failed: 0 };
  const notices = planNotices(await linkedDeals(db, requirement.id), requirement.title);
  for (const notice of notices) {
    const claimed = await claim(db, requirement.id, notice, now);
    if (claimed.state === "sent") counts.alreadySent++;
    else if (claimed.state === "busy") counts.pending++;
    else {
      // A taken-over claim sends what it claimed: an earlier Task carries that deal and subject
      // even if the plan has changed since (a rename, a bigger deal).
      const sending = claimed.state === "taken_over" ? { ...notice, ...claimed.claimed } : notice;
      try {
        const taskId =
          (claimed.state === "taken_over" ? await findTask(await conn(), sending) : null) ??
          (await createTask(await conn(), sending));
        await db
          .prepare(
            "UPDATE requirement_notices SET task_id = ?, sent_at = ? WHERE requirement_id = ? AND owner_id = ?",
          )
          .bind(taskId, Date.now(), requirement.id, notice.ownerId)
          .run();
        counts.sent++;
      } catch (err) {
        // Released at once: the next PUT looks for the Task before creating it.
        await db
          .prepare(
            "UPDATE requirement_notices SET claimed_at = 0 WHERE requirement_id = ? AND owner_id = ? AND task_id IS NULL",
          )
          .bind(requirement.id, notice.ownerId)
          .run();
        log.warn("requirement_notice_failed", {
          requirementId: requirement.id,
          error: String(err).slice(0, 200),
        });
        counts.failed++;
      }
    }
  }
  log.info("requirement_shipped", { requirementId: requirement.id, ...counts });
  return counts;
}

type Claim =
  | { state: "new" | "sent" | "busy" }
  | { state: "taken_over"; claimed: Pick<Notice, "opportunityId" | "subject"> };

async function claim(
  db: D1Database,
  requirementId: number,
  notice: Notice,
  now: number,
): Promise<Claim> {
  const inserted = await db
    .prepare(
      `INSERT INTO requirement_notices (requirement_id, owner_id, opportunity_id, subject, claimed_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(requirementId, notice.ownerId, notice.opportunityId, notice.subject, now)
    .run();
  if (inserted.meta.changes === 1) return { state: "new" };
  const held = await db
    .prepare(
      "SELECT opportunity_id, subject, task_id, claimed_at FROM requirement_notices WHERE requirement_id = ? AND owner_id = ?",
    )
    .bind(requirementId, notice.ownerId)
    .first<{
      opportunity_id: string;
      subject: string;
      task_id: string | null;
      claimed_at: number;
    }>();
  if (!held || held.task_id) return { state: "sent" };
  if (now - held.claimed_at < CLAIM_LEASE_MS) return { state: "busy" };
  // Only one caller moves claimed_at from the value it read.
  const taken = await db
    .prepare(
      "UPDATE requirement_notices SET claimed_at = ? WHERE requirement_id = ? AND owner_id = ? AND claimed_at = ? AND task_id IS NULL",
    )
    .bind(now, requirementId, notice.ownerId, held.claimed_at)
    .run();
  return taken.meta.changes === 1
    ? {
        state: "taken_over",
        claimed: { opportunityId: held.opportunity_id, subject: held.subject },
      }
    : { state: "busy" };
}

/** A Task an earlier attempt may have created before it could record it. */
async function findTask(conn: Connection, notice: Notice): Promise<string | null> {
  const found = await conn.query<{ Id: string }>(
    `SELECT Id FROM Task WHERE OwnerId = ${soqlString(notice.ownerId)} AND WhatId = ${soqlString(notice.opportunityId)} AND Subject = ${soqlString(notice.subject)} LIMIT 1`,
  );
  return found.records[0]?.Id ?? null;
}

async function createTask(conn: Connection, notice: Notice): Promise<string> {
  const result = await conn.sobject("Task").create({
    Subject: notice.subject,
    WhatId: notice.opportunityId,
    OwnerId: notice.ownerId,
    Status: "Not Started",
    Priority: "Normal",
    Description: notice.description,
  });
  if (!result.success || !result.id)
    throw new Error(`Task not created: ${JSON.stringify(result).slice(0, 200)}`);
  return result.id;
}
