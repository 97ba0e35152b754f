/** Salesforce per-record codes that clear up on their own: retry, do not refuse. */
export const TRANSIENT_SALESFORCE_CODES = new Set([
  "UNABLE_TO_LOCK_ROW",
  "SERVER_UNAVAILABLE",
  "REQUEST_RUNNING_TOO_LONG",
  "QUERY_TIMEOUT",
]);

const SALESFORCE_WORDS: Record<string, string> = {
  REQUIRED_FIELD_MISSING: "Salesforce requires a field that is empty",
  STRING_TOO_LONG: "A value is longer than Salesforce allows",
  INVALID_EMAIL_ADDRESS: "Salesforce does not accept the email address",
  DUPLICATES_DETECTED: "Salesforce already has a lead with this email address (duplicate rule)",
  FIELD_CUSTOM_VALIDATION_EXCEPTION: "A Salesforce validation rule refused the lead",
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:
    "A value is not one of the picklist values Salesforce allows",
};

/** A marketer-readable sentence for a permanent Salesforce refusal. */
export function describeSalesforceRefusal(
  code: string,
  message: string,
  fields: string[] = [],
): string {
  const words = SALESFORCE_WORDS[code] ?? "Salesforce refused the lead";
  const on = fields.length ? ` (field${fields.length > 1 ? "s" : ""}: ${fields.join(", ")})` : "";
  return `${words}${on}: ${message.slice(0, 300)}. Fix it in HubSpot and the lead is sent again.`;
}
