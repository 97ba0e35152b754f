import type {
  AuditStep,
  DeadLetterKind,
  ErrorKind,
  SyncHealthKind,
} from "../../shared/contracts/outcomes";

const LIMIT_KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  "salesforce_limit",
  "salesforce_budget",
  "hubspot_rate_limited",
]);
const TRANSIENT_KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  "salesforce_unavailable",
  "salesforce_transient",
  "hubspot_unavailable",
  "d1_unavailable",
]);
const AUTH_PATTERN =
  /salesforce_auth|hubspot_auth|INVALID_SESSION_ID|INVALID_AUTH|unauthori[sz]ed|invalid_client|invalid_grant|\b401\b|\b403\b/i;

/**
 * Sorts a failure recorded in the audit trail into the kinds the sync-health page shows, with
 * the most specific code it carries; pure.
 */
export function classify(
  step: AuditStep,
  detail: Record<string, unknown>,
): { kind: SyncHealthKind; code: string } {
  const code = String(detail.code ?? detail.kind ?? detail.reason ?? step);
  const message = String(detail.message ?? "");
  if (step === "salesforce_refused")
    return { kind: code === "DUPLICATES_DETECTED" ? "duplicates" : "validation", code };
  // Held: a limit, or a pause (docs/handoff.md) for an outage or refused credentials.
  if (step === "held")
    return {
      kind: AUTH_PATTERN.test(code) ? "auth" : TRANSIENT_KINDS.has(code) ? "transient" : "limits",
      code,
    };
  if (step === "push_retry") return { kind: "transient", code };
  if (AUTH_PATTERN.test(`${code} ${message}`)) return { kind: "auth", code };
  if (LIMIT_KINDS.has(code) || /REQUEST_LIMIT_EXCEEDED|rate limit/i.test(message))
    return { kind: "limits", code };
  if (TRANSIENT_KINDS.has(code)) return { kind: "transient", code };
  return { kind: "other", code };
}

/**
 * A dead letter by its kind; its reason is only searched for signs of an auth failure or a limit.
 */
export function classifyDeadLetter(
  kind: DeadLetterKind,
  reason: string,
): { kind: SyncHealthKind; code: string } {
  if (kind === "invalid_message") return { kind: "validation", code: "invalid_message" };
  const result = classify("error", { kind, message: reason });
  return { kind: result.kind, code: `dead_letter:${result.code}` };
}
