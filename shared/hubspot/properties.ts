import { SALES_STAGES, type SalesStage } from "../contracts/sales";

/**
 * The HubSpot contact properties Leadbridge writes, as HubSpot property definitions (the
 * `PropertyCreate` body of `POST /crm/v3/properties/contacts`). One copy: `npm run setup:hubspot`
 * creates them in a portal and the sandbox HubSpot seeds them, so the two cannot drift.
 */

export interface PropertyOption {
  label: string;
  value: string;
  description?: string;
  displayOrder: number;
  hidden: boolean;
}

export interface HubSpotPropertyDefinition {
  name: string;
  label: string;
  type: "string" | "enumeration";
  fieldType: "text" | "textarea" | "select";
  groupName: string;
  description: string;
  /** Every value the code writes; HubSpot refuses an enumeration value outside its options. */
  options?: PropertyOption[];
  formField: false;
}

export const LEADBRIDGE_GROUP = {
  name: "leadbridge",
  label: "Leadbridge",
  displayOrder: -1,
} as const;

/** What `leadbridge_status` says about a contact. */
export const LEADBRIDGE_STATUSES = ["handed_off", "rejected", "existing_contact"] as const;
export type LeadbridgeStatus = (typeof LEADBRIDGE_STATUSES)[number];

const STATUS_LABELS: Record<LeadbridgeStatus, string> = {
  handed_off: "Handed off to sales",
  rejected: "Rejected (see reasons)",
  existing_contact: "Existing Salesforce contact",
};

const STAGE_LABELS: Record<SalesStage, string> = {
  accepted: "Accepted by sales",
  sales_rejected: "Rejected by sales",
  converted: "Converted",
  LeadIn: "Lead in",
  Discovery: "Discovery",
  TechnicalDemo: "Technical demo",
  Proposal: "Proposal",
  Closing: "Closing",
  ClosedWon: "Closed won",
  ClosedLost: "Closed lost",
};

const options = <T extends string>(values: readonly T[], labels: Record<T, string>) =>
  values.map((value, displayOrder) => ({
    label: labels[value],
    value,
    displayOrder,
    hidden: false,
  }));

const text = (
  name: string,
  label: string,
  description: string,
  fieldType: "text" | "textarea" = "text",
): HubSpotPropertyDefinition => ({
  name,
  label,
  type: "string",
  fieldType,
  groupName: LEADBRIDGE_GROUP.name,
  description,
  formField: false,
});

const select = (
  name: string,
  label: string,
  description: string,
  choices: PropertyOption[],
): HubSpotPropertyDefinition => ({
  name,
  label,
  type: "enumeration",
  fieldType: "select",
  groupName: LEADBRIDGE_GROUP.name,
  description,
  options: choices,
  formField: false,
});

export const LEADBRIDGE_PROPERTIES: readonly HubSpotPropertyDefinition[] = [
  select(
    "leadbridge_status",
    "Leadbridge status",
    "Whether Leadbridge handed this contact to sales, refused it, or found it is already a Salesforce contact.",
    options(LEADBRIDGE_STATUSES, STATUS_LABELS),
  ),
  // Reason codes joined by ';', some of them open-ended (salesforce_rejected:<errorCode>), so text.
  text(
    "leadbridge_rejection_reasons",
    "Leadbridge rejection reasons",
    "Why Leadbridge refused the contact: reason codes separated by ';'. The timeline note says what to fix.",
    "textarea",
  ),
  text(
    "leadbridge_salesforce_lead_id",
    "Leadbridge Salesforce Lead ID",
    "The Salesforce Lead this contact was handed off as.",
  ),
  text(
    "leadbridge_salesforce_contact_id",
    "Leadbridge Salesforce Contact ID",
    "The Salesforce Contact of an existing customer, when no Lead was created for it.",
  ),
  select(
    "leadbridge_sales_stage",
    "Leadbridge sales stage",
    "Sales' side after the handoff: accepted, rejected or converted, then the deal's stage.",
    options(SALES_STAGES, STAGE_LABELS),
  ),
  text(
    "leadbridge_sales_feedback",
    "Leadbridge sales feedback",
    "Sales' reason for refusing the lead, from Salesforce.",
    "textarea",
  ),
];

/** Option values a definition lacks among those `wanted` holds (none for text properties). */
export function missingOptions(
  wanted: HubSpotPropertyDefinition,
  existing: { options?: { value: string }[] },
): string[] {
  const have = new Set((existing.options ?? []).map((o) => o.value));
  return (wanted.options ?? []).map((o) => o.value).filter((v) => !have.has(v));
}
