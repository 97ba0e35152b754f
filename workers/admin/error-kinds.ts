import type { ERROR_KINDS } from "../../shared/contracts/admin";

export type ErrorKind = (typeof ERROR_KINDS)[number];

const LIMIT_KINDS = new Set(["salesforce_limit", "salesforce_budget", "hubspot_rate_limited"]);
const TRANSIENT_KINDS = new Set([
  "salesforce_unavailable",
  "salesforce_transient",
  "hubspot_unavailable",
]);
const AUTH_PATTERN =
  /INVALID_SESSION_ID|INVALID_AUTH|unauthori[sz]ed|invalid_client|invalid_grant|\b401\b|\b403\b/i;

/**
 * Sorts a failure recorded in the audit trail (or a dead letter's reason) into the kinds the
 * sync-health page shows, with the most specific code it carries; pure.
 */
export function classify(
  step: string,
  detail: Record<string, unknown>,
): { kind: ErrorKind; code: string } {
  const code = String(detail.code ?? detail.kind ?? detail.reason ?? step);
  const message = String(detail.message ?? "");
  if (step === "salesforce_refused")
    return { kind: code === "DUPLICATES_DETECTED" ? "duplicates" : "validation", code };
  if (step === "held") return { kind: "limits", code };
  if (step === "push_retry") return { kind: "transient", code };
  if (AUTH_PATTERN.test(`${code} ${message}`)) return { kind: "auth", code };
  if (LIMIT_KINDS.has(code) || /REQUEST_LIMIT_EXCEEDED|rate limit/i.test(message))
    return { kind: "limits", code };
  if (TRANSIENT_KINDS.has(code)) return { kind: "transient", code };
  return { kind: "other", code };
}

/** A dead letter's reason is "<kind>: <message>" from the consumer, or a validation failure. */
export function classifyDeadLetter(reason: string): { kind: ErrorKind; code: string } {
  if (reason.startsWith("not a lead event")) return { kind: "validation", code: "invalid_message" };
  const colon = reason.indexOf(":");
  const kind = colon > 0 ? reason.slice(0, colon) : "retries_exhausted";
  const result = classify("error", { kind, message: reason.slice(colon + 1) });
  return { kind: result.kind, code: `dead_letter:${result.code}` };
}
