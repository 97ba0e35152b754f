import type { Connection } from "jsforce";
import { chunks, runLimited } from "../../shared/batching";
import { RetryableError } from "../../shared/retryable";
import {
  describeSalesforceRefusal,
  EXTERNAL_ID_FIELD,
  type SalesforceLead,
  TRANSIENT_SALESFORCE_CODES,
} from "./salesforce-lead";

export const SALESFORCE_COLLECTION_MAX = 200;
/** Collections in flight at once: distinct records, so no row locks between them; far under Salesforce's concurrency limits. */
export const UPSERT_CONCURRENCY = 4;

/** What Salesforce made of one lead in an upsert. */
export type UpsertOutcome =
  | { kind: "pushed"; salesforceId: string; created: boolean }
  | { kind: "refused"; code: string; message: string }
  | { kind: "transient"; code: string; message: string }
  /** The whole collection call failed (outage, daily limit): its records wait, the others are done. */
  | { kind: "failed"; error: RetryableError };

type CollectionResult = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors?: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] }[];
};

/**
 * Upserts leads by external id in collections of 200 (one API call each, a few at once), allOrNone
 * off so one bad record refuses alone; a collection whose call failed marks its records "failed".
 */
export async function upsertSalesforceLeads(
  conn: Connection,
  leads: SalesforceLead[],
): Promise<Map<string, UpsertOutcome>> {
  const outcomes = new Map<string, UpsertOutcome>();
  await runLimited(
    chunks(leads, SALESFORCE_COLLECTION_MAX).map((chunk) => async () => {
      let results: CollectionResult[];
      try {
        // jsforce types a record as an open map; a SalesforceLead is one.
        const records = chunk as unknown as Record<string, unknown>[];
        results = (await conn.sobject("Lead").upsert(records, EXTERNAL_ID_FIELD, {
          allOrNone: false,
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

/** Maps a failed call to a retry decision; anything unknown is treated as transient. */
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
  return new RetryableError(
    `Salesforce call failed (${code}): ${e.message ?? String(err)}`,
    "salesforce_unavailable",
    30,
  );
}
