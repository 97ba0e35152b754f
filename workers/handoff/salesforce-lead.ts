import type { Mql } from "../../shared/contracts/mql";

export const EXTERNAL_ID_FIELD = "HubSpot_Contact_Id__c";

export interface SalesforceLead {
  HubSpot_Contact_Id__c: string;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Company: string | null;
  Title: string | null;
  Industry: string | null;
  NumberOfEmployees: number | null;
  LeadSource: string;
  Engagement_Score__c: number;
  Qualification_Criteria__c: string;
}

/** Maps an MQL onto a Salesforce Lead; pure. Length limits are Salesforce's to enforce. */
export function toSalesforceLead(contactId: string, mql: Mql): SalesforceLead {
  return {
    [EXTERNAL_ID_FIELD]: contactId,
    FirstName: mql.contactInfo.firstName,
    LastName: mql.contactInfo.lastName,
    Email: mql.contactInfo.email,
    Company: mql.firmographics.companyName,
    Title: mql.contactInfo.jobTitle,
    Industry: mql.firmographics.industry,
    NumberOfEmployees: mql.firmographics.employeeCount,
    LeadSource: `HubSpot: ${mql.source}`.slice(0, 40),
    Engagement_Score__c: mql.engagementScore,
    Qualification_Criteria__c: mql.qualificationCriteriaMet.join(";"),
  };
}

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
