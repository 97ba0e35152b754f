import type { Connection } from "jsforce";
import { chunks, runLimited } from "../../shared/batching";
import { RetryableError } from "../../shared/retryable";
import {
  AUTO_ASSIGN_HEADER,
  createAssignValue,
  type LeadAssignment,
  UPDATE_ASSIGN_VALUE,
} from "../../shared/salesforce/assignment";
import { EXTERNAL_ID_FIELD, type SalesforceLead } from "./lead-mapping";
import type { Assignment } from "./routing-plan";
import { describeSalesforceRefusal, TRANSIENT_SALESFORCE_CODES } from "./salesforce-lead";

export const SALESFORCE_COLLECTION_MAX = 200;
/**
 * Collections in flight at once: every collection of the two 1,000-contact passes a batch runs
 * side by side (5 each), so a pass's upsert is one round trip, not two. Distinct records, so no
 * row locks between them; Salesforce limits concurrent requests only past 20 s (25 of them).
 */
export const UPSERT_CONCURRENCY = 10;

/** What Salesforce made of one lead in an upsert. */
export type UpsertOutcome =
  | { kind: "pushed"; salesforceId: string; created: boolean }
  | { kind: "refused"; code: string; message: string }
  | { kind: "transient"; code: string; message: string }
  /**
   * The whole collection call failed (outage, daily limit): its records wait, the others are done.
   */
  | { kind: "failed"; error: RetryableError };

type CollectionResult = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
};

/** Leads to upsert with one `Sforce-Auto-Assign` value (see shared/salesforce/assignment.ts). */
export interface UpsertGroup {
  leads: SalesforceLead[];
  autoAssign: string;
}

/**
 * Upserts leads by external id in collections of 200 (one API call each, a few at once), allOrNone
 * off so one bad record refuses alone; a collection whose call failed marks its records "failed".
 * Each group's collections carry its `Sforce-Auto-Assign` value; groups never share a call.
 */
export async function upsertSalesforceLeads(
  conn: Connection,
  groups: UpsertGroup[],
): Promise<Map<string, UpsertOutcome>> {
  const outcomes = new Map<string, UpsertOutcome>();
  const calls = groups.flatMap(({ leads, autoAssign }) =>
    chunks(leads, SALESFORCE_COLLECTION_MAX).map((chunk) => ({ chunk, autoAssign })),
  );
  await runLimited(
    calls.map(({ chunk, autoAssign }) => async () => {
      let results: CollectionResult[];
      try {
        // jsforce types a record as an open map; a SalesforceLead is one.
        const records = chunk as unknown as Record<string, unknown>[];
        results = (await conn.sobject("Lead").upsert(records, EXTERNAL_ID_FIELD, {
          allOrNone: false,
          headers: { [AUTO_ASSIGN_HEADER]: autoAssign },
        })) as unknown as CollectionResult[];
      } catch (err) {
        const error = classifyCallError(err);
        for (const lead of chunk) outcomes.set(lead[EXTERNAL_ID_FIELD], { kind: "failed", error });
        return;
      }
      for (const [index, lead] of chunk.entries())
        outcomes.set(lead[EXTERNAL_ID_FIELD], toOutcome(results[index]));
    }),
    UPSERT_CONCURRENCY,
  );
  return outcomes;
}

/**
 * Splits leads by whether Leadbridge holds their Salesforce Lead id: those are updates and keep
 * their owner (`FALSE`); the rest follow the configured create choice. A contact with no Lead id
 * whose upsert matches a Lead already in Salesforce is sent with the create choice too.
 */
export function assignmentGroups(
  leads: { lead: SalesforceLead; hasLeadId: boolean }[],
  choice: LeadAssignment,
): UpsertGroup[] {
  const groups: UpsertGroup[] = [
    { leads: leads.filter((l) => l.hasLeadId).map((l) => l.lead), autoAssign: UPDATE_ASSIGN_VALUE },
    {
      leads: leads.filter((l) => !l.hasLeadId).map((l) => l.lead),
      autoAssign: createAssignValue(choice),
    },
  ];
  return groups.filter((g) => g.leads.length > 0);
}

/**
 * The groups while a routing is in force (routing.ts): updates, new Leads given an owner (OwnerId
 * in the payload) and those left to the integration user go with `FALSE`, one group; new Leads
 * the routing leaves to Salesforce's assignment rules with `TRUE`. `assigned` holds every new
 * Lead's assignment.
 */
export function routedGroups(
  leads: { lead: SalesforceLead; hasLeadId: boolean }[],
  assigned: Map<string, Assignment>,
): UpsertGroup[] {
  const keep: SalesforceLead[] = [];
  const byRule: SalesforceLead[] = [];
  for (const { lead, hasLeadId } of leads) {
    const assignment = hasLeadId ? undefined : assigned.get(lead[EXTERNAL_ID_FIELD]);
    if (assignment?.reason === "assignment_rules") byRule.push(lead);
    else if (assignment?.ownerId) keep.push({ ...lead, OwnerId: assignment.ownerId });
    else keep.push(lead);
  }
  const groups: UpsertGroup[] = [
    { leads: keep, autoAssign: UPDATE_ASSIGN_VALUE },
    { leads: byRule, autoAssign: createAssignValue("active_rule") },
  ];
  return groups.filter((g) => g.leads.length > 0);
}

function toOutcome(result: CollectionResult | undefined): UpsertOutcome {
  if (!result)
    return {
      kind: "transient",
      code: "NO_RESULT",
      message: "Salesforce returned no result for the record",
    };
  if (result.success && result.id)
    return { kind: "pushed", salesforceId: result.id, created: Boolean(result.created) };
  const error = result.errors?.[0];
  const code = error?.statusCode ?? error?.errorCode ?? "UNKNOWN_ERROR";
  const message = error?.message ?? "no message";
  if (TRANSIENT_SALESFORCE_CODES.has(code)) return { kind: "transient", code, message };
  return {
    kind: "refused",
    code,
    message: describeSalesforceRefusal(code, message, error?.fields),
  };
}

/**
 * Salesforce refusing Leadbridge itself: the token call's OAuth errors, or a session still invalid
 * after the one re-authorization (shared/salesforce/client.ts; jsforce wraps that refusal).
 */
const AUTH_FAILURE =
  /^(invalid_client|invalid_client_id|invalid_grant|unauthorized_client|INVALID_SESSION_ID|INVALID_AUTH_HEADER)$/;
const AUTH_MESSAGE = /INVALID_SESSION_ID|Unable to refresh session/;

/**
 * Maps a call that failed as a whole to a retry decision: the daily limit holds, an auth failure
 * or anything else pauses (it is Salesforce or the connection failing, never one record's fault).
 */
export function classifyCallError(err: unknown): RetryableError {
  const e = err as { errorCode?: string; name?: string; message?: string; statusCode?: number };
  const code = e.errorCode ?? e.name ?? "ERROR";
  if (code === "REQUEST_LIMIT_EXCEEDED") {
    return new RetryableError(
      `Salesforce daily API limit reached: ${e.message ?? ""}`,
      "salesforce_limit",
      15 * 60,
    );
  }
  if (AUTH_FAILURE.test(code) || AUTH_MESSAGE.test(e.message ?? "")) {
    return new RetryableError(
      `Salesforce refused Leadbridge's credentials (${code}): ${e.message ?? String(err)}`,
      "salesforce_auth",
      30,
    );
  }
  return new RetryableError(
    `Salesforce call failed (${code}): ${e.message ?? String(err)}`,
    "salesforce_unavailable",
    30,
  );
}
