import { Hono } from "hono";
import { ContactIdParamSchema, LeadListQuerySchema } from "../../shared/contracts/admin";
import type { LeadRow } from "../../shared/db/leads";
import { ErrorCode, HttpError } from "../../shared/errors";
import type { HonoEnv } from "../../shared/hono-env";
import {
  type AssignmentViewRow,
  type AuditRow,
  decodeLeadCursor,
  encodeLeadCursor,
  toAssignmentView,
  toAuditView,
  toLeadView,
} from "./lead-view";
import { readParams, readQuery } from "./validate";

/**
 * GET /admin/leads (filters, cursor paging) and GET /admin/leads/:contactId (state, routing
 * assignment, audit trail).
 */
export const leads = new Hono<HonoEnv>();

leads.get("/leads", async (c) => {
  const q = readQuery(c, LeadListQuerySchema);
  const where: string[] = [];
  const binds: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    binds.push(...values);
  };
  if (q.status) add("status = ?", q.status);
  if (q.reason) add("EXISTS (SELECT 1 FROM json_each(leads.reasons) WHERE value = ?)", q.reason);
  if (q.since) add("updated_at >= ?", Date.parse(q.since));
  if (q.cursor) {
    const after = decodeLeadCursor(q.cursor);
    if (!after)
      throw new HttpError(ErrorCode.BadRequest, "query.cursor: not a cursor this API returned");
    add(
      "(updated_at < ? OR (updated_at = ? AND contact_id < ?))",
      after.updatedAt,
      after.updatedAt,
      after.contactId,
    );
  }
  const sql = `SELECT * FROM leads ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
               ORDER BY updated_at DESC, contact_id DESC LIMIT ?`;
  const { results } = await c.env.DB.prepare(sql)
    .bind(...binds, q.limit + 1)
    .all<LeadRow>();
  const page = results.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor =
    results.length > q.limit && last ? encodeLeadCursor(last.updated_at, last.contact_id) : null;
  return c.json({ leads: page.map(toLeadView), nextCursor });
});

leads.get("/leads/:contactId", async (c) => {
  const { contactId } = readParams(c, ContactIdParamSchema);
  const [row, trail, assigned] = await c.env.DB.batch<LeadRow | AuditRow | AssignmentViewRow>([
    c.env.DB.prepare("SELECT * FROM leads WHERE contact_id = ?").bind(contactId),
    c.env.DB.prepare("SELECT * FROM audit WHERE contact_id = ? ORDER BY id").bind(contactId),
    c.env.DB.prepare("SELECT * FROM assignments WHERE contact_id = ?").bind(contactId),
  ]);
  const lead = (row?.results[0] as LeadRow | undefined) ?? null;
  const audit = (trail?.results ?? []) as AuditRow[];
  const assignment = (assigned?.results[0] as AssignmentViewRow | undefined) ?? null;
  if (!lead && !audit.length)
    throw new HttpError(ErrorCode.NotFound, `Leadbridge has no record of contact ${contactId}`);
  return c.json({
    lead: lead ? toLeadView(lead) : null,
    assignment: assignment ? toAssignmentView(assignment) : null,
    audit: audit.map(toAuditView),
  });
});
