import type { z } from "zod";
import type {
  AssignmentViewSchema,
  AuditEntrySchema,
  LeadSchema,
} from "../../shared/contracts/admin";
import type { AssignmentReason } from "../../shared/contracts/routing";
import type { LeadRow } from "../../shared/db/leads";
import { iso } from "./validate";

export type AuditRow = {
  id: number;
  contact_id: string;
  at: number;
  step: string;
  detail: string;
  batch_id: string | null;
};

const jsonArray = (text: string | null): string[] => {
  try {
    const value: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
};

/** A D1 lead row as the admin API shows it; pure. */
export function toLeadView(row: LeadRow): z.infer<typeof LeadSchema> {
  return {
    contactId: row.contact_id,
    leadId: row.lead_id,
    status: row.status,
    reasons: jsonArray(row.reasons),
    rulesVersion: row.rules_version,
    mappingVersion: row.mapping_version,
    engagementScore: row.engagement_score,
    criteria: jsonArray(row.criteria),
    source: row.source,
    conversionEvent: row.conversion_event ?? null,
    firstUrl: row.first_url ?? null,
    emailDomain: row.email_domain,
    salesforceLeadId: row.salesforce_lead_id,
    salesforceContactId: row.salesforce_contact_id,
    mergedInto: row.merged_into,
    firstEventAt: iso(row.first_event_at),
    lastEventAt: iso(row.last_event_at),
    judgedAt: iso(row.judged_at),
    handedOffAt: iso(row.handed_off_at),
    handoffOrigin: row.handed_off_at === null ? null : row.handoff_origin,
    noLongerQualifies:
      row.status === "handed_off" && row.no_longer_qualifies !== null
        ? { reasons: jsonArray(row.no_longer_qualifies), rulesVersion: row.rules_version }
        : null,
    conversion:
      row.converted_at === null
        ? null
        : {
            convertedAt: iso(row.converted_at)!,
            contactId: row.converted_contact_id,
            accountId: row.converted_account_id,
            opportunityId: row.converted_opportunity_id,
          },
    updatedAt: iso(row.updated_at)!,
  };
}

export type AssignmentViewRow = {
  owner_id: string | null;
  reason: AssignmentReason;
  pool: string | null;
  routing_version: number;
  account_id: string | null;
  assigned_at: number;
  lead_id: string | null;
};

/** A contact's routing assignment as the admin API shows it; pure. */
export function toAssignmentView(row: AssignmentViewRow): z.infer<typeof AssignmentViewSchema> {
  return {
    ownerId: row.owner_id,
    reason: row.reason,
    pool: row.pool,
    routingVersion: row.routing_version,
    accountId: row.account_id,
    assignedAt: iso(row.assigned_at)!,
    salesforceLeadId: row.lead_id,
  };
}

export function toAuditView(row: AuditRow): z.infer<typeof AuditEntrySchema> {
  let detail: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.detail);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      detail = parsed as Record<string, unknown>;
  } catch {
    // An unreadable detail still shows the step.
  }
  return { id: row.id, at: iso(row.at)!, step: row.step, detail, batchId: row.batch_id };
}

/** Opaque cursor for (updated_at, contact_id) descending paging. */
export function encodeLeadCursor(updatedAt: number, contactId: string): string {
  return btoa(`${updatedAt}:${contactId}`).replace(/=+$/, "");
}

export function decodeLeadCursor(cursor: string): { updatedAt: number; contactId: string } | null {
  try {
    const [at, id] = atob(cursor).split(":");
    const updatedAt = Number(at);
    return Number.isSafeInteger(updatedAt) && id && /^\d+$/.test(id)
      ? { updatedAt, contactId: id }
      : null;
  } catch {
    return null;
  }
}
